# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='the xAPIC broadcast 0xff matches no APIC'
area='broadcast'
needs=''
history='planted'
description='kvm_apic_broadcast() takes 0x100 as the xAPIC broadcast: physical 0xff
reaches only an APIC with ID 0xff, logical 0xff only the LDRs it covers
(the issue'\''s probe bug).'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_broadcast \
		'X2APIC_BROADCAST : APIC_BROADCAST);' \
		'X2APIC_BROADCAST : 0x100);'
}
