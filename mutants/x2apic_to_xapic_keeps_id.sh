# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='host-forced x2APIC -> xAPIC keeps the x2APIC-format ID'
area='APIC ID (APIC_BASE x2APIC -> xAPIC)'
needs=''
history='reintroduces what 052c3b99cbc8 "KVM: x86: Reinitialize xAPIC ID when userspace forces x2APIC => xAPIC" (v6.3) fixed'
description='__kvm_apic_set_base() does not reinitialize the xAPIC ID when userspace
forces x2APIC -> xAPIC with KVM_SET_MSRS: the ID register keeps the
x2APIC value (xAPIC ID reads vcpu_id >> 24, not vcpu_id).'
mutate() {
	edit arch/x86/kvm/lapic.c __kvm_apic_set_base \
		'else if (value & MSR_IA32_APICBASE_ENABLE)' \
		'else if (0)'
}
