# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='aliased physical IDs do not inhibit APICv'
area='inhibit (PHYSICAL_ID_ALIASED)'
needs='apicv'
history='reintroduces what 5063c41bebac "KVM: x86: Inhibit APICv/AVIC if the optimized physical map is disabled" (v6.3) fixed'
description='kvm_recalculate_apic_map() never sets
APICV_INHIBIT_REASON_PHYSICAL_ID_ALIASED: APICv/AVIC stays on while the
optimized map is gone.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_apic_map \
		'kvm_set_apicv_inhibit(kvm, APICV_INHIBIT_REASON_PHYSICAL_ID_ALIASED);' \
		'(void)0;'
}
