# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='the ICR destination mode bit is ignored (always physical)'
area='ICR'
needs=''
history='planted'
description='kvm_apic_send_ipi() sends every IPI in physical mode: a logical IPI goes
to the physical ID equal to its bitmap.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_send_ipi \
		'irq.dest_mode = icr_low & APIC_DEST_MASK;' \
		'irq.dest_mode = APIC_DEST_PHYSICAL;'
}
