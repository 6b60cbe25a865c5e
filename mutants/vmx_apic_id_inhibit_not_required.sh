# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='VMX does not require the APIC_ID_MODIFIED inhibit'
area='inhibit (VMX required set)'
needs='apicv'
history='planted'
description='VMX_REQUIRED_APICV_INHIBITS lacks APIC_ID_MODIFIED: on kvm_intel a
modified xAPIC ID leaves APICv (and IPI virtualization, which routes by
vCPU ID) on.'
mutate() {
	delete_line arch/x86/kvm/vmx/main.c '' \
		'BIT(APICV_INHIBIT_REASON_APIC_ID_MODIFIED) |'
}
