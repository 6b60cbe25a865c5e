# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='lowest priority on the per-vCPU loop reaches every candidate'
area='lowest priority (per-vCPU loop)'
needs=''
history='planted'
description='kvm_irq_delivery_to_apic() delivers a lowest-priority interrupt to every
matching vCPU, as fixed.'
mutate() {
	edit arch/x86/kvm/irq_comm.c kvm_irq_delivery_to_apic \
		'if (!kvm_lowest_prio_delivery(irq)) {' \
		'if (1) {'
}
