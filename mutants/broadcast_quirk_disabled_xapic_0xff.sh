# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='quirk disabled: an MSI to 0xff in an xAPIC VM is not a broadcast'
area='broadcast (MSI quirk off)'
needs=''
history='planted'
description='kvm_apic_is_broadcast_dest(), quirk disabled: 0xff counts as broadcast
only when the logical map is in x2APIC mode (inverted test), so in a VM
of xAPIC-mode vCPUs an MSI to 0xff goes to the physical map slot 0xff
and is lost.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_is_broadcast_dest \
		'map->logical_mode != KVM_APIC_MODE_X2APIC))' \
		'map->logical_mode == KVM_APIC_MODE_X2APIC))'
}
