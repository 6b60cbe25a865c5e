# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='an NMI IPI is delivered as fixed vector'
area='ICR (NMI)'
needs=''
history='planted'
description='kvm_apic_send_ipi() masks the delivery mode with 0x300: NMI (0x400)
becomes fixed, with the vector field (0) as vector, which no APIC
accepts.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_send_ipi \
		'irq.delivery_mode = icr_low & APIC_MODE_MASK;' \
		'irq.delivery_mode = icr_low & 0x300;'
}
