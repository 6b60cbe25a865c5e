# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='the fast path does not see an x2APIC sender'\''s 0xffffffff as broadcast'
area='broadcast (x2APIC, optimized map)'
needs=''
history='planted'
description='kvm_apic_is_broadcast_dest() judges every IPI by the xAPIC broadcast: an
x2APIC sender'\''s 0xffffffff goes to the physical map, is beyond
max_apic_id and is dropped; 0xff from it takes the loop.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_is_broadcast_dest \
		'bool x2apic_ipi = src && *src && apic_x2apic_mode(*src);' \
		'bool x2apic_ipi = false;'
}
