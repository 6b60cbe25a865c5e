# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='a software enable/disable does not mark the APIC map dirty'
area='optimized map rebuild (SVR)'
needs=''
history='planted'
description='apic_set_spiv() does not mark the map dirty when the software enable bit
changes: the logical map keeps a disabled APIC or misses an enabled one.'
mutate() {
	delete_line arch/x86/kvm/lapic.c apic_set_spiv \
		'atomic_set_release(&apic->vcpu->kvm->arch.apic_map_dirty, DIRTY);'
}
