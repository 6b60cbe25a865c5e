# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='cluster model: the per-vCPU loop ignores the cluster ID'
area='logical cluster (per-vCPU loop)'
needs=''
history='planted'
description='kvm_apic_match_logical_addr(), cluster model: only the member bits are
compared, so an interrupt to cluster 2 member 1 reaches member 1 of
every cluster, on the loop only.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_logical_addr \
		'return ((logical_id >> 4) == (mda >> 4))' \
		'return (1)'
}
