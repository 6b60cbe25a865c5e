# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='APIC_ID_MODIFIED is never cleared'
area='inhibit (APIC_ID_MODIFIED)'
needs='apicv'
history='reintroduces what d471bd853d38 "KVM: x86: Allow APICv APIC ID inhibit to be cleared" (v6.3) fixed'
description='kvm_recalculate_apic_map() sets APICV_INHIBIT_REASON_APIC_ID_MODIFIED
but never clears it: APICv/AVIC stays off after the IDs are restored.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_apic_map \
		'kvm_clear_apicv_inhibit(kvm, APICV_INHIBIT_REASON_APIC_ID_MODIFIED);' \
		'(void)0;'
}
