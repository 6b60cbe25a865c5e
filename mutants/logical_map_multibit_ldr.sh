# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='a multi-bit logical ID is filed at its lowest bit only'
area='logical (optimized map, multi-bit LDR)'
needs=''
history='reintroduces what 2bf934aadcac "KVM: x86: Disable APIC logical map if logical ID covers multiple MDAs" (v6.3) fixed'
description='kvm_recalculate_logical_map() keeps the optimized map for an LDR with
several bits set, filing the APIC at its lowest bit: interrupts to its
other bits miss it.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_logical_map \
		'if (!is_power_of_2(mask) || cluster[ldr])' \
		'if (cluster[ldr])'
}
