# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='aliased xAPIC IDs: the optimized map keeps the first vCPU'
area='physical (optimized map, aliasing)'
needs=''
history='reintroduces what 5b84b0291702 "KVM: x86: Honor architectural behavior for aliased 8-bit APIC IDs" (v6.3) fixed'
description='kvm_recalculate_phys_map() applies the 32-bit-ID "hotplug hack" to every
VM: of vCPUs sharing an xAPIC ID (a guest-written ID, or vCPU IDs equal
mod 256) only the first is in the map, the map stays in use, and a
physical interrupt to that ID reaches one of them instead of all.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_recalculate_phys_map \
		'if (vcpu->kvm->arch.x2apic_format) {' \
		'if (1) {'
}
