# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='a guest write to the DFR is ignored (always flat)'
area='logical cluster (DFR writes)'
needs=''
history='planted'
description='kvm_lapic_reg_write(APIC_DFR) stores 0xffffffff whatever the guest
wrote: a guest cannot select the cluster model (KVM_SET_LAPIC still
can).'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_lapic_reg_write \
		'kvm_apic_set_dfr(apic, val | 0x0FFFFFFF);' \
		'kvm_apic_set_dfr(apic, 0xFFFFFFFF);'
}
