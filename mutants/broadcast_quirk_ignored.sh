# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='MSI to 0xff does not reach x2APIC-mode vCPUs with the quirk on'
area='broadcast (MSI quirk)'
needs=''
history='planted'
description='kvm_apic_mda() never turns a non-IPI 0xff into the x2APIC broadcast:
with KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK off (the default) an MSI to
0xff reaches xAPIC-mode vCPUs only (api.rst KVM_CAP_X2APIC_API).'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_mda \
		'if (!vcpu->kvm->arch.x2apic_broadcast_quirk_disabled &&' \
		'if (false &&'
}
