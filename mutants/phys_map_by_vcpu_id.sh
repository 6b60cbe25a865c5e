# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='optimized physical map filed by vCPU ID, not by xAPIC ID'
area='physical (optimized map)'
needs=''
history='planted'
description='kvm_recalculate_phys_map() files an xAPIC-mode vCPU under its vCPU ID
mod 256: an interrupt to a moved (permuted, guest- or host-written)
xAPIC ID reaches the vCPU whose vCPU ID it is.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_phys_map \
		'physical_id = xapic_id;' \
		'physical_id = (u8)vcpu->vcpu_id;'
}
