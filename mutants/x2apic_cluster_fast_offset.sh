# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='x2APIC cluster: the optimized map forgets to scale the cluster ID'
area='x2APIC cluster (optimized map)'
needs=''
history='planted'
description='kvm_apic_map_get_logical_dest(), x2APIC: the first x2APIC ID of cluster
C is taken as C instead of 16*C, so a logical interrupt to cluster 1
member 0 reaches x2APIC ID 1.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_map_get_logical_dest \
		'u32 offset = (dest_id >> 16) * 16;' \
		'u32 offset = (dest_id >> 16);'
}
