# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='vCPU IDs above 255 count as modified xAPIC IDs'
area='inhibit (APIC_ID_MODIFIED)'
needs='apicv'
history='reintroduces what f651a0089548 "KVM: x86: Don'\''t inhibit APICv/AVIC if xAPIC ID mismatch is due to 32-bit ID" (v6.3) fixed'
description='kvm_recalculate_phys_map() compares the xAPIC ID with the untruncated
vCPU ID: every xAPIC-mode vCPU at ID 256 or above sets APIC_ID_MODIFIED.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_phys_map \
		'xapic_id != (u8)vcpu->vcpu_id' \
		'xapic_id != vcpu->vcpu_id'
}
