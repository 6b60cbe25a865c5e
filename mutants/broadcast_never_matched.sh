# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='physical broadcast matches no APIC (both modes)'
area='broadcast'
needs=''
history='planted'
description='kvm_apic_broadcast() is always false: a physical IPI or MSI to 0xff
(xAPIC) or 0xffffffff (x2APIC), which always takes the per-vCPU loop,
reaches only an APIC whose ID happens to be that value (the issue'\''s
probe bug).'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_broadcast \
		'return mda == (apic_x2apic_mode(apic) ?' \
		'return false && mda == (apic_x2apic_mode(apic) ?'
}
