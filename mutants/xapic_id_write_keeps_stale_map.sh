# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='an xAPIC ID write does not mark the APIC map dirty'
area='optimized map rebuild (APIC ID)'
needs=''
history='planted'
description='kvm_apic_set_xapic_id() does not mark the map dirty: after a guest
writes its xAPIC ID, physical interrupts follow the old ID until
something else rebuilds the map.'
mutate() {
	delete_line arch/x86/kvm/lapic.c kvm_apic_set_xapic_id \
		'atomic_set_release(&apic->vcpu->kvm->arch.apic_map_dirty, DIRTY);'
}
