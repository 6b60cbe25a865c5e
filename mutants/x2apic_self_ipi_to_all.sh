# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='the x2APIC SELF IPI register sends to all including self'
area='shorthands (x2APIC SELF IPI)'
needs=''
history='planted'
description='kvm_lapic_reg_write(APIC_SELF_IPI): the write is sent with the all-
including-self shorthand instead of self: every vCPU takes it.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_lapic_reg_write \
		'kvm_apic_send_ipi(apic, APIC_DEST_SELF | val, 0);' \
		'kvm_apic_send_ipi(apic, APIC_DEST_ALLINC | val, 0);'
}
