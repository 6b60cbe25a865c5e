# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='re-enabling a disabled APIC keeps its old xAPIC ID'
area='APIC ID (APIC_BASE enable)'
needs=''
history='reintroduces what 49bd29ba1dbd "KVM: x86: reset APIC ID when enabling LAPIC" fixed'
description='__kvm_apic_set_base() does not reset the xAPIC ID to the vCPU ID when
APIC_BASE.EN goes from 0 to 1: a guest-modified ID survives a
disable/enable cycle.'
mutate() {
	edit_after arch/x86/kvm/lapic.c __kvm_apic_set_base \
		'if (value & MSR_IA32_APICBASE_ENABLE) {' \
		'kvm_apic_set_xapic_id(apic, vcpu->vcpu_id);' \
		'/* planted: the xAPIC ID is kept */'
}
