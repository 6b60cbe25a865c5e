# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='lowest priority on the loop may pick a software-disabled APIC'
area='lowest priority (per-vCPU loop, software-disabled)'
needs=''
history='planted'
description='kvm_irq_delivery_to_apic() counts software-disabled APICs as lowest-
priority candidates: when vector hashing picks one, the interrupt is
refused there and lost.'
mutate() {
	edit arch/x86/kvm/irq_comm.c kvm_irq_delivery_to_apic \
		'} else if (kvm_apic_sw_enabled(vcpu->arch.apic)) {' \
		'} else if (1) {'
}
