# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='two vCPUs with one logical ID: the map keeps the last'
area='logical (optimized map, aliasing)'
needs=''
history='reintroduces what 2970052481b9 "KVM: x86: Disable APIC logical map if vCPUs are aliased in logical mode" (v6.3) fixed'
description='kvm_recalculate_logical_map() overwrites a taken logical slot instead of
disabling the map: of vCPUs sharing a logical ID only the last one gets
interrupts to it.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_logical_map \
		'if (!is_power_of_2(mask) || cluster[ldr])' \
		'if (!is_power_of_2(mask))'
}
