/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reference model of local APIC interrupt routing (host side only).
 *
 * Given the APIC state of every vCPU and one interrupt (an IPI from one of
 * them, or an MSI from the host), the model says which vCPUs must accept
 * it, and where that expectation comes from: a section of the Intel SDM
 * vol. 3A / AMD APM vol. 2, or, where the architecture leaves the case
 * undefined, KVM's documented choice, labelled as such.
 *
 * The model is written from the architecture, not from KVM's code: it is
 * what the IPI conformance tests hold KVM to.
 */
#ifndef SELFTEST_KVM_APIC_MODEL_H
#define SELFTEST_KVM_APIC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "apic.h"

#define APIC_MODEL_MAX_CPUS	1024

/* irq.sender for an MSI injected by the host (KVM_SIGNAL_MSI). */
#define APIC_MODEL_FROM_MSI	(-1)

/* One vCPU's local APIC as the model sees it. */
struct apic_model_cpu {
	enum apic_mode mode;	/* DISABLED or INVALID: accepts nothing */
	bool sw_enabled;	/* SPIV[8], APIC software enable */
	uint32_t id;		/* xAPIC: 8-bit APIC ID; x2APIC: 32-bit x2APIC ID */
	uint32_t ldr;		/* LDR register value (xAPIC: logical ID in 31:24) */
	uint32_t dfr;		/* DFR register value (xAPIC only; model in 31:28) */
	uint8_t tpr;		/* TPR register value */
	/*
	 * The vCPU ID, which KVM also keeps as the APIC's x2APIC ID while it is
	 * in xAPIC mode: KVM matches a physical destination above 0xff against
	 * it (its "hotplug hack", x86/errata.rst).  0 if unknown: never matches.
	 */
	uint32_t vcpu_id;
	/*
	 * The Hyper-V virtual processor index (HV_X64_MSR_VP_INDEX), which
	 * synthetic IPIs name; KVM's default is the vCPU's creation index.
	 */
	uint32_t vp_index;
};

/*
 * The door an interrupt comes through.  The default is the sender's ICR
 * (irq.sender a vCPU index) or an MSI the host signals (irq.sender
 * APIC_MODEL_FROM_MSI).
 */
enum apic_model_door {
	APIC_DOOR_DEFAULT,
	/*
	 * KVM's PV send-IPI hypercall from irq.sender: bit i of irq.bitmap
	 * names APIC ID irq.dest + i (hypercalls.rst, KVM_HC_SEND_IPI).
	 */
	APIC_DOOR_PV_IPI,
	/*
	 * Hyper-V HvCallSendSyntheticClusterIpi(Ex) from irq.sender: fixed
	 * vector to the VPs whose index is set in irq.bitmap (all of them with
	 * APIC_DOOR_HV_ALL in irq.door_flags).
	 */
	APIC_DOOR_HYPERV,
	/* An MSI through an irqfd bound to an MSI route: as APIC_MODEL_FROM_MSI. */
	APIC_DOOR_IRQFD,
	/* A redirection entry of the in-kernel IOAPIC (irq.masked: its mask bit). */
	APIC_DOOR_IOAPIC,
};

/* irq.door_flags for APIC_DOOR_HYPERV: how the hypercall is made. */
#define APIC_DOOR_HV_EX		0x1	/* HvCallSendSyntheticClusterIpiEx, a VP set */
#define APIC_DOOR_HV_FAST	0x2	/* input in registers, not in memory */
#define APIC_DOOR_HV_ALL	0x4	/* Ex: HV_GENERIC_SET_ALL */

/* One interrupt. */
struct apic_model_irq {
	uint8_t vector;
	uint8_t delivery_mode;	/* enum apic_delivery_mode: FIXED, LOWEST or NMI */
	uint8_t shorthand;	/* enum apic_shorthand (IPIs only) */
	bool logical;		/* destination mode */
	uint32_t dest;		/* as written: ICR destination field, or MSI destination */
	int sender;		/* index of the sending CPU, or APIC_MODEL_FROM_MSI */
	uint64_t x2apic_api;	/* KVM_CAP_X2APIC_API flags in effect (VM-wide: MSIs, IPIs) */
	/*
	 * KVM has no optimized APIC map for this VM (kvm_routing.h): its
	 * per-vCPU loop routes everything, and answers the setups where the
	 * map and the loop would disagree.
	 */
	bool kvm_map_off;
	uint8_t door;		/* enum apic_model_door */
	uint8_t door_flags;
	bool masked;		/* APIC_DOOR_IOAPIC: the entry is masked */
	/*
	 * An MSI's redirection hint (address bit 3): a fixed interrupt goes
	 * to one of the destinations, as with lowest priority.
	 */
	bool redirect_hint;
	uint64_t bitmap[2];	/* APIC_DOOR_PV_IPI, APIC_DOOR_HYPERV */
};

/* Why the model expects what it expects. */
enum apic_model_basis {
	APIC_MODEL_ARCHITECTURAL,	/* defined by the SDM/APM (the 82093AA for the IOAPIC) */
	/* defined by a documented interface: KVM's hypercalls, Hyper-V's TLFS */
	APIC_MODEL_DOCUMENTED_ABI,
	APIC_MODEL_KVM_CHOICE,		/* undefined by the architecture; KVM's documented choice */
	/*
	 * No expectation: an ICR combination or setup the SDM marks invalid or
	 * unsupported, or a case where KVM's answer is not fixed.
	 */
	APIC_MODEL_INVALID,
};

struct apic_model_result {
	/*
	 * CPUs that must accept; for lowest priority, the candidates.  With
	 * APIC_MODEL_INVALID: the CPUs the destination selects, for information.
	 */
	uint64_t accept[APIC_MODEL_MAX_CPUS / 64];
	unsigned int nr_accept;
	bool exactly_one;		/* lowest priority: exactly one candidate accepts */
	enum apic_model_basis basis;
	char source[192];		/* e.g. "SDM vol. 3A 11.6.2.2 Logical Destination Mode (flat model)" */
};

/*
 * Route @irq among @cpus[0..nr_cpus-1] (vCPU index order).  @irq->sender
 * indexes @cpus for IPIs.
 */
void apic_model_route(const struct apic_model_cpu *cpus, unsigned int nr_cpus,
		      const struct apic_model_irq *irq, struct apic_model_result *res);

static inline bool apic_model_accepts(const struct apic_model_result *res,
				      unsigned int cpu)
{
	return res->accept[cpu / 64] & (1ull << (cpu % 64));
}

/* "ARCHITECTURAL", "KVM'S CHOICE", "INVALID" for reports. */
const char *apic_model_basis_name(enum apic_model_basis basis);

/*
 * Describe @irq in one line for reports, e.g.
 * "fixed vector 0x41 logical dest 0x3 from vCPU index 2".
 */
const char *apic_model_irq_str(const struct apic_model_irq *irq, char *buf, size_t len);

#endif /* SELFTEST_KVM_APIC_MODEL_H */
