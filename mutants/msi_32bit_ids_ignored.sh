# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='MSI address_hi ignored with 32-bit IDs'
area='MSI (32-bit IDs)'
needs=''
history='planted'
description='kvm_set_msi_irq() decodes every MSI destination as 8-bit: with
KVM_X2APIC_API_USE_32BIT_IDS an MSI to x2APIC ID 300 goes to 300 & 0xff.'
mutate() {
	edit arch/x86/kvm/irq_comm.c kvm_set_msi_irq \
		'irq->dest_id = x86_msi_msg_get_destid(&msg, kvm->arch.x2apic_format);' \
		'irq->dest_id = x86_msi_msg_get_destid(&msg, false);'
}
