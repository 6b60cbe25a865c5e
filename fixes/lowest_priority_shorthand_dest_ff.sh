# SPDX-License-Identifier: GPL-2.0-only
# A proposed fix for a KVM deviation (docs/reports/), in the planted-edit
# format of mutants/*.sh (program: the check scripts/kvm-fix.sh runs).
title='a shorthand IPI is not a physical broadcast, whatever its destination field'
area='shorthands, lowest priority (per-vCPU loop)'
needs=''
history='proposed fix (docs/reports/lowest-priority-shorthand-dest-ff.md)'
program='x86_64/ipi_delivery_test -r routing.map.shorthands_ignore_destination_field -r routing.map_off.shorthands_ignore_destination_field'
description='kvm_irq_delivery_to_apic(): the turn of a lowest-priority interrupt
to physical destination 0xff into a fixed one ("phys broadcast and lowest
prio") now applies only without a shorthand.  With a shorthand the ICR
destination field is not used (SDM vol. 3A "Interrupt Command Register
(ICR)"), so an all-excluding-self lowest-priority IPI stays lowest priority
(one target) whatever the field holds.'
mutate() {
	edit arch/x86/kvm/irq_comm.c kvm_irq_delivery_to_apic \
		'if (irq->dest_mode == APIC_DEST_PHYSICAL &&' \
		'if (irq->shorthand == APIC_DEST_NOSHORT &&
	    irq->dest_mode == APIC_DEST_PHYSICAL &&'
}
