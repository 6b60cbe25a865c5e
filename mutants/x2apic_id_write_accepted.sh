# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='WRMSR to the x2APIC ID register is accepted'
area='APIC ID (x2APIC, read-only)'
needs=''
history='planted'
description='kvm_lapic_reg_write(APIC_ID) in x2APIC mode stores the written value in
xAPIC format instead of failing (#GP): the guest corrupts its read-only
x2APIC ID.'
mutate() {
	edit_after arch/x86/kvm/lapic.c kvm_lapic_reg_write \
		'case APIC_ID:' \
		'ret = 1;' \
		'kvm_apic_set_xapic_id(apic, val >> 24);'
}
