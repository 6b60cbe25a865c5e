# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='aliased logical IDs do not inhibit AVIC'
area='inhibit (LOGICAL_ID_ALIASED)'
needs='avic'
history='planted'
description='kvm_recalculate_apic_map() never sets
APICV_INHIBIT_REASON_LOGICAL_ID_ALIASED: AVIC stays on while its logical
ID table cannot hold the guest'\''s LDRs.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_apic_map \
		'kvm_set_apicv_inhibit(kvm, APICV_INHIBIT_REASON_LOGICAL_ID_ALIASED);' \
		'(void)0;'
}
