// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which of KVM's ways an interrupt takes (see kvm_routing.h).
 */
#include "kvm_host.h"
#include "kvm_routing.h"

static bool hw_enabled(const struct apic_model_cpu *c)
{
	return c->mode == APIC_MODE_XAPIC || c->mode == APIC_MODE_X2APIC;
}

/*
 * Without 32-bit IDs, two enabled APICs with one physical ID (the xAPIC
 * ID in xAPIC mode, the x2APIC ID in x2APIC mode) leave KVM without an
 * optimized map at all (kvm_recalculate_phys_map(), 6.3 and later).
 */
bool kvm_has_apic_map(const struct apic_model_cpu *cpus, unsigned int nr,
		      uint64_t x2apic_api)
{
	if ((x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS) || !host_kernel_at_least(6, 3))
		return true;
	for (unsigned int i = 0; i < nr; i++) {
		for (unsigned int j = i + 1; j < nr; j++) {
			if (!hw_enabled(&cpus[i]) || !hw_enabled(&cpus[j]))
				continue;
			if (cpus[i].id == cpus[j].id)
				return false;
		}
	}
	return true;
}

static enum kvm_logical_map logical_mode_of(const struct apic_model_cpu *c)
{
	if (c->mode == APIC_MODE_X2APIC)
		return KVM_LOGICAL_MAP_X2APIC;
	return c->dfr == APIC_DFR_FLAT ? KVM_LOGICAL_MAP_FLAT : KVM_LOGICAL_MAP_CLUSTER;
}

/*
 * kvm_recalculate_logical_map(): software-enabled APICs with a logical ID
 * decide; before 6.3 aliased and multi-bit logical IDs did not disable it.
 */
enum kvm_logical_map kvm_logical_map(const struct apic_model_cpu *cpus, unsigned int nr)
{
	bool falls_back = host_kernel_at_least(6, 3);
	enum kvm_logical_map map = KVM_LOGICAL_MAP_SW_DISABLED;
	uint8_t taken[16] = { 0 };

	for (unsigned int i = 0; i < nr; i++) {
		const struct apic_model_cpu *c = &cpus[i];
		enum kvm_logical_map mode;
		unsigned int cluster = 0, mask;

		if (!hw_enabled(c) || !c->sw_enabled || !c->ldr)
			continue;
		mode = logical_mode_of(c);
		if (map == KVM_LOGICAL_MAP_SW_DISABLED)
			map = mode;
		else if (map != mode)
			return KVM_LOGICAL_MAP_DISABLED;
		if (mode == KVM_LOGICAL_MAP_X2APIC)
			continue;

		mask = c->ldr >> 24;
		if (mode == KVM_LOGICAL_MAP_CLUSTER) {
			cluster = mask >> 4;
			mask &= 0xf;
		}
		if (!mask)
			continue;
		if (falls_back && (mask & (mask - 1) || taken[cluster] & mask))
			return KVM_LOGICAL_MAP_DISABLED;
		taken[cluster] |= mask;
	}
	return map;
}

bool kvm_is_broadcast(const struct apic_model_cpu *cpus, const struct apic_model_irq *irq,
		      enum kvm_logical_map map)
{
	bool quirk = !(irq->x2apic_api & KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK);

	if (!quirk)
		return irq->dest == X2APIC_BROADCAST ||
		       (irq->dest == XAPIC_BROADCAST && map != KVM_LOGICAL_MAP_X2APIC);
	if (irq->sender >= 0 && cpus[irq->sender].mode == APIC_MODE_X2APIC)
		return irq->dest == X2APIC_BROADCAST;
	return irq->dest == XAPIC_BROADCAST;
}

/*
 * kvm_irq_delivery_to_apic_fast() takes the self shorthand and unicast
 * destinations through the map; everything else, and everything when
 * there is no map or (for logical destinations) no logical map, goes to
 * kvm_irq_delivery_to_apic()'s loop.
 */
enum kvm_route_path kvm_route_path(const struct apic_model_cpu *cpus, unsigned int nr,
				   const struct apic_model_irq *irq)
{
	enum kvm_logical_map map;

	if (irq->shorthand == APIC_SHORTHAND_SELF)
		return KVM_PATH_MAP;
	if (irq->shorthand != APIC_SHORTHAND_NONE || !kvm_has_apic_map(cpus, nr, irq->x2apic_api))
		return KVM_PATH_LOOP;
	map = kvm_logical_map(cpus, nr);
	if (kvm_is_broadcast(cpus, irq, map))
		return KVM_PATH_LOOP;
	if (irq->logical && map == KVM_LOGICAL_MAP_DISABLED)
		return KVM_PATH_LOOP;
	return KVM_PATH_MAP;
}

const char *kvm_route_path_name(enum kvm_route_path path)
{
	return path == KVM_PATH_LOOP ? "per-vCPU loop" : "optimized map";
}
