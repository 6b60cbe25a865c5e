# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='INIT resets a guest-written xAPIC ID'
area='APIC ID (INIT)'
needs=''
history='planted'
description='kvm_lapic_reset() sets the xAPIC ID to the vCPU ID on INIT as well as at
RESET (SDM: INIT keeps the APIC ID).'
mutate() {
	edit_after arch/x86/kvm/lapic.c kvm_lapic_reset \
		'The xAPIC ID is set at RESET' \
		'if (!init_event)' \
		'if (1)'
}
