# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='MSI destination mode bit inverted'
area='MSI'
needs=''
history='planted'
description='kvm_set_msi_irq() reads address bit 2 the wrong way round: physical MSIs
are routed as logical and logical as physical.'
mutate() {
	edit arch/x86/kvm/irq_comm.c kvm_set_msi_irq \
		'kvm_lapic_irq_dest_mode(msg.arch_addr_lo.dest_mode_logical);' \
		'kvm_lapic_irq_dest_mode(!msg.arch_addr_lo.dest_mode_logical);'
}
