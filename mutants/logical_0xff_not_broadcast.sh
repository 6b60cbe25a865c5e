# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='logical 0xff / 0xffffffff is not a broadcast on the per-vCPU loop'
area='broadcast (logical, per-vCPU loop)'
needs=''
history='planted'
description='kvm_apic_match_logical_addr() skips the broadcast check: flat 0xff
misses APICs with LDR 0, cluster 0xff reaches only cluster 15, x2APIC
0xffffffff only cluster 0xffff.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_logical_addr \
		'if (kvm_apic_broadcast(apic, mda))' \
		'if (0 && kvm_apic_broadcast(apic, mda))'
}
