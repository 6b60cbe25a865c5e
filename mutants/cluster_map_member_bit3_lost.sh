# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='cluster model: the optimized map ignores member bit 3'
area='logical cluster (optimized map)'
needs=''
history='planted'
description='kvm_apic_map_get_logical_dest(), cluster model: member mask dest & 0x7,
so the fourth member of a cluster gets nothing through the map.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_map_get_logical_dest \
		'*mask = dest_id & 0xf;' \
		'*mask = dest_id & 0x7;'
}
