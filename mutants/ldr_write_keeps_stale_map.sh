# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='an LDR write does not mark the APIC map dirty'
area='optimized map rebuild (LDR)'
needs=''
history='planted'
description='kvm_apic_set_ldr() does not mark the map dirty: after a guest or
KVM_SET_LAPIC changes only the LDR, logical interrupts follow the old
one until something else rebuilds the map.'
mutate() {
	delete_line arch/x86/kvm/lapic.c kvm_apic_set_ldr \
		'atomic_set_release(&apic->vcpu->kvm->arch.apic_map_dirty, DIRTY);'
}
