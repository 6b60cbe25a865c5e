# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='an xAPIC-mode vCPU above 255 is not reachable by its x2APIC ID'
area='physical (32-bit IDs, hotplug hack)'
needs=''
history='reintroduces what 5bd5db385b3e "KVM: x86: allow hotplug of VCPU with APIC ID over 0xff" (v4.8) fixed'
description='Neither kvm_apic_match_physical_addr() nor the 32-bit-ID map accepts a
destination above 0xff for a vCPU still in xAPIC mode: with
KVM_X2APIC_API_USE_32BIT_IDS an MSI or x2APIC IPI to vCPU 300 in xAPIC
mode is lost.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_physical_addr \
		'if (apic_x2apic_mode(apic) || mda > 0xff)' \
		'if (apic_x2apic_mode(apic))'
	edit arch/x86/kvm/lapic.c kvm_recalculate_phys_map \
		'if (apic_x2apic_mode(apic) || x2apic_id > 0xff)' \
		'if (apic_x2apic_mode(apic))'
}
