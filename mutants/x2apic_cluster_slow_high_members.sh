# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='x2APIC cluster: the per-vCPU loop ignores members 8-15'
area='x2APIC cluster (per-vCPU loop)'
needs=''
history='planted'
description='kvm_apic_match_logical_addr(), x2APIC: the member bitmap is masked with
0xff, so members 8-15 of a cluster (x2APIC IDs with bit 3 set) miss
logical interrupts on the loop.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_logical_addr \
		'(logical_id & mda & 0xffff) != 0;' \
		'(logical_id & mda & 0xff) != 0;'
}
