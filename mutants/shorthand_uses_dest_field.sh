# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='shorthand IPIs are routed by their destination field'
area='shorthands (optimized map)'
needs=''
history='planted'
description='kvm_apic_map_get_dest_lapic() lets all-including/excluding-self IPIs
through the map: they go where the ICR'\''s destination field points, as if
there were no shorthand.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_map_get_dest_lapic \
		'} else if (irq->shorthand)' \
		'} else if (0)'
}
