# SPDX-License-Identifier: GPL-2.0-only
# A proposed fix for a KVM deviation (docs/reports/), in the planted-edit
# format of mutants/*.sh (program: the check scripts/kvm-fix.sh runs).
title='SVM copies V_TPR into the TPR only when the guest changed it'
area='TPR (SVM without AVIC)'
needs=''
history='proposed fix (docs/reports/svm-tpr-subclass.md)'
program='x86_64/ipi_delivery_test -r global.tpr_keeps_its_subclass'
description='sync_cr8_to_lapic(): after every exit with CR8 writes not intercepted,
KVM wrote V_TPR (TPR[7:4] only) back into the TPR, clearing TPR[3:0] that
the guest wrote through the xAPIC page.  It now writes it back only when
V_TPR differs from the class KVM loaded into it before VMRUN
(kvm_get_cr8()), i.e. when the guest wrote CR8, which sets TPR[7:4] and
clears TPR[3:0] (SDM vol. 3A "Task Priority Register (TPR)").  A guest
MOV to CR8 of the class already there leaves TPR[3:0] as it was.'
mutate() {
	edit arch/x86/kvm/svm/svm.c sync_cr8_to_lapic \
		'kvm_set_cr8(vcpu, cr8);' \
		'if (cr8 != kvm_get_cr8(vcpu))
			kvm_set_cr8(vcpu, cr8);'
}
