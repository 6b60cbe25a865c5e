# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='flat and cluster APICs side by side keep the optimized map'
area='logical (optimized map, mixed models)'
needs=''
history='planted'
description='kvm_recalculate_logical_map() does not disable the map when software-
enabled APICs mix DFRs (or xAPIC and x2APIC): the map takes the first
APIC'\''s model and the others are filed as if they had it.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_logical_map \
		'} else if (new->logical_mode != logical_mode) {' \
		'} else if (0) {'
}
