# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='software-disabled APICs are left out of the physical map'
area='physical (optimized map, software-disabled)'
needs=''
history='planted'
description='kvm_recalculate_apic_map() skips software-disabled APICs for the
physical map too: a physical NMI (or INIT) to one is lost while the map
is in use.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_apic_map \
		'if (!kvm_apic_present(vcpu))' \
		'if (!kvm_apic_present(vcpu) || !kvm_apic_sw_enabled(vcpu->arch.apic))'
}
