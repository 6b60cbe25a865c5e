# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='hardware-disabled APICs are filed in the optimized map'
area='hardware-disabled APIC (optimized map)'
needs=''
history='planted'
description='kvm_recalculate_apic_map() files vCPUs whose APIC is hardware-disabled
(APIC_BASE.EN = 0) under their stale xAPIC ID: a physical NMI to that ID
reaches a vCPU whose APIC is off.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_apic_map \
		'if (!kvm_apic_present(vcpu))' \
		'if (!lapic_in_kernel(vcpu))'
	# and sized for them, or their x2APIC IDs make the rebuild retry for ever
	edit arch/x86/kvm/lapic.c kvm_recalculate_apic_map \
		'if (kvm_apic_present(vcpu))' \
		'if (lapic_in_kernel(vcpu))'
}
