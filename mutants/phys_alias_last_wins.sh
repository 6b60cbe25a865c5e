# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='aliased xAPIC IDs: the optimized map keeps the last vCPU'
area='physical (optimized map, aliasing)'
needs=''
history='planted'
description='kvm_recalculate_phys_map() does not notice that a physical ID is taken:
the last vCPU with the ID overwrites the others and the map stays in use
(the issue'\''s probe bug "a duplicate physical ID overwriting the first").'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_phys_map \
		'if (new->phys_map[physical_id])' \
		'if (0)'
}
