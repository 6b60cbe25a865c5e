# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='KVM_SET_LAPIC does not mark the APIC map dirty'
area='optimized map rebuild (KVM_SET_LAPIC)'
needs=''
history='planted'
description='kvm_apic_set_state() copies the registers without marking the map dirty:
IDs, LDRs and DFRs set by the host take effect only when something else
rebuilds the map.'
mutate() {
	delete_line arch/x86/kvm/lapic.c kvm_apic_set_state \
		'atomic_set_release(&apic->vcpu->kvm->arch.apic_map_dirty, DIRTY);'
}
