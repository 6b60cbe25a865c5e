# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='an APIC with LDR 0 decides the logical map'\''s mode'
area='logical (optimized map, LDR 0)'
needs='avic'
history='planted'
description='kvm_recalculate_logical_map() no longer skips LDR 0 before classifying:
a software-enabled APIC with LDR 0 and another DFR than the rest
disables the logical map. Delivery stays right (the per-vCPU loop takes
over), so only AVIC'\''s LOGICAL_ID_ALIASED inhibit shows it: set where it
must not be.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_logical_map \
		'if (!ldr)' \
		'if (0)'
}
