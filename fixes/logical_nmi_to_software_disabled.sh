# SPDX-License-Identifier: GPL-2.0-only
# A proposed fix for a KVM deviation (docs/reports/), in the planted-edit
# format of mutants/*.sh (program: the check scripts/kvm-fix.sh runs).
title='logical NMI, SMI, INIT and SIPI take the per-vCPU loop, not the logical map'
area='logical (optimized map, software-disabled)'
needs=''
history='proposed fix (docs/reports/logical-nmi-to-software-disabled.md)'
program='x86_64/ipi_delivery_test -r routing.map.logical_nmi_to_software_disabled -r routing.map_off.logical_nmi_to_software_disabled'
description='kvm_apic_map_get_dest_lapic(): the optimized logical map files only
software-enabled APICs (kvm_recalculate_logical_map()), which is right for
fixed and lowest-priority interrupts, which a software-disabled APIC does
not take, and wrong for NMI, SMI, INIT and SIPI, which it does (SDM vol. 3A
"Local APIC State After It Has Been Software Disabled").  A logical
interrupt of any other mode than fixed or lowest priority now gives the map
up (returns false): kvm_irq_delivery_to_apic() routes it through its
per-vCPU loop, whose kvm_apic_match_dest() matches software-disabled APICs
too.  Physical destinations keep the map, whose physical part holds every
APIC.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_map_get_dest_lapic \
		'if (!kvm_apic_map_get_logical_dest(map, irq->dest_id, dst,' \
		'if ((irq->delivery_mode != APIC_DM_FIXED &&
	     irq->delivery_mode != APIC_DM_LOWEST) ||
	    !kvm_apic_map_get_logical_dest(map, irq->dest_id, dst,'
}
