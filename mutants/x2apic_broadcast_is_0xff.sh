# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='an x2APIC-mode APIC takes 0xff, not 0xffffffff, as broadcast'
area='broadcast (x2APIC)'
needs=''
history='planted'
description='kvm_apic_broadcast() uses the xAPIC broadcast for x2APIC-mode targets:
an x2APIC physical IPI to ID 0xff reaches everyone, one to 0xffffffff
only through the fast path'\''s own check.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_broadcast \
		'X2APIC_BROADCAST : APIC_BROADCAST);' \
		'APIC_BROADCAST : APIC_BROADCAST);'
}
