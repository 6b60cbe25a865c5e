# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='flat model: the optimized map sees only bits 0-3 of the destination'
area='logical flat (optimized map)'
needs=''
history='planted'
description='kvm_apic_map_get_logical_dest(), flat model: the member mask is dest &
0xf, so logical destinations naming vCPUs with LDR bits 4-7 reach nobody
through the map (and such vCPUs are left out of it).'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_map_get_logical_dest \
		'*mask = dest_id & 0xff;' \
		'*mask = dest_id & 0xf;'
}
