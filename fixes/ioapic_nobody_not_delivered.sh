# SPDX-License-Identifier: GPL-2.0-only
# A proposed fix for a KVM deviation (docs/reports/), in the planted-edit
# format of mutants/*.sh (program: the check scripts/kvm-fix.sh runs).
title='the IOAPIC sets Remote IRR only when a local APIC took the interrupt'
area='IOAPIC, level-triggered (per-vCPU loop)'
needs=''
history='proposed fix (docs/reports/nobody-counts-as-delivered.md)'
program='x86_64/ipi_delivery_test -r routing.map.ioapic_level_to_absent_destination -r routing.map_off.ioapic_level_to_absent_destination'
description='ioapic_service(): Remote IRR of a level-triggered entry was set for any
non-zero answer of kvm_irq_delivery_to_apic(), -1 included, which its
per-vCPU loop gives when no APIC matched the destination.  It is now set
only for a positive count (82093AA: Remote IRR is set when a local APIC
accepts the level interrupt, and cleared by its EOI; with no acceptor no
EOI comes and the line would stay blocked).'
mutate() {
	edit arch/x86/kvm/ioapic.c ioapic_service \
		'if (ret && irqe.trig_mode == IOAPIC_LEVEL_TRIG)' \
		'if (ret > 0 && irqe.trig_mode == IOAPIC_LEVEL_TRIG)'
}
