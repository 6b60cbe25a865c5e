# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='lowest priority through the map reaches every candidate'
area='lowest priority (optimized map)'
needs=''
history='planted'
description='kvm_apic_map_get_dest_lapic() returns the whole logical bitmap for
lowest-priority interrupts: each candidate accepts, not exactly one.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_map_get_dest_lapic \
		'if (!kvm_lowest_prio_delivery(irq))' \
		'if (1)'
}
