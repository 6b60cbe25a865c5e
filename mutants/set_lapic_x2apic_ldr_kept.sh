# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='KVM_SET_LAPIC in x2APIC mode keeps userspace'\''s LDR'
area='LDR (KVM_SET_LAPIC, x2APIC)'
needs=''
history='planted'
description='kvm_apic_state_fixup() does not recompute the x2APIC LDR from the ID on
KVM_SET_LAPIC: a host-set LDR other than the derived one is kept (the
guest reads it, the loop matches against it).'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_state_fixup \
		'*ldr = kvm_apic_calc_x2apic_ldr(x2apic_id);' \
		'(void)ldr;'
}
