// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known deviations of KVM from the architecture, with their conditions.
 */
#include "kvm_deviations.h"
#include "kvm_host.h"

/* KVM's logical map modes (enum kvm_apic_logical_mode in lapic.h). */
enum kvm_logical_map {
	MAP_SW_DISABLED,	/* no software-enabled APIC with a logical ID */
	MAP_XAPIC_FLAT,
	MAP_XAPIC_CLUSTER,
	MAP_X2APIC,
	MAP_DISABLED,		/* KVM loops over all vCPUs instead */
};

static bool hw_enabled(const struct apic_model_cpu *c)
{
	return c->mode == APIC_MODE_XAPIC || c->mode == APIC_MODE_X2APIC;
}

/*
 * Without 32-bit IDs, two enabled APICs with one physical ID leave KVM
 * without an optimized map at all (kvm_recalculate_phys_map()).
 */
static bool kvm_has_map(const struct apic_model_cpu *cpus, unsigned int nr, bool ids32)
{
	if (ids32)
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

/* The mode KVM's logical map ends up in (kvm_recalculate_logical_map()). */
static enum kvm_logical_map kvm_logical_map(const struct apic_model_cpu *cpus, unsigned int nr)
{
	enum kvm_logical_map map = MAP_SW_DISABLED;
	uint8_t taken[16] = { 0 };

	for (unsigned int i = 0; i < nr; i++) {
		const struct apic_model_cpu *c = &cpus[i];
		enum kvm_logical_map mode;
		unsigned int cluster = 0, mask;

		if (!hw_enabled(c) || !c->sw_enabled || !c->ldr)
			continue;
		if (c->mode == APIC_MODE_X2APIC)
			mode = MAP_X2APIC;
		else
			mode = c->dfr == APIC_DFR_FLAT ? MAP_XAPIC_FLAT : MAP_XAPIC_CLUSTER;
		if (map == MAP_SW_DISABLED)
			map = mode;
		else if (map != mode)
			return MAP_DISABLED;
		if (mode == MAP_X2APIC)
			continue;

		mask = c->ldr >> 24;
		if (mode == MAP_XAPIC_CLUSTER) {
			cluster = mask >> 4;
			mask &= 0xf;
		}
		if (!mask)
			continue;
		if (mask & (mask - 1) || taken[cluster] & mask)
			return MAP_DISABLED;
		taken[cluster] |= mask;
	}
	return map;
}

/* kvm_apic_is_broadcast_dest(): broadcasts take KVM's per-vCPU loop. */
static bool kvm_broadcast(const struct apic_model_cpu *cpus, const struct apic_model_irq *irq,
			  enum kvm_logical_map map)
{
	bool quirk = !(irq->x2apic_api & KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK);

	if (!quirk)
		return irq->dest == X2APIC_BROADCAST ||
		       (irq->dest == XAPIC_BROADCAST && map != MAP_X2APIC);
	if (irq->sender >= 0 && cpus[irq->sender].mode == APIC_MODE_X2APIC)
		return irq->dest == X2APIC_BROADCAST;
	return irq->dest == XAPIC_BROADCAST;
}

bool kvm_drops_logical_nmi_to_sw_disabled(const struct apic_model_cpu *cpus,
					  unsigned int nr_cpus,
					  const struct apic_model_irq *irq,
					  unsigned int target)
{
	const struct apic_model_cpu *t = &cpus[target];
	enum kvm_logical_map map;

	if (irq->delivery_mode != APIC_DELIVERY_NMI || !irq->logical ||
	    irq->shorthand != APIC_SHORTHAND_NONE || !hw_enabled(t) || t->sw_enabled)
		return false;
	if (!kvm_has_map(cpus, nr_cpus, irq->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS))
		return false;
	map = kvm_logical_map(cpus, nr_cpus);
	if (map == MAP_DISABLED || kvm_broadcast(cpus, irq, map))
		return false;
	/* The x2APIC map reaches x2APIC targets through the physical map. */
	if (map == MAP_X2APIC)
		return false;
	return map == MAP_SW_DISABLED || t->mode == APIC_MODE_XAPIC;
}

bool kvm_lowest_priority_shorthand_becomes_fixed(const struct apic_model_irq *irq)
{
	return irq->delivery_mode == APIC_DELIVERY_LOWEST && irq->sender >= 0 &&
	       irq->shorthand != APIC_SHORTHAND_NONE && !irq->logical &&
	       (irq->dest & 0xff) == XAPIC_BROADCAST;
}

bool kvm_deviations_expected(void)
{
	unsigned int major, minor;

	return host_kernel_version(&major, &minor) && major == 6 && minor >= 12 && minor <= 18;
}
