# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='cluster model: clusters 8-14 share the map slots of 0-6'
area='logical cluster (optimized map)'
needs=''
history='planted'
description='kvm_apic_map_get_logical_dest(), cluster model: the cluster index is
(dest >> 4) & 0x7, so cluster N and N+8 are one slot: an interrupt to
cluster 5 reaches cluster 13'\''s members.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_map_get_logical_dest \
		'*cluster = map->xapic_cluster_map[(dest_id >> 4) & 0xf];' \
		'*cluster = map->xapic_cluster_map[(dest_id >> 4) & 0x7];'
}
