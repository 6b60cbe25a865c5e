# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='a software-disabled APIC refuses NMIs'
area='NMI, software-disabled APIC'
needs=''
history='planted'
description='__apic_accept_irq() drops an NMI to a software-disabled APIC (SDM: it
still accepts NMI, INIT, SIPI).'
mutate() {
	insert_after arch/x86/kvm/lapic.c __apic_accept_irq \
		'case APIC_DM_NMI:' \
		'		if (!kvm_apic_sw_enabled(apic))
			break;'
}
