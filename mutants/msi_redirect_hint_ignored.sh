# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='MSI redirection hint ignored'
area='MSI (redirection hint)'
needs=''
history='planted'
description='kvm_set_msi_irq() drops the redirection hint (address bit 3): a fixed
logical MSI with RH=1 reaches every vCPU it names instead of one (lowest
priority among them, KVM'\''s kvm_lowest_prio_delivery()).'
mutate() {
	edit arch/x86/kvm/irq_comm.c kvm_set_msi_irq \
		'irq->msi_redir_hint = msg.arch_addr_lo.redirect_hint;' \
		'irq->msi_redir_hint = false;'
}
