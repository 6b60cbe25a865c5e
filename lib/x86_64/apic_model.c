// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reference model of local APIC interrupt routing (see apic_model.h).
 *
 * For one interrupt the model asks every APIC two questions: does the
 * destination select it, and may it take this delivery mode in its current
 * state?  The answer carries a label:
 *
 *   ARCHITECTURAL  defined by the Intel SDM vol. 3A, chapter "Advanced
 *                  Programmable Interrupt Controller (APIC)";
 *   KVM'S CHOICE   a setup the architecture leaves undefined (aliased IDs,
 *                  logical IDs with several bits, DFRs that differ, xAPIC
 *                  and x2APIC mixed, MSIs to x2APIC targets, 32-bit MSI
 *                  destinations, lowest-priority IPIs), answered the way
 *                  KVM documents (api.rst KVM_CAP_X2APIC_API,
 *                  x86/errata.rst) or deliberately behaves (the comment
 *                  above kvm_apic_mda() in arch/x86/kvm/lapic.c);
 *   INVALID        no expectation: ICR combinations the SDM marks invalid
 *                  or not supported, setups software must not create, and
 *                  the few mixed setups where KVM's optimized routing and
 *                  its per-vCPU loop give different answers.
 *
 * Sections are cited by title; their numbers moved between SDM editions.
 *
 * The rules, and where each comes from:
 *
 * Acceptance.  A hardware-disabled APIC (IA32_APIC_BASE[11] = 0) accepts
 * nothing ("Enabling or Disabling the Local APIC": the processor behaves as
 * one without an APIC).  A software-disabled APIC (SPIV[8] = 0) still takes
 * NMI, SMI, INIT and SIPI but no fixed or lowest-priority interrupt ("Local
 * APIC State After It Has Been Software Disabled").  A software-disabled
 * APIC can still send IPIs (same section).
 *
 * Physical destinations ("Physical Destination Mode"): xAPIC, the 8-bit
 * destination is compared with the APIC ID, FFH is a broadcast; x2APIC
 * ("ICR Operation in x2APIC Mode"), 32 bits compared with the x2APIC ID,
 * FFFF_FFFFH is a broadcast.  A destination nobody has reaches nobody.
 * APIC IDs are unique in the architecture ("Local APIC ID"); when two
 * APICs share one, KVM delivers to every one of them, or, with
 * KVM_X2APIC_API_USE_32BIT_IDS, only to the first vCPU (x86/errata.rst; the
 * document says "lowest vCPU ID", KVM's code takes the first vCPU in
 * creation order, which is what the model does: index order).
 *
 * Logical destinations ("Logical Destination Mode"): flat model (DFR
 * 1111B), accepted where the MDA AND the 8-bit logical APIC ID is non-zero,
 * all 1s a broadcast; cluster model (DFR 0000B), MDA[7:4] must equal the
 * cluster LDR[31:28] and MDA[3:0] AND LDR[27:24] be non-zero, all 1s a
 * broadcast.  x2APIC ("Logical Destination Mode in x2APIC Mode"): dest[31:16]
 * must equal LDR[31:16] and dest[15:0] AND LDR[15:0] be non-zero; the LDR
 * is derived from the x2APIC ID ("Deriving Logical x2APIC ID from the
 * Local x2APIC ID").  An empty bitmap reaches nobody.  Undefined, answered
 * by KVM's choice (every APIC that matches under its own DFR accepts):
 * logical IDs shared by several APICs, logical IDs with several bits, DFRs
 * that differ between enabled APICs ("all processors that have their APIC
 * software enabled must have their DFRs programmed identically"), a
 * broadcast MDA seen by an APIC whose logical ID is 0 (KVM: accepted), and
 * cluster 15 other than the broadcast (KVM: an ordinary cluster).
 *
 * Shorthands ("Broadcast/Self Delivery Mode", and the table "Valid
 * Combinations for the Pentium 4 and Intel Xeon Processors' Local xAPIC
 * Interrupt Command Register"): the destination and its mode are ignored;
 * self and all-including-self are valid with fixed delivery only (lowest
 * priority, NMI, INIT, SMI and start-up are invalid there);
 * all-excluding-self is valid with every mode, and with lowest priority
 * "can be redirected back to the issuing APIC" (KVM: never to the sender).
 *
 * Lowest priority ("Lowest Priority Delivery Mode"): exactly one of the
 * selected APICs accepts; which one is not predicted (KVM hashes the vector
 * by default).  Sending it as an IPI is model specific ("Interrupt Command
 * Register (ICR)"), so every lowest-priority IPI is KVM's choice.  Not
 * supported, so INVALID: with a physical broadcast ("Physical Destination
 * Mode") or a cluster-model broadcast ("Logical Destination Mode").
 * Software must make every APIC the destination names present and enabled
 * (same sections, and "Message Address Register Format" for MSIs); when it
 * does not and some candidate is left, KVM's optimized path may pick an
 * empty slot and drop the interrupt, so there is no expectation; when no
 * candidate is left, KVM discards it.
 *
 * Mixed xAPIC/x2APIC: unsupported by the architecture.  KVM judges each
 * target in its own mode, on the destination as sent: for a physical
 * destination, an x2APIC sender's is not truncated onto xAPIC IDs and its
 * FFFF_FFFFH does not reach xAPIC targets; an xAPIC sender's FFH is an
 * x2APIC target's ID 255 (logical: cluster 0, bits 0-7).  A flat xAPIC
 * target ANDs its 8-bit logical ID with the whole destination, so an
 * x2APIC sender's logical destination reaches it through bits 7:0.
 *
 * MSIs: the architecture has an 8-bit destination ("Message Address
 * Register Format"), matched like an IPI's.  KVM's choices (api.rst,
 * KVM_CAP_X2APIC_API and KVM_SET_GSI_ROUTING): with USE_32BIT_IDS,
 * address_hi[31:8] extends it to 32 bits; FFH is a broadcast to x2APIC
 * targets too unless DISABLE_BROADCAST_QUIRK.  With USE_32BIT_IDS a
 * destination above 0xff also reaches an xAPIC-mode vCPU whose vCPU ID it
 * is (the "hotplug hack", x86/errata.rst).
 *
 * Vectors 0-15 are illegal for fixed and lowest-priority delivery ("Error
 * Handling"); KVM delivers them anyway, so the model gives no expectation.
 *
 * Where KVM's optimized map and its per-vCPU loop give different answers
 * for such a setup there is no expectation; when the VM has no optimized
 * map at all (irq->kvm_map_off: aliased physical IDs without 32-bit IDs,
 * kvm_routing.h), the loop alone answers, and its answer is KVM's choice.
 *
 * Where KVM is known to depart from a defined answer, the model keeps the
 * architecture's: a software-disabled APIC selected by a logical
 * destination must take an NMI, but KVM's optimized logical map leaves
 * software-disabled xAPIC APICs out, and finds nobody at all when no
 * software-enabled APIC has a logical ID; KVM drops such NMIs whenever
 * that map is in use.
 */
#include <stdio.h>
#include <string.h>

#include "apic_model.h"

#define SDM "SDM vol. 3A "
#define UNDEF "undefined by the architecture "

/* Architectural rules. */
#define SRC_PHYS	SDM "'Physical Destination Mode' (destination = APIC ID)"
#define SRC_PHYS_BC	SDM "'Physical Destination Mode' (FFH: broadcast)"
#define SRC_X2_PHYS	SDM "'ICR Operation in x2APIC Mode' (destination = x2APIC ID)"
#define SRC_X2_BC	SDM "'ICR Operation in x2APIC Mode' (FFFF_FFFFH: broadcast)"
#define SRC_FLAT	SDM "'Logical Destination Mode' (flat model: MDA AND logical APIC ID)"
#define SRC_FLAT_BC	SDM "'Logical Destination Mode' (flat model: all 1s is a broadcast)"
#define SRC_CLUSTER	SDM "'Logical Destination Mode' (cluster model: MDA[7:4] cluster, " \
			"MDA[3:0] members)"
#define SRC_CLUSTER_BC	SDM "'Logical Destination Mode' (cluster model: all 1s is a " \
			"broadcast)"
#define SRC_X2_CLUSTER	SDM "'Logical Destination Mode in x2APIC Mode' (dest[31:16] " \
			"cluster, dest[15:0] members)"
#define SRC_SELF	SDM "'Broadcast/Self Delivery Mode' (self)"
#define SRC_ALLINC	SDM "'Broadcast/Self Delivery Mode' (all including self)"
#define SRC_ALLBUT	SDM "'Broadcast/Self Delivery Mode' (all excluding self)"
#define SRC_HW_OFF	SDM "'Enabling or Disabling the Local APIC' (hardware-disabled: " \
			"accepts nothing)"
#define SRC_SW_OFF	SDM "'Local APIC State After It Has Been Software Disabled' (NMI only)"
#define SRC_MSI_LOWEST	SDM "'Message Data Register Format' (lowest priority: exactly one)"
#define SRC_MSI_RH	SDM "'Message Address Register Format' (RH=1: one, lowest priority)"

#define SRC_INIT	SDM "'MP Initialization Protocol Algorithm' (INIT: wait-for-SIPI; " \
			"start-up: real mode at vector * 4 KiB)"

/* Documented interfaces. */
#define SRC_PV		"KVM's hypercall ABI (hypercalls.rst, KVM_HC_SEND_IPI): bit i of " \
			"the bitmap names APIC ID a2 + i; returns how many took it"
#define SRC_HV		"Hyper-V TLFS 'HvCallSendSyntheticClusterIpi': the fixed vector " \
			"to every virtual processor in the set"
#define SRC_IOAPIC	"82093AA datasheet 'I/O Redirection Table Registers' (destination " \
			"and mode as for an MSI)"
#define SRC_IOAPIC_MASK	"82093AA datasheet 'I/O Redirection Table Registers' (mask set: " \
			"the interrupt is not delivered)"
#define SRC_IRQFD	"api.rst KVM_IRQFD, KVM_SET_GSI_ROUTING (an MSI route)"

/* KVM's choices. */
#define KVM_PHYS_ALIAS	UNDEF "(APIC IDs are unique, " SDM "'Local APIC ID'); KVM's " \
			"choice: every APIC with that ID accepts (x86/errata.rst)"
#define KVM_PHYS_ALIAS32 UNDEF "(APIC IDs are unique); KVM's choice with USE_32BIT_IDS: " \
			"only the first vCPU with that ID (x86/errata.rst)"
#define KVM_HOTPLUG	UNDEF "(xAPIC target, destination above FFH); KVM's choice with " \
			"USE_32BIT_IDS: the vCPU ID (hotplug hack, x86/errata.rst)"
#define KVM_MIXED	UNDEF "(xAPIC and x2APIC mixed); KVM's choice: each target judged in " \
			"its own mode, no dest & 0xff aliasing (lapic.c, kvm_apic_mda)"
#define KVM_MSI_X2	UNDEF "(an MSI carries an 8-bit destination); KVM's choice: compared " \
			"with x2APIC IDs and LDRs as is (api.rst KVM_CAP_X2APIC_API)"
#define KVM_MSI_QUIRK	UNDEF "(8-bit MSI destination, x2APIC target); KVM's choice: FFH is " \
			"a broadcast to x2APIC targets too (api.rst KVM_CAP_X2APIC_API)"
#define KVM_MSI_NOQUIRK	UNDEF "(8-bit MSI destination, x2APIC target); KVM's choice with " \
			"DISABLE_BROADCAST_QUIRK: FFH is ID 255 / cluster 0 (api.rst)"
#define KVM_MSI_32	UNDEF "(32-bit MSI destination); KVM's choice with USE_32BIT_IDS: " \
			"address_hi[31:8] extends it (api.rst KVM_SET_GSI_ROUTING)"
#define KVM_LOG_ALIAS	UNDEF "(logical IDs shared by several APICs); KVM's choice: every " \
			"APIC that matches accepts"
#define KVM_MULTIBIT	UNDEF "(a logical ID with several bits set); KVM's choice: accepted " \
			"when any of its bits matches"
#define KVM_MIXED_DFR	UNDEF "(" SDM "'Logical Destination Mode': one DFR for all enabled " \
			"APICs); KVM's choice: each APIC matches under its own DFR"
#define KVM_LDR0_BC	UNDEF "(a broadcast MDA and a logical ID of 0); KVM's choice: FFH " \
			"reaches every APIC, LDR 0 included"
#define KVM_CLUSTER15	UNDEF "(cluster address 15 is the broadcast); KVM's choice: " \
			"matched as an ordinary cluster"
#define KVM_LOWEST_IPI	UNDEF "(" SDM "'Interrupt Command Register (ICR)': lowest-priority " \
			"IPIs are model specific); KVM's choice: exactly one candidate"
#define KVM_LOWEST_BUT	UNDEF "(lowest priority, all excluding self, may return to the " \
			"sender); KVM's choice: exactly one of the others"
#define KVM_LOWEST_BC	UNDEF "(lowest-priority broadcast); KVM's choice: exactly one of " \
			"all enabled APICs"
#define KVM_LOWEST_NONE	UNDEF "(lowest priority to APICs absent or not enabled: software " \
			"must not); KVM's choice: discarded"
#define KVM_LOWEST_LOOP	UNDEF "(lowest priority naming absent or disabled APICs); KVM's " \
			"choice, its per-vCPU loop (no map): one enabled candidate"
#define KVM_LOOP_X2ID	UNDEF "(xAPIC target, destination above FFH); KVM's choice, its " \
			"per-vCPU loop (no map): the vCPU ID (kvm_apic_match_physical_addr)"

#define KVM_PV_LOWEST	UNDEF "(a lowest-priority ICR in KVM_HC_SEND_IPI, hypercalls.rst); " \
			"KVM's choice: every named APIC takes it (__pv_send_ipi)"
#define KVM_PV_ALIAS	UNDEF "(APIC IDs are unique); KVM's choice: every APIC with the " \
			"named ID takes it"

/* No expectation. */
#define BAD_TABLE	"invalid: " SDM "'Valid Combinations for the Pentium 4 and Intel Xeon " \
			"Processors' Local xAPIC Interrupt Command Register'"
#define BAD_LOWEST_PHYS	"invalid: " SDM "'Physical Destination Mode' (lowest-priority " \
			"broadcast not supported)"
#define BAD_LOWEST_CL	"invalid: " SDM "'Logical Destination Mode' (lowest-priority " \
			"broadcast not supported in the cluster model)"
#define BAD_LOWEST_GAP	"no expectation: " SDM "'Logical Destination Mode' (lowest " \
			"priority needs every addressed APIC present and enabled); KVM may " \
			"drop it"
#define BAD_DFR		"no expectation: DFR model neither flat (1111B) nor cluster " \
			"(0000B), or DFR[27:0] not all 1s"
#define BAD_X2_LDR	"no expectation: x2APIC LDR not the one derived from the x2APIC " \
			"ID (" SDM "'Deriving Logical x2APIC ID from the Local x2APIC ID')"
#define BAD_VECTOR	"invalid: " SDM "'Error Handling' (vectors 0-15 are illegal; KVM " \
			"delivers them anyway)"
#define BAD_MODE	"no expectation: delivery mode not modelled (fixed, lowest " \
			"priority, NMI; INIT and start-up IPIs)"
#define BAD_MSI_SH	"invalid: an MSI has no destination shorthand"
#define BAD_MSI_RH	"no expectation: an MSI's redirection hint with a delivery mode other " \
			"than fixed or lowest priority"
#define BAD_MSI_32_BC	"no expectation: MSI to FFFF_FFFFH, USE_32BIT_IDS with the broadcast " \
			"quirk on (api.rst: 32-bit IDs need it off); KVM's map drops it, " \
			"its vCPU loop broadcasts it"
#define BAD_SENDER	"no expectation: no such sender"
#define BAD_DOOR	"no expectation: this door takes interrupts from a vCPU (hypercalls) " \
			"or from the host (IOAPIC, irqfd), not the other"
#define BAD_PV_ICR	"invalid: KVM_HC_SEND_IPI takes a physical destination and no " \
			"shorthand (hypercalls.rst)"
#define BAD_HV_MODE	"invalid: a Hyper-V synthetic IPI is a fixed vector (TLFS)"
#define BAD_HV_VECTOR	"invalid: Hyper-V TLFS: synthetic IPI vectors are 0x10-0xff"
#define BAD_HW_SENDER	"no expectation: a hardware-disabled APIC sends no IPIs (" SDM \
			"'Enabling or Disabling the Local APIC')"
#define BAD_TOO_MANY	"no expectation: more CPUs than APIC_MODEL_MAX_CPUS"
#define BAD_PATH	"no expectation: APIC modes or DFRs mixed, where KVM's optimized " \
			"routing and its per-vCPU loop disagree"

/* How an APIC reads a logical destination. */
enum lkind {
	LK_NONE,	/* no APIC (yet) */
	LK_FLAT,	/* xAPIC, DFR flat */
	LK_CLUSTER,	/* xAPIC, DFR cluster */
	LK_X2APIC,
	LK_BAD,		/* xAPIC, DFR neither */
	LK_MIXED,	/* several of the above */
};

struct route {
	const struct apic_model_cpu *cpus;
	unsigned int nr;
	const struct apic_model_irq *irq;
	const struct apic_model_cpu *src;	/* NULL for an MSI */
	uint32_t dest;				/* as sent, at the sender's width */
	bool nmi;				/* NMI, INIT or start-up: no vector, any SPIV */
	bool init;				/* INIT or start-up */
	bool lowest;
	bool quirk;				/* KVM's broadcast quirk in effect */
	bool ids32;				/* KVM_X2APIC_API_USE_32BIT_IDS */
	bool loop;				/* KVM has no optimized map */
	struct apic_model_result *res;
	/* Selected APICs that acceptance turned down, or let in. */
	bool hw_off_selected;
	bool sw_off_dropped;
	bool sw_off_nmi;
};

static bool hw_on(const struct apic_model_cpu *c)
{
	return c->mode == APIC_MODE_XAPIC || c->mode == APIC_MODE_X2APIC;
}

static bool is_x2(const struct apic_model_cpu *c)
{
	return c->mode == APIC_MODE_X2APIC;
}

/* Can @c take this delivery mode at all, wherever it is sent? */
static bool can_take(const struct route *r, const struct apic_model_cpu *c)
{
	return hw_on(c) && (r->nmi || c->sw_enabled);
}

/* Raise the label to @basis with @why; the first reason at a level stays. */
static void label(struct route *r, enum apic_model_basis basis, const char *why)
{
	if (basis <= r->res->basis)
		return;
	r->res->basis = basis;
	snprintf(r->res->source, sizeof(r->res->source), "%s", why);
}

/* Add "; @part" to an architectural citation when it fits whole. */
static void cite_also(struct route *r, const char *part)
{
	size_t used = strlen(r->res->source);

	if (r->res->basis != APIC_MODEL_ARCHITECTURAL ||
	    used + 2 + strlen(part) >= sizeof(r->res->source))
		return;
	snprintf(r->res->source + used, sizeof(r->res->source) - used, "; %s", part);
}

static void set_rule(struct route *r, const char *rule)
{
	snprintf(r->res->source, sizeof(r->res->source), "%s", rule);
}

/* @i is selected by the destination: accept it if its state allows. */
static void offer(struct route *r, unsigned int i)
{
	const struct apic_model_cpu *c = &r->cpus[i];

	if (!hw_on(c)) {
		r->hw_off_selected = true;
		return;
	}
	if (!c->sw_enabled) {
		if (!r->nmi) {
			r->sw_off_dropped = true;
			return;
		}
		r->sw_off_nmi = true;
	}
	r->res->accept[i / 64] |= 1ull << (i % 64);
	r->res->nr_accept++;
}

static bool selected(const struct route *r, unsigned int i)
{
	return apic_model_accepts(r->res, i);
}

/*
 * The destination as target @c compares it: KVM turns an MSI's FFH into
 * FFFF_FFFFH for x2APIC targets unless the quirk is disabled.
 */
static uint32_t mda_for(const struct route *r, const struct apic_model_cpu *c)
{
	if (!r->src && r->quirk && r->dest == XAPIC_BROADCAST && is_x2(c))
		return X2APIC_BROADCAST;
	return r->dest;
}

static bool broadcast_for(const struct route *r, const struct apic_model_cpu *c)
{
	return mda_for(r, c) == (is_x2(c) ? X2APIC_BROADCAST : XAPIC_BROADCAST);
}

static enum lkind lkind_of(const struct apic_model_cpu *c)
{
	if (is_x2(c))
		return LK_X2APIC;
	if (c->dfr == APIC_DFR_FLAT)
		return LK_FLAT;
	if (c->dfr == APIC_DFR_CLUSTER)
		return LK_CLUSTER;
	return LK_BAD;
}

/* The member bits of @c's logical ID, and the cluster they belong to. */
static uint32_t logical_bits(const struct apic_model_cpu *c, uint32_t *cluster)
{
	switch (lkind_of(c)) {
	case LK_X2APIC:
		*cluster = c->ldr >> 16;
		return c->ldr & 0xffff;
	case LK_CLUSTER:
		*cluster = c->ldr >> 28;
		return (c->ldr >> 24) & 0xf;
	default:
		*cluster = 0;
		return c->ldr >> 24;
	}
}

/* The member bits an MDA names, for APICs that read it as @kind. */
static uint32_t mda_bits(enum lkind kind, uint32_t mda)
{
	switch (kind) {
	case LK_X2APIC:
		return mda & 0xffff;
	case LK_CLUSTER:
		return mda & 0xf;
	default:
		return mda & 0xff;
	}
}

static uint32_t mda_cluster(enum lkind kind, uint32_t mda)
{
	switch (kind) {
	case LK_X2APIC:
		return mda >> 16;
	case LK_CLUSTER:
		return mda >> 4;
	default:
		return 0;
	}
}

static bool physical_selects(const struct apic_model_cpu *c, uint32_t mda)
{
	if (is_x2(c))
		return mda == X2APIC_BROADCAST || mda == c->id;
	if (mda == XAPIC_BROADCAST)
		return true;
	/* KVM: no truncation onto the 8-bit ID; the vCPU ID (hotplug hack). */
	if (mda > 0xff)
		return mda == c->vcpu_id;
	return mda == (c->id & 0xff);
}

static bool logical_selects(const struct apic_model_cpu *c, uint32_t mda)
{
	enum lkind kind = lkind_of(c);
	uint32_t cluster, bits = logical_bits(c, &cluster);

	if (kind == LK_BAD)
		return false;
	if (mda == (kind == LK_X2APIC ? X2APIC_BROADCAST : XAPIC_BROADCAST))
		return true;
	return cluster == mda_cluster(kind, mda) && (bits & mda_bits(kind, mda));
}

/*
 * The logical mode of KVM's optimized map: that of the software-enabled
 * APICs with a non-zero LDR, if they agree (KVM files a DFR that is not
 * flat as cluster).
 */
static enum lkind kvm_map_kind(const struct route *r)
{
	enum lkind map = LK_NONE, kind;
	unsigned int i;

	for (i = 0; i < r->nr; i++) {
		const struct apic_model_cpu *c = &r->cpus[i];

		if (!hw_on(c) || !c->sw_enabled || !c->ldr)
			continue;
		kind = lkind_of(c);
		if (kind == LK_BAD)
			kind = LK_CLUSTER;
		if (map == LK_NONE)
			map = kind;
		else if (map != kind)
			return LK_MIXED;
	}
	return map;
}

/* Does KVM's optimized routing hand this destination to its per-vCPU loop? */
static bool kvm_loops_over_all(const struct route *r, enum lkind map)
{
	if (!r->quirk)
		return r->dest == X2APIC_BROADCAST ||
		       (r->dest == XAPIC_BROADCAST && map != LK_X2APIC);
	if (r->src && is_x2(r->src))
		return r->dest == X2APIC_BROADCAST;
	return r->dest == XAPIC_BROADCAST;
}

/* With USE_32BIT_IDS, the one vCPU KVM's physical map holds for @dest. */
static int kvm_ids32_owner(const struct route *r, uint32_t dest)
{
	int owner = -1;
	unsigned int i;

	for (i = 0; i < r->nr; i++) {
		const struct apic_model_cpu *c = &r->cpus[i];

		if (!hw_on(c))
			continue;
		if ((is_x2(c) && c->id == dest) ||
		    (!is_x2(c) && dest > 0xff && c->vcpu_id == dest))
			owner = i;
	}
	if (owner >= 0 || dest > 0xff)
		return owner;
	for (i = 0; i < r->nr; i++) {
		const struct apic_model_cpu *c = &r->cpus[i];

		if (hw_on(c) && !is_x2(c) && (c->id & 0xff) == dest)
			return i;
	}
	return -1;
}

/* An APIC that could take the interrupt, in xAPIC mode (@x2 false) or not. */
static bool any_taker_in_mode(const struct route *r, bool x2)
{
	unsigned int i;

	for (i = 0; i < r->nr; i++)
		if (can_take(r, &r->cpus[i]) && is_x2(&r->cpus[i]) == x2)
			return true;
	return false;
}

/*
 * A destination above FFH that an xAPIC-mode vCPU's vCPU ID matches: KVM's
 * choice with 32-bit IDs, or where only its per-vCPU loop routes; its map
 * and its loop disagree otherwise.
 */
static void label_xapic_target_above_ff(struct route *r)
{
	if (r->ids32)
		label(r, APIC_MODEL_KVM_CHOICE, KVM_HOTPLUG);
	else if (r->loop)
		label(r, APIC_MODEL_KVM_CHOICE, KVM_LOOP_X2ID);
	else
		label(r, APIC_MODEL_INVALID, BAD_PATH);
}

static void route_physical(struct route *r)
{
	bool x2_sender = r->src && is_x2(r->src);
	bool unicast = r->dest != XAPIC_BROADCAST && r->dest != X2APIC_BROADCAST;
	bool bcast = r->dest == X2APIC_BROADCAST ||
		     (r->dest == XAPIC_BROADCAST && !x2_sender);
	unsigned int i, nr_owners = 0;
	bool seen_as_bc = false;	/* a target that reads it as its broadcast */
	int owner = -1;

	if (r->dest == X2APIC_BROADCAST)
		set_rule(r, SRC_X2_BC);
	else if (bcast)
		set_rule(r, SRC_PHYS_BC);
	else
		set_rule(r, x2_sender ? SRC_X2_PHYS : SRC_PHYS);

	if (r->ids32 && unicast)
		owner = kvm_ids32_owner(r, r->dest);

	for (i = 0; i < r->nr; i++) {
		const struct apic_model_cpu *c = &r->cpus[i];
		bool sel = physical_selects(c, mda_for(r, c));

		if (hw_on(c) && sel && !broadcast_for(r, c))
			nr_owners++;
		seen_as_bc |= hw_on(c) && sel && broadcast_for(r, c);
		if (hw_on(c) && r->ids32 && unicast)
			sel = (int)i == owner;
		if (!sel)
			continue;
		if (hw_on(c) && !is_x2(c) && r->dest > 0xff && can_take(r, c))
			label_xapic_target_above_ff(r);
		offer(r, i);
	}

	/* An x2APIC sender's FFH: KVM's fast path sends it to ID 255 alone. */
	if (r->dest == XAPIC_BROADCAST && !r->loop && !kvm_loops_over_all(r, kvm_map_kind(r)) &&
	    any_taker_in_mode(r, false))
		label(r, APIC_MODEL_INVALID, BAD_PATH);

	/* Also an x2APIC sender's FFH, which xAPIC targets read as their broadcast. */
	if (r->lowest && (bcast || seen_as_bc))
		label(r, APIC_MODEL_INVALID, BAD_LOWEST_PHYS);
	else if (r->lowest && !r->res->nr_accept)
		label(r, APIC_MODEL_KVM_CHOICE, KVM_LOWEST_NONE);
	if (nr_owners > 1)
		label(r, APIC_MODEL_KVM_CHOICE, r->ids32 ? KVM_PHYS_ALIAS32 : KVM_PHYS_ALIAS);
}

/* The rule to cite for a logical destination: as the first taker reads it. */
static const char *logical_rule(const struct route *r)
{
	const struct apic_model_cpu *c = NULL;
	unsigned int i;

	for (i = 0; i < r->nr && !c; i++)
		if (can_take(r, &r->cpus[i]))
			c = &r->cpus[i];
	if (!c)
		c = r->src;
	if (!c || !is_x2(c)) {
		bool bc = r->dest == XAPIC_BROADCAST;

		if (c && lkind_of(c) == LK_CLUSTER)
			return bc ? SRC_CLUSTER_BC : SRC_CLUSTER;
		return bc ? SRC_FLAT_BC : SRC_FLAT;
	}
	return mda_for(r, c) == X2APIC_BROADCAST ? SRC_X2_BC : SRC_X2_CLUSTER;
}

/* Labels that depend on the logical IDs of the APICs that take part. */
static void check_logical_ids(struct route *r)
{
	bool flat = false, cluster = false;
	unsigned int i, j;

	for (i = 0; i < r->nr; i++) {
		const struct apic_model_cpu *c = &r->cpus[i];
		enum lkind kind = lkind_of(c);
		uint32_t mda = mda_for(r, c), ci, bi;

		if (!can_take(r, c))
			continue;
		bi = logical_bits(c, &ci);
		if (kind == LK_BAD)
			label(r, APIC_MODEL_INVALID, BAD_DFR);
		if (kind == LK_X2APIC &&
		    c->ldr != ((((c->id >> 4) & 0xffff) << 16) | (1u << (c->id & 0xf))))
			label(r, APIC_MODEL_INVALID, BAD_X2_LDR);
		flat |= kind == LK_FLAT;
		cluster |= kind == LK_CLUSTER;

		if (broadcast_for(r, c)) {
			if (kind != LK_X2APIC && !bi)
				label(r, APIC_MODEL_KVM_CHOICE, KVM_LDR0_BC);
			continue;
		}
		if (kind == LK_CLUSTER && mda >> 4 == 0xf)
			label(r, APIC_MODEL_KVM_CHOICE, KVM_CLUSTER15);
		if (!selected(r, i))
			continue;
		if (bi & (bi - 1))
			label(r, APIC_MODEL_KVM_CHOICE, KVM_MULTIBIT);
		for (j = i + 1; j < r->nr; j++) {
			const struct apic_model_cpu *d = &r->cpus[j];
			uint32_t cj, bj;

			if (!selected(r, j) || lkind_of(d) != kind || broadcast_for(r, d))
				continue;
			bj = logical_bits(d, &cj);
			if (ci == cj && (bi & bj & mda_bits(kind, mda)))
				label(r, APIC_MODEL_KVM_CHOICE, KVM_LOG_ALIAS);
		}
	}
	if (flat && cluster)
		label(r, APIC_MODEL_KVM_CHOICE, KVM_MIXED_DFR);
}

/*
 * A lowest-priority destination names an APIC that is absent or disabled:
 * KVM's optimized map may pick that empty slot and drop the interrupt;
 * its per-vCPU loop, where it alone routes, picks an enabled candidate.
 */
static void label_lowest_gap(struct route *r)
{
	if (r->loop)
		label(r, APIC_MODEL_KVM_CHOICE, KVM_LOWEST_LOOP);
	else
		label(r, APIC_MODEL_INVALID, BAD_LOWEST_GAP);
}

/*
 * Lowest priority to a logical destination: every APIC it names must be
 * there and enabled, or KVM's optimized path may pick an empty slot.
 */
static void check_lowest_logical(struct route *r, enum lkind map)
{
	bool cluster_bc = false, any_bc = false;
	uint32_t want, have = 0;
	unsigned int i;

	for (i = 0; i < r->nr; i++) {
		const struct apic_model_cpu *c = &r->cpus[i];

		if (!can_take(r, c) || !broadcast_for(r, c))
			continue;
		any_bc = true;
		cluster_bc |= lkind_of(c) == LK_CLUSTER;
	}
	if (cluster_bc) {
		label(r, APIC_MODEL_INVALID, BAD_LOWEST_CL);
		return;
	}
	if (any_bc) {
		label(r, APIC_MODEL_KVM_CHOICE, KVM_LOWEST_BC);
		return;
	}
	if (!r->res->nr_accept) {
		label(r, APIC_MODEL_KVM_CHOICE, KVM_LOWEST_NONE);
		return;
	}
	/* Mixed logical modes: KVM loops over every vCPU, no slot to miss. */
	if (map != LK_FLAT && map != LK_CLUSTER && map != LK_X2APIC)
		return;

	want = mda_bits(map, r->dest);
	for (i = 0; i < r->nr; i++) {
		const struct apic_model_cpu *c = &r->cpus[i];
		uint32_t cl, bits = logical_bits(c, &cl);
		enum lkind kind = lkind_of(c);

		if (kind == LK_BAD)
			kind = LK_CLUSTER;
		if (!hw_on(c) || kind != map || cl != mda_cluster(map, r->dest))
			continue;
		if (!c->sw_enabled && (bits & want)) {
			label_lowest_gap(r);
			return;
		}
		if (c->sw_enabled)
			have |= bits;
	}
	if (want & ~have)
		label_lowest_gap(r);
}

/* Does x2APIC logical destination @r->dest name a physical slot of xAPIC @c? */
static bool x2_slot_named(const struct route *r, const struct apic_model_cpu *c)
{
	uint32_t slots[2] = { c->id & 0xff, c->id & 0xff };
	unsigned int k;

	if (r->ids32 && c->vcpu_id > 0xff)
		slots[1] = c->vcpu_id;
	for (k = 0; k < 2; k++)
		if (slots[k] >> 4 == r->dest >> 16 &&
		    (r->dest & 0xffff & (1u << (slots[k] & 0xf))))
			return true;
	return false;
}

static void route_logical(struct route *r)
{
	enum lkind map = kvm_map_kind(r);
	unsigned int i;

	set_rule(r, logical_rule(r));
	for (i = 0; i < r->nr; i++) {
		const struct apic_model_cpu *c = &r->cpus[i];
		uint32_t mda = mda_for(r, c);

		/* A hardware-disabled APIC is judged as xAPIC, for the citation. */
		if (hw_on(c) ? logical_selects(c, mda) :
		    (mda == XAPIC_BROADCAST || ((c->ldr >> 24) & mda)))
			offer(r, i);
	}
	check_logical_ids(r);

	/*
	 * KVM's optimized map holds one logical mode.  An APIC that could take
	 * the interrupt but reads logical destinations differently is found by
	 * KVM's per-vCPU loop, not by the map; and an x2APIC-mode map finds
	 * xAPIC-mode vCPUs by their physical slot.
	 */
	if (!r->loop && (map == LK_FLAT || map == LK_CLUSTER || map == LK_X2APIC) &&
	    !kvm_loops_over_all(r, map)) {
		for (i = 0; i < r->nr; i++) {
			const struct apic_model_cpu *c = &r->cpus[i];
			enum lkind kind = lkind_of(c);

			if (kind == LK_BAD)
				kind = LK_CLUSTER;
			if (!can_take(r, c) || kind == map)
				continue;
			if (selected(r, i) || (map == LK_X2APIC && x2_slot_named(r, c)))
				label(r, APIC_MODEL_INVALID, BAD_PATH);
		}
	}
	if (r->lowest)
		check_lowest_logical(r, map);
}

static void route_shorthand(struct route *r)
{
	unsigned int i, self = r->irq->sender;

	switch (r->irq->shorthand) {
	case APIC_SHORTHAND_SELF:
		set_rule(r, SRC_SELF);
		if (self < r->nr)
			offer(r, self);
		break;
	case APIC_SHORTHAND_ALL_INCLUDING_SELF:
		set_rule(r, SRC_ALLINC);
		for (i = 0; i < r->nr; i++)
			offer(r, i);
		break;
	default:
		set_rule(r, SRC_ALLBUT);
		for (i = 0; i < r->nr; i++)
			if (i != self)
				offer(r, i);
		if (r->lowest)
			label(r, APIC_MODEL_KVM_CHOICE, KVM_LOWEST_BUT);
		return;
	}
	if (r->lowest || r->nmi)
		label(r, APIC_MODEL_INVALID, BAD_TABLE);
}

/* Labels for the sender's side: mixed modes, and KVM's MSI extensions. */
static void check_sender(struct route *r)
{
	unsigned int i;

	if (r->src) {
		if (r->irq->shorthand != APIC_SHORTHAND_SELF &&
		    any_taker_in_mode(r, !is_x2(r->src)))
			label(r, APIC_MODEL_KVM_CHOICE, KVM_MIXED);
		return;
	}
	if (r->dest > 0xff)
		label(r, APIC_MODEL_KVM_CHOICE, KVM_MSI_32);
	if (r->dest == XAPIC_BROADCAST && any_taker_in_mode(r, true))
		label(r, APIC_MODEL_KVM_CHOICE, r->quirk ? KVM_MSI_QUIRK : KVM_MSI_NOQUIRK);
	for (i = 0; i < r->nr; i++)
		if (selected(r, i) && is_x2(&r->cpus[i]))
			label(r, APIC_MODEL_KVM_CHOICE, KVM_MSI_X2);
}

/* The physical APIC ID KVM's map files @c under (and matches it by). */
static bool has_physical_id(const struct route *r, const struct apic_model_cpu *c, uint32_t id)
{
	if (is_x2(c))
		return c->id == id;
	if (r->ids32 && c->vcpu_id > 0xff && c->vcpu_id == id)
		return true;
	return id <= 0xff && (c->id & 0xff) == id;
}

static bool bitmap_has(const uint64_t *bitmap, unsigned int i)
{
	return i < 128 && (bitmap[i / 64] & (1ull << (i % 64)));
}

/*
 * KVM_HC_SEND_IPI: APIC ID dest + i for every bit i; no broadcast, no
 * logical mode.  Shared IDs: every APIC with the ID (the first one with
 * 32-bit IDs, as KVM's map keeps it).
 */
static void route_pv_ipi(struct route *r)
{
	unsigned int i, bit;

	set_rule(r, SRC_PV);
	r->res->basis = APIC_MODEL_DOCUMENTED_ABI;
	if (r->irq->logical || r->irq->shorthand != APIC_SHORTHAND_NONE) {
		label(r, APIC_MODEL_INVALID, BAD_PV_ICR);
		return;
	}
	for (bit = 0; bit < 128; bit++) {
		uint32_t id = r->irq->dest + bit;
		unsigned int owners = 0;
		int owner = r->ids32 ? kvm_ids32_owner(r, id) : -1;

		if (!bitmap_has(r->irq->bitmap, bit))
			continue;
		for (i = 0; i < r->nr; i++) {
			const struct apic_model_cpu *c = &r->cpus[i];

			if (!hw_on(c) || !has_physical_id(r, c, id))
				continue;
			owners++;
			if (!r->ids32 || (int)i == owner)
				offer(r, i);
		}
		if (owners > 1)
			label(r, APIC_MODEL_KVM_CHOICE, r->ids32 ? KVM_PHYS_ALIAS32 : KVM_PV_ALIAS);
	}
	if (r->lowest)
		label(r, APIC_MODEL_KVM_CHOICE, KVM_PV_LOWEST);
}

/* HvCallSendSyntheticClusterIpi(Ex): a fixed vector to a set of VP indexes. */
static void route_hyperv(struct route *r)
{
	bool all = r->irq->door_flags & APIC_DOOR_HV_ALL;
	unsigned int i;

	set_rule(r, SRC_HV);
	r->res->basis = APIC_MODEL_DOCUMENTED_ABI;
	if (r->irq->delivery_mode != APIC_DELIVERY_FIXED) {
		label(r, APIC_MODEL_INVALID, BAD_HV_MODE);
		return;
	}
	for (i = 0; i < r->nr; i++)
		if (all || bitmap_has(r->irq->bitmap, r->cpus[i].vp_index))
			offer(r, i);
}

/* An IOAPIC entry or an irqfd: an MSI, with the IOAPIC's mask bit. */
static void route_device(struct route *r)
{
	if (r->irq->door == APIC_DOOR_IOAPIC && r->irq->masked) {
		set_rule(r, SRC_IOAPIC_MASK);
		return;
	}
	if (r->irq->logical)
		route_logical(r);
	else
		route_physical(r);
	check_sender(r);
	cite_also(r, r->irq->door == APIC_DOOR_IOAPIC ? SRC_IOAPIC : SRC_IRQFD);
}

static void refuse(struct apic_model_result *res, const char *why)
{
	res->basis = APIC_MODEL_INVALID;
	snprintf(res->source, sizeof(res->source), "%s", why);
}

/* The doors other than the ICR and KVM_SIGNAL_MSI; false for those two. */
static bool route_door(struct route *r)
{
	const struct apic_model_irq *irq = r->irq;
	bool from_host = irq->sender == APIC_MODEL_FROM_MSI;

	if (irq->door != APIC_DOOR_DEFAULT && r->init) {
		refuse(r->res, BAD_MODE);
		return true;
	}
	switch (irq->door) {
	case APIC_DOOR_PV_IPI:
	case APIC_DOOR_HYPERV:
		if (from_host) {
			refuse(r->res, BAD_DOOR);
			return true;
		}
		if (irq->door == APIC_DOOR_PV_IPI)
			route_pv_ipi(r);
		else
			route_hyperv(r);
		break;
	case APIC_DOOR_IRQFD:
	case APIC_DOOR_IOAPIC:
		if (!from_host || irq->shorthand != APIC_SHORTHAND_NONE) {
			refuse(r->res, from_host ? BAD_MSI_SH : BAD_DOOR);
			return true;
		}
		r->dest = irq->dest & 0xff;
		route_device(r);
		break;
	default:
		return false;
	}
	if (r->lowest)
		r->res->exactly_one = irq->door != APIC_DOOR_PV_IPI && r->res->nr_accept > 0;
	if (!r->nmi && irq->vector < 16)
		label(r, APIC_MODEL_INVALID, irq->door == APIC_DOOR_HYPERV ? BAD_HV_VECTOR :
		      BAD_VECTOR);
	if (r->sw_off_dropped || r->sw_off_nmi)
		cite_also(r, SRC_SW_OFF);
	return true;
}

void apic_model_route(const struct apic_model_cpu *cpus, unsigned int nr_cpus,
		      const struct apic_model_irq *irq, struct apic_model_result *res)
{
	struct route r = {
		.cpus = cpus,
		.nr = nr_cpus,
		.irq = irq,
		.nmi = irq->delivery_mode == APIC_DELIVERY_NMI ||
		       irq->delivery_mode == APIC_DELIVERY_INIT ||
		       irq->delivery_mode == APIC_DELIVERY_STARTUP,
		.init = irq->delivery_mode == APIC_DELIVERY_INIT ||
			irq->delivery_mode == APIC_DELIVERY_STARTUP,
		.lowest = irq->delivery_mode == APIC_DELIVERY_LOWEST ||
			  (irq->redirect_hint && irq->delivery_mode == APIC_DELIVERY_FIXED),
		.quirk = !(irq->x2apic_api & KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK),
		.ids32 = irq->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS,
		.loop = irq->kvm_map_off,
		.res = res,
	};

	memset(res, 0, sizeof(*res));
	res->basis = APIC_MODEL_ARCHITECTURAL;

	if (nr_cpus > APIC_MODEL_MAX_CPUS) {
		refuse(res, BAD_TOO_MANY);
		return;
	}
	if (irq->sender != APIC_MODEL_FROM_MSI &&
	    (irq->sender < 0 || (unsigned int)irq->sender >= nr_cpus)) {
		refuse(res, BAD_SENDER);
		return;
	}
	if (irq->delivery_mode != APIC_DELIVERY_FIXED && !r.lowest && !r.nmi) {
		refuse(res, BAD_MODE);
		return;
	}
	if (route_door(&r))
		return;

	if (irq->sender == APIC_MODEL_FROM_MSI) {
		if (r.init) {
			refuse(res, BAD_MODE);
			return;
		}
		if (irq->shorthand != APIC_SHORTHAND_NONE) {
			refuse(res, BAD_MSI_SH);
			return;
		}
		if (irq->redirect_hint && !r.lowest) {
			refuse(res, BAD_MSI_RH);
			return;
		}
		/* address_hi[31:8] only counts with USE_32BIT_IDS. */
		r.dest = r.ids32 ? irq->dest : irq->dest & 0xff;
		if (r.ids32 && r.quirk && r.dest == X2APIC_BROADCAST) {
			refuse(res, BAD_MSI_32_BC);
			return;
		}
	} else {
		r.src = &cpus[irq->sender];
		if (!hw_on(r.src)) {
			refuse(res, BAD_HW_SENDER);
			return;
		}
		/* xAPIC: the destination is ICR[63:56]. */
		r.dest = is_x2(r.src) ? irq->dest : irq->dest & 0xff;
	}

	if (irq->shorthand != APIC_SHORTHAND_NONE)
		route_shorthand(&r);
	else if (irq->logical)
		route_logical(&r);
	else
		route_physical(&r);

	check_sender(&r);
	if (r.lowest) {
		if (r.src)
			label(&r, APIC_MODEL_KVM_CHOICE, KVM_LOWEST_IPI);
		else
			cite_also(&r, irq->redirect_hint ? SRC_MSI_RH : SRC_MSI_LOWEST);
		res->exactly_one = res->nr_accept > 0;
	}
	if (!r.nmi && irq->vector < 16)
		label(&r, APIC_MODEL_INVALID, BAD_VECTOR);
	if (r.hw_off_selected)
		cite_also(&r, SRC_HW_OFF);
	if (r.sw_off_dropped || r.sw_off_nmi)
		cite_also(&r, SRC_SW_OFF);
	if (r.init)
		cite_also(&r, SRC_INIT);
}

const char *apic_model_basis_name(enum apic_model_basis basis)
{
	switch (basis) {
	case APIC_MODEL_ARCHITECTURAL:
		return "ARCHITECTURAL";
	case APIC_MODEL_DOCUMENTED_ABI:
		return "DOCUMENTED ABI";
	case APIC_MODEL_KVM_CHOICE:
		return "KVM'S CHOICE";
	case APIC_MODEL_INVALID:
		return "INVALID";
	}
	return "?";
}

const char *apic_model_irq_str(const struct apic_model_irq *irq, char *buf, size_t len)
{
	static const char * const modes[8] = {
		"fixed", "lowest-priority", "SMI", "reserved", "NMI", "INIT",
		"start-up", "ExtINT",
	};
	static const char * const shorthands[4] = {
		"none", "self", "all-including-self", "all-excluding-self",
	};
	const char *mode = irq->delivery_mode < 8 ? modes[irq->delivery_mode] : "bad-mode";
	size_t n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';

#define ADD(...)								\
	do {									\
		if (n < len)							\
			n += snprintf(buf + n, len - n, __VA_ARGS__);		\
	} while (0)

	if (irq->sender == APIC_MODEL_FROM_MSI)
		ADD("MSI ");
	ADD("%s vector 0x%x", mode, irq->vector);
	if (irq->shorthand != APIC_SHORTHAND_NONE)
		ADD(" shorthand %s", shorthands[irq->shorthand & 3]);
	else
		ADD(" %s dest 0x%x", irq->logical ? "logical" : "physical", irq->dest);
	if (irq->redirect_hint)
		ADD(" RH");
	if (irq->sender == APIC_MODEL_FROM_MSI)
		ADD(" from the host");
	else
		ADD(" from vCPU index %d", irq->sender);
	if (irq->x2apic_api)
		ADD(" (x2apic_api 0x%llx)", (unsigned long long)irq->x2apic_api);
#undef ADD
	return buf;
}
