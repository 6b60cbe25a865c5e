// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known deviations of KVM from the architecture, with their conditions.
 */
#include <string.h>

#include "kvm_deviations.h"
#include "kvm_host.h"
#include "kvm_routing.h"

static bool hw_enabled(const struct apic_model_cpu *c)
{
	return c->mode == APIC_MODE_XAPIC || c->mode == APIC_MODE_X2APIC;
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
	if (!kvm_has_apic_map(cpus, nr_cpus, irq->x2apic_api))
		return false;
	map = kvm_logical_map(cpus, nr_cpus);
	if (map == KVM_LOGICAL_MAP_DISABLED || kvm_is_broadcast(cpus, irq, map))
		return false;
	/* The x2APIC map reaches x2APIC targets through the physical map. */
	if (map == KVM_LOGICAL_MAP_X2APIC)
		return false;
	return map == KVM_LOGICAL_MAP_SW_DISABLED || t->mode == APIC_MODE_XAPIC;
}

bool kvm_lowest_priority_shorthand_becomes_fixed(const struct apic_model_irq *irq)
{
	return irq->delivery_mode == APIC_DELIVERY_LOWEST && irq->sender >= 0 &&
	       irq->shorthand != APIC_SHORTHAND_NONE && !irq->logical &&
	       (irq->dest & 0xff) == XAPIC_BROADCAST;
}

bool kvm_pv_ipi_without_map(const struct apic_model_cpu *cpus, unsigned int nr_cpus,
			    const struct apic_model_irq *irq)
{
	return irq->door == APIC_DOOR_PV_IPI &&
	       !kvm_has_apic_map(cpus, nr_cpus, irq->x2apic_api);
}

/*
 * The per-vCPU loop routes it and no present APIC matches the
 * destination: routed as an NMI, which every matching APIC would take,
 * the model finds nobody.
 */
bool kvm_msi_to_nobody_fails(const struct apic_model_cpu *cpus, unsigned int nr_cpus,
			     const struct apic_model_irq *irq)
{
	struct apic_model_irq nmi = *irq;
	struct apic_model_result res;

	if (kvm_route_path(cpus, nr_cpus, irq) != KVM_PATH_LOOP)
		return false;
	nmi.delivery_mode = APIC_DELIVERY_NMI;
	apic_model_route(cpus, nr_cpus, &nmi, &res);
	return res.basis != APIC_MODEL_INVALID && !res.nr_accept;
}

/* IDs @c matches an interrupt on, shared with another enabled APIC? */
static bool shares_physical_id(const struct apic_model_cpu *cpus, unsigned int nr,
			       unsigned int target)
{
	for (unsigned int i = 0; i < nr; i++)
		if (i != target && hw_enabled(&cpus[i]) && cpus[i].id == cpus[target].id)
			return true;
	return false;
}

/*
 * An APIC's logical ID as KVM's map files it: a cluster and a member
 * bitmap (flat mode: one cluster of eight members).
 */
static void logical_slot(const struct apic_model_cpu *c, uint32_t *cluster, uint32_t *members)
{
	if (c->mode == APIC_MODE_X2APIC) {
		*cluster = c->ldr >> 16;
		*members = c->ldr & 0xffff;
	} else if (c->dfr == APIC_DFR_FLAT) {
		*cluster = 0;
		*members = c->ldr >> 24;
	} else {
		*cluster = c->ldr >> 28;
		*members = (c->ldr >> 24) & 0xf;
	}
}

/*
 * Does @target share a logical map slot with another enabled APIC, or
 * claim several (a multi-bit member bitmap)?  KVM before 6.3 filed each
 * APIC at its lowest member bit of its cluster, the last one winning.
 */
static bool shares_logical_id(const struct apic_model_cpu *cpus, unsigned int nr,
			      unsigned int target)
{
	const struct apic_model_cpu *t = &cpus[target];
	uint32_t cluster, members;

	logical_slot(t, &cluster, &members);
	if (members & (members - 1))
		return true;
	for (unsigned int i = 0; i < nr; i++) {
		const struct apic_model_cpu *c = &cpus[i];
		uint32_t c_cluster, c_members;

		if (i == target || !hw_enabled(c) || !c->sw_enabled || c->mode != t->mode)
			continue;
		logical_slot(c, &c_cluster, &c_members);
		if (c_cluster == cluster && (c_members & members))
			return true;
	}
	return false;
}

bool kvm_aliased_id_may_lose(const struct apic_model_cpu *cpus, unsigned int nr_cpus,
			     const struct apic_model_irq *irq, unsigned int target)
{
	if (irq->shorthand != APIC_SHORTHAND_NONE || !hw_enabled(&cpus[target]))
		return false;
	return irq->logical ? shares_logical_id(cpus, nr_cpus, target) :
			      shares_physical_id(cpus, nr_cpus, target);
}

/* What each deviation is, and where it is expected: backend, kernels, host CPU. */
struct deviation_condition {
	const char *what;
	const char *backend;	/* NULL: any */
	unsigned int from_major, from_minor, to_major, to_minor;
	const char *cpu_model;	/* in the host CPU's model name; NULL: any */
	const char *bios_vendor;	/* the host firmware's vendor; NULL: any */
};

static const struct deviation_condition deviations[NR_KVM_DEVIATIONS] = {
	[KVM_DEV_LOGICAL_NMI_SW_DISABLED] = {
		.what = "KVM's optimized logical map leaves software-disabled APICs out: a logical NMI to one is lost (lapic.c kvm_recalculate_logical_map)",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 18,
	},
	[KVM_DEV_LOWEST_SHORTHAND_DEST] = {
		.what = "KVM reads the destination field of a lowest-priority shorthand IPI: with 0xff there it delivers it to every target, as fixed (kvm_irq_delivery_to_apic)",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 18,
	},
	[KVM_DEV_ALIASED_IDS_BEFORE_6_3] = {
		.what = "KVM before 6.3 kept one APIC per aliased physical or logical ID in its optimized maps: interrupts to aliased IDs or multi-bit LDRs reach some of those APICs or none",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 2,
	},
	[KVM_DEV_SVM_TPR_SUBCLASS] = {
		.what = "KVM on SVM copies V_TPR into the TPR at every exit: TPR[3:0] is lost (svm.c sync_cr8_to_lapic)",
		.backend = "kvm_amd",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 12,
	},
	[KVM_DEV_PVM_LATE_INTERRUPT] = {
		.what = "kvm_pvm takes a pending interrupt late: not right after STI and the instruction after it",
		.backend = "kvm_pvm",
		.from_major = 6, .from_minor = 18, .to_major = 6, .to_minor = 18,
	},
	[KVM_DEV_TCG_SVM_DOUBLE_INJECTION] = {
		.what = "kvm_amd on QEMU TCG's SVM emulation: a vCPU now and then takes an interrupt twice, or a copy of one delivered to another vCPU, or loses a TSC-deadline interrupt: QEMU's (the same kvm_amd on Bochs' SVM never doubles one)",
		.backend = "kvm_amd",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 12,
		.cpu_model = "QEMU TCG",
	},
	[KVM_DEV_PV_IPI_NEEDS_MAP] = {
		.what = "KVM_HC_SEND_IPI looks its targets up only in KVM's optimized map: without one (two vCPUs share a physical APIC ID) it delivers to nobody and returns -EOPNOTSUPP (lapic.c kvm_pv_send_ipi)",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 18,
	},
	[KVM_DEV_NOBODY_COUNTS_AS_DELIVERED] = {
		.what = "without its optimized map KVM answers -1 for an interrupt nobody matched, and the IOAPIC takes that as delivered: a level-triggered entry to an absent APIC ID gets Remote IRR set, and the line stays blocked (ioapic.c ioapic_service)",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 18,
	},
	[KVM_DEV_SET_LAPIC_TRUNCATES_X2APIC_ID] = {
		.what = "KVM_SET_LAPIC without 32-bit x2APIC IDs takes the x2APIC ID from the state, shifted right by 24: an ID above 255 becomes its low 8 bits (lapic.c kvm_apic_state_fixup; KVM ignores the ID from 6.10)",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 9,
	},
	[KVM_DEV_X2APIC_TO_XAPIC_KEEPS_ID] = {
		.what = "KVM before 6.3 keeps the x2APIC-format ID when userspace forces x2APIC -> xAPIC: the xAPIC ID reads the x2APIC ID's bits 31:24 (lapic.c kvm_lapic_set_base; fixed by 052c3b99cbc8)",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 2,
	},
	[KVM_DEV_BOCHS_VMX_STI_SHADOW] = {
		.what = "kvm_intel on Bochs' VMX emulation: Bochs reports an interrupt-window exit inside STI's interrupt shadow, so KVM injects an interrupt between STI and HLT and the HLT then waits for nothing: Bochs' (SDM vol. 3C 'Interrupt-Window Exiting and Virtual-Interrupt Delivery')",
		.backend = "kvm_intel",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 18,
		.bios_vendor = "The Bochs Project",
	},
	[KVM_DEV_MSI_TO_NOBODY_FAILS] = {
		.what = "KVM_SIGNAL_MSI to a destination no APIC has returns -1 (EPERM) where KVM's per-vCPU loop routes it, 0 through its optimized map (irq.c kvm_irq_delivery_to_apic)",
		.from_major = 6, .from_minor = 1, .to_major = 6, .to_minor = 18,
	},
};

bool kvm_deviation_expected(enum kvm_deviation d)
{
	unsigned int major, minor, v;

	if (d >= NR_KVM_DEVIATIONS || !host_kernel_version(&major, &minor))
		return false;
	if (deviations[d].backend && strcmp(deviations[d].backend, kvm_backend()))
		return false;
	if (deviations[d].cpu_model && !strstr(host_cpu_model(), deviations[d].cpu_model))
		return false;
	if (deviations[d].bios_vendor && strcmp(host_bios_vendor(), deviations[d].bios_vendor))
		return false;
	v = major * 1000 + minor;
	return v >= deviations[d].from_major * 1000 + deviations[d].from_minor &&
	       v <= deviations[d].to_major * 1000 + deviations[d].to_minor;
}

const char *kvm_deviation_what(enum kvm_deviation d)
{
	return d < NR_KVM_DEVIATIONS ? deviations[d].what : "?";
}
