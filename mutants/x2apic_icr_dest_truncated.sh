# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='x2APIC ICR destination truncated to 8 bits'
area='ICR (x2APIC, 32-bit IDs)'
needs=''
history='planted'
description='kvm_apic_send_ipi(), x2APIC: the destination is ICR[39:32] instead of
ICR[63:32]: IPIs to x2APIC IDs above 255 go to ID & 0xff, 0xffffffff
becomes 0xff.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_send_ipi \
		'irq.dest_id = icr_high;' \
		'irq.dest_id = icr_high & 0xff;'
}
