# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='KVM_SET_LAPIC stores another x2APIC ID'
area='APIC ID (KVM_SET_LAPIC, x2APIC)'
needs=''
history='reintroduces what 4b7c3f6d04bd "KVM: x86: Make x2APIC ID 100% readonly" (v6.11) fixed'
description='kvm_apic_state_fixup() without KVM_X2APIC_API_USE_32BIT_IDS keeps the
x2APIC ID userspace gave instead of forcing the vCPU ID: the guest reads
a bogus x2APIC ID while KVM routes by the vCPU ID.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_state_fixup \
		'*id = x2apic_id;' \
		'(void)0;'
}
