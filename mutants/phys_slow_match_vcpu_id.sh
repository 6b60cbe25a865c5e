# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='per-vCPU loop matches a physical destination against the vCPU ID'
area='physical (per-vCPU loop)'
needs=''
history='planted'
description='kvm_apic_match_physical_addr() compares an xAPIC-mode destination with
the vCPU ID mod 256 instead of the xAPIC ID register: right while APIC
ID = vCPU ID, wrong once a guest or the host moved the ID, on every
interrupt that takes the loop.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_physical_addr \
		'return mda == kvm_xapic_id(apic);' \
		'return mda == (u8)apic->vcpu->vcpu_id;'
}
