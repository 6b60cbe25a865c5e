# SPDX-License-Identifier: GPL-2.0-only
# Planted bug for scripts/kvm-mutants.sh (see docs/mutants.md).
title="flat logical match compares the LDR with == instead of &"
area="logical flat (slow path)"
needs=""
history="planted"
description="kvm_apic_match_logical_addr(), flat model: an APIC matches only a
destination equal to its logical ID, so a bitmap naming several vCPUs
reaches none of them on KVM's per-vCPU path (aliased or multi-bit LDRs,
mixed models, the optimized map off)."
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_logical_addr \
		'return (logical_id & mda) != 0;' 'return logical_id == mda;'
}
