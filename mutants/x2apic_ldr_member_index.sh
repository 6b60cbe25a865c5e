# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='x2APIC LDR holds the member index, not its bit'
area='x2APIC ID / LDR derivation'
needs=''
history='planted'
description='kvm_apic_calc_x2apic_ldr() returns (cluster << 16) | (id & 0xf) instead
of 1 << (id & 0xf): the guest reads a wrong LDR and the per-vCPU loop
matches logical interrupts against it.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_calc_x2apic_ldr \
		'return ((id >> 4) << 16) | (1 << (id & 0xf));' \
		'return ((id >> 4) << 16) | (id & 0xf);'
}
