# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='one NMI IPI is injected twice'
area='NMI'
needs=''
history='planted'
description='__apic_accept_irq() queues every accepted NMI twice: the target runs its
NMI handler two times for one NMI.'
mutate() {
	edit arch/x86/kvm/lapic.c __apic_accept_irq \
		'kvm_inject_nmi(vcpu);' \
		'kvm_inject_nmi(vcpu);
		kvm_inject_nmi(vcpu);'
}
