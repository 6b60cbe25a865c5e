# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='off by one: the highest APIC ID is out of the map'
area='physical (optimized map, 32-bit IDs)'
needs=''
history='planted'
description='kvm_apic_map_get_dest_lapic() drops a physical destination equal to
max_apic_id (">=" for ">"): the vCPU with the largest x2APIC ID gets no
fixed or NMI physical interrupt through the map.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_map_get_dest_lapic \
		'if (irq->dest_id > map->max_apic_id) {' \
		'if (irq->dest_id >= map->max_apic_id) {'
}
