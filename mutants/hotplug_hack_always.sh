# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='per-vCPU loop also matches a moved xAPIC ID'\''s old vCPU ID'
area='physical (per-vCPU loop)'
needs=''
history='planted'
description='kvm_apic_match_physical_addr() accepts an 8-bit destination equal to
either the xAPIC ID or the vCPU ID: a vCPU whose xAPIC ID was changed
still takes interrupts sent to its vCPU ID (the spurious match the
hotplug hack'\''s comment warns of), on the loop only.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_physical_addr \
		'return mda == kvm_xapic_id(apic);' \
		'return mda == kvm_xapic_id(apic) || mda == kvm_x2apic_id(apic);'
}
