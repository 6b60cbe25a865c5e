# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='a software-disabled APIC accepts fixed interrupts'
area='software-disabled APIC'
needs=''
history='planted'
description='__apic_accept_irq() checks only the hardware enable for fixed and
lowest-priority interrupts: a software-disabled APIC takes them (SDM: it
must not).'
mutate() {
	edit arch/x86/kvm/lapic.c __apic_accept_irq \
		'if (unlikely(!apic_enabled(apic)))' \
		'if (unlikely(!kvm_apic_hw_enabled(apic)))'
}
