// SPDX-License-Identifier: GPL-2.0-only
/*
 * apic_model_test: the APIC routing reference model (lib/x86_64/apic_model.c)
 * checked on the host against cases worked out by hand.  No VM, no /dev/kvm.
 *
 * Each family of destinations is one test case (one KTAP line); a family is
 * a table of cases, each naming its APIC setup, the interrupt, the vCPU
 * indices that must accept (for lowest priority: the candidates), whether
 * exactly one of them accepts, and the label.  A failing case prints the
 * interrupt, the expected and the actual set, and the model's citation.
 *
 * Every expected set below was worked out from the rule quoted next to it
 * (SDM vol. 3A section titles, or KVM's documented choice), not computed.
 */
#include "kvm_test_harness.h"
#include "apic_model.h"

/* Setups */

#define ON	true
#define OFF	false		/* SPIV[8] = 0: software-disabled */
#define FLAT	APIC_DFR_FLAT
#define CLUS	APIC_DFR_CLUSTER

/* xAPIC mode: APIC ID, vCPU ID, logical APIC ID (LDR[31:24]), DFR, SPIV[8]. */
#define XAV(_id, _vcpu, _lid, _dfr, _sw)					\
	{ .mode = APIC_MODE_XAPIC, .id = (_id), .vcpu_id = (_vcpu),		\
	  .ldr = (uint32_t)(_lid) << 24, .dfr = (_dfr), .sw_enabled = (_sw) }
/* xAPIC mode with the APIC ID its vCPU ID gave it. */
#define XA(_id, _lid, _dfr, _sw)	XAV(_id, _id, _lid, _dfr, _sw)
/* x2APIC mode: x2APIC ID (= vCPU ID), the LDR written out by hand, SPIV[8]. */
#define X2(_id, _ldr, _sw)							\
	{ .mode = APIC_MODE_X2APIC, .id = (_id), .vcpu_id = (_id),		\
	  .ldr = (_ldr), .dfr = FLAT, .sw_enabled = (_sw) }
/* Hardware-disabled (IA32_APIC_BASE[11] = 0), yet software-enabled. */
#define HWOFF(_id, _lid)							\
	{ .mode = APIC_MODE_DISABLED, .id = (_id), .vcpu_id = (_id),		\
	  .ldr = (uint32_t)(_lid) << 24, .dfr = FLAT, .sw_enabled = true }

/* Interrupts */

#define D_FIX	APIC_DELIVERY_FIXED
#define D_LOW	APIC_DELIVERY_LOWEST
#define D_NMI	APIC_DELIVERY_NMI
#define MSI	APIC_MODEL_FROM_MSI
#define IDS32	KVM_X2APIC_API_USE_32BIT_IDS
#define NOQUIRK	KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK

#define B_ARCH	APIC_MODEL_ARCHITECTURAL
#define B_ABI	APIC_MODEL_DOCUMENTED_ABI
#define B_KVM	APIC_MODEL_KVM_CHOICE
#define B_INV	APIC_MODEL_INVALID

/* Physical / logical destination, from vCPU index @from or MSI. */
#define PHYS(_dm, _dest, _from)							\
	{ .delivery_mode = (_dm), .vector = 0x41, .dest = (_dest), .sender = (_from) }
#define LOGI(_dm, _dest, _from)							\
	{ .delivery_mode = (_dm), .vector = 0x41, .dest = (_dest), .sender = (_from), \
	  .logical = true }
/* The same with KVM_CAP_X2APIC_API flags. */
#define PHYS_API(_dm, _dest, _from, _api)					\
	{ .delivery_mode = (_dm), .vector = 0x41, .dest = (_dest), .sender = (_from), \
	  .x2apic_api = (_api) }
#define LOGI_API(_dm, _dest, _from, _api)					\
	{ .delivery_mode = (_dm), .vector = 0x41, .dest = (_dest), .sender = (_from), \
	  .logical = true, .x2apic_api = (_api) }
/* Physical with a vector of choice. */
#define PHYS_V(_dm, _vec, _dest, _from)						\
	{ .delivery_mode = (_dm), .vector = (_vec), .dest = (_dest), .sender = (_from) }
#define LOGI_V(_dm, _vec, _dest, _from)						\
	{ .delivery_mode = (_dm), .vector = (_vec), .dest = (_dest), .sender = (_from), \
	  .logical = true }
/* The same in a VM where KVM has no optimized map (its loop routes alone). */
#define PHYS_LOOP(_dm, _dest, _from)						\
	{ .delivery_mode = (_dm), .vector = 0x41, .dest = (_dest), .sender = (_from), \
	  .kvm_map_off = true }
#define LOGI_LOOP(_dm, _dest, _from)						\
	{ .delivery_mode = (_dm), .vector = 0x41, .dest = (_dest), .sender = (_from), \
	  .logical = true, .kvm_map_off = true }
/* An MSI with the redirection hint set. */
#define PHYS_RH(_dm, _dest)							\
	{ .delivery_mode = (_dm), .vector = 0x41, .dest = (_dest), .sender = MSI, \
	  .redirect_hint = true }
#define LOGI_RH(_dm, _dest)							\
	{ .delivery_mode = (_dm), .vector = 0x41, .dest = (_dest), .sender = MSI, \
	  .logical = true, .redirect_hint = true }
/* A shorthand; the destination fields hold junk the APIC must ignore. */
#define SHORT(_dm, _sh, _from)							\
	{ .delivery_mode = (_dm), .vector = 0x41, .shorthand = APIC_SHORTHAND_##_sh, \
	  .dest = 0x55, .logical = true, .sender = (_from) }

struct model_case {
	const char *name;
	const struct apic_model_cpu *cpus;
	unsigned int nr_cpus;
	struct apic_model_irq irq;
	/*
	 * vCPU indices that accept, e.g. "0 3"; "all" is every index, and
	 * "-N" takes N out again.
	 */
	const char *want;
	bool one;			/* exactly one of @want accepts */
	enum apic_model_basis basis;
	const char *cite;		/* if set, res.source must contain it */
};

#define SETUP(_cpus)	.cpus = (_cpus), .nr_cpus = ARRAY_SIZE(_cpus)

/* Checking */

static bool parse_want(const struct model_case *c, uint64_t *mask, unsigned int *nr)
{
	const char *p = c->want;
	char *end;

	memset(mask, 0, APIC_MODEL_MAX_CPUS / 8);
	*nr = 0;
	while (*p) {
		bool remove = false;
		unsigned long i;

		if (*p == ' ') {
			p++;
			continue;
		}
		if (!strncmp(p, "all", 3)) {
			for (i = 0; i < c->nr_cpus; i++)
				mask[i / 64] |= 1ull << (i % 64);
			*nr = c->nr_cpus;
			p += 3;
			continue;
		}
		if (*p == '-') {
			remove = true;
			p++;
		}
		i = strtoul(p, &end, 0);
		if (end == p || i >= c->nr_cpus)
			return false;
		p = end;
		if (remove == !(mask[i / 64] & (1ull << (i % 64))))
			return false;
		mask[i / 64] ^= 1ull << (i % 64);
		*nr = remove ? *nr - 1 : *nr + 1;
	}
	return true;
}

static void format_set(const struct apic_model_result *res, unsigned int nr_cpus,
		       char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < nr_cpus && i < APIC_MODEL_MAX_CPUS && n < len; i++)
		if (apic_model_accepts(res, i))
			n += snprintf(buf + n, len - n, "%s%u", n ? " " : "", i);
}

/* The citation has the form the project's rules ask for, by label. */
static bool source_well_formed(const struct apic_model_result *res)
{
	switch (res->basis) {
	case APIC_MODEL_ARCHITECTURAL:
		return !strncmp(res->source, "SDM vol. 3A '", 13) ||
		       !strncmp(res->source, "APM vol. 2 '", 12) ||
		       !strncmp(res->source, "82093AA datasheet '", 19);
	case APIC_MODEL_DOCUMENTED_ABI:
		return !strncmp(res->source, "KVM's hypercall ABI (", 21) ||
		       !strncmp(res->source, "Hyper-V TLFS '", 14);
	case APIC_MODEL_KVM_CHOICE:
		return !strncmp(res->source, "undefined by the architecture", 29) &&
		       strstr(res->source, "KVM's choice");
	case APIC_MODEL_INVALID:
		return !strncmp(res->source, "invalid: ", 9) ||
		       !strncmp(res->source, "no expectation: ", 16);
	}
	return false;
}

static bool check_case(struct __test_metadata *_metadata, const struct model_case *c)
{
	uint64_t want[APIC_MODEL_MAX_CPUS / 64];
	struct apic_model_result res;
	char irq[160], got[512];
	unsigned int nr_want;
	bool ok;

	if (!parse_want(c, want, &nr_want)) {
		TH_LOG("%s: bad expectation \"%s\"", c->name, c->want);
		return false;
	}
	apic_model_route(c->cpus, c->nr_cpus, &c->irq, &res);

	ok = !memcmp(want, res.accept, sizeof(want)) && res.nr_accept == nr_want &&
	     res.exactly_one == c->one && res.basis == c->basis &&
	     res.source[0] && strlen(res.source) < sizeof(res.source) &&
	     source_well_formed(&res) && (!c->cite || strstr(res.source, c->cite));
	if (ok)
		return true;

	format_set(&res, c->nr_cpus, got, sizeof(got));
	TH_LOG("%s: %s", c->name, apic_model_irq_str(&c->irq, irq, sizeof(irq)));
	TH_LOG("    expected {%s}%s %s%s%s", c->want, c->one ? " exactly one" : "",
	       apic_model_basis_name(c->basis), c->cite ? ", citing " : "",
	       c->cite ? c->cite : "");
	TH_LOG("    actual   {%s}%s %s (nr_accept %u): %s", got,
	       res.exactly_one ? " exactly one" : "", apic_model_basis_name(res.basis),
	       res.nr_accept, res.source);
	return false;
}

static void check_cases(struct __test_metadata *_metadata,
			const struct model_case *cases, size_t nr)
{
	unsigned int failed = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		failed += !check_case(_metadata, &cases[i]);
	TH_LOG("%zu cases, %u failed", nr, failed);
	EXPECT_EQ(0, failed);
}

#define CHECK(cases)	check_cases(_metadata, cases, ARRAY_SIZE(cases))

/* Physical, xAPIC */

/*
 * SDM "Physical Destination Mode": the 8-bit destination is the APIC ID,
 * FFH is a broadcast.  Hardware-disabled APICs take nothing, software-
 * disabled ones take NMIs only ("Local APIC State After It Has Been Software
 * Disabled").
 */
static const struct apic_model_cpu phys_xapic[] = {
	XA(0x00, 0x01, FLAT, ON),	/* 0 */
	XA(0x01, 0x02, FLAT, ON),	/* 1 */
	XA(0x07, 0x04, FLAT, ON),	/* 2 */
	XA(0xfe, 0x08, FLAT, ON),	/* 3 */
	HWOFF(0x05, 0x10),		/* 4 */
	XA(0x06, 0x20, FLAT, OFF),	/* 5 */
};

static const struct model_case phys_xapic_cases[] = {
	{ "ID 0x00, the sender's own", SETUP(phys_xapic), PHYS(D_FIX, 0x00, 0), "0", false, B_ARCH,
	  "'Physical Destination Mode'" },
	{ "ID 0x01", SETUP(phys_xapic), PHYS(D_FIX, 0x01, 0), "1", false, B_ARCH },
	{ "ID 0x07", SETUP(phys_xapic), PHYS(D_FIX, 0x07, 0), "2", false, B_ARCH },
	{ "ID 0xfe", SETUP(phys_xapic), PHYS(D_FIX, 0xfe, 0), "3", false, B_ARCH },
	{ "ID 0xfe from vCPU 1", SETUP(phys_xapic), PHYS(D_FIX, 0xfe, 1), "3", false, B_ARCH },
	{ "hardware-disabled ID 0x05", SETUP(phys_xapic), PHYS(D_FIX, 0x05, 0), "", false, B_ARCH,
	  "hardware-disabled" },
	{ "hardware-disabled ID 0x05, NMI", SETUP(phys_xapic), PHYS(D_NMI, 0x05, 0), "", false,
	  B_ARCH },
	{ "software-disabled ID 0x06, fixed", SETUP(phys_xapic), PHYS(D_FIX, 0x06, 0), "", false,
	  B_ARCH, "Software Disabled" },
	{ "software-disabled ID 0x06, NMI", SETUP(phys_xapic), PHYS(D_NMI, 0x06, 0), "5", false,
	  B_ARCH },
	{ "absent ID 0x42", SETUP(phys_xapic), PHYS(D_FIX, 0x42, 0), "", false, B_ARCH },
	{ "broadcast 0xff, fixed", SETUP(phys_xapic), PHYS(D_FIX, 0xff, 0), "0 1 2 3", false,
	  B_ARCH, "FFH: broadcast" },
	{ "broadcast 0xff, NMI", SETUP(phys_xapic), PHYS(D_NMI, 0xff, 0), "0 1 2 3 5", false,
	  B_ARCH },
	{ "8-bit ICR destination: 0x101 is 0x01", SETUP(phys_xapic), PHYS(D_FIX, 0x101, 3), "1",
	  false, B_ARCH },
	{ "8-bit ICR destination: 0x1ff is the broadcast", SETUP(phys_xapic),
	  PHYS(D_FIX, 0x1ff, 3), "0 1 2 3", false, B_ARCH },
	{ "software-disabled sender still sends", SETUP(phys_xapic), PHYS(D_FIX, 0x07, 5), "2",
	  false, B_ARCH },
};

TEST(physical_xapic)
{
	CHECK(phys_xapic_cases);
}

/* Physical, x2APIC */

/*
 * SDM "ICR Operation in x2APIC Mode": a 32-bit destination, the x2APIC ID;
 * FFFF_FFFFH is the broadcast, FFH is just ID 255.
 */
static const struct apic_model_cpu phys_x2apic[] = {
	X2(0, 0x00000001, ON),		/* 0 */
	X2(255, 0x000f8000, ON),	/* 1: cluster 0xf, bit 15 */
	X2(256, 0x00100001, ON),	/* 2: cluster 0x10, bit 0 */
	X2(1023, 0x003f8000, ON),	/* 3: cluster 0x3f, bit 15 */
	X2(4095, 0x00ff8000, ON),	/* 4: cluster 0xff, bit 15 */
	X2(300, 0x00121000, OFF),	/* 5: 0x12c, cluster 0x12, bit 12 */
};

static const struct model_case phys_x2apic_cases[] = {
	{ "ID 0", SETUP(phys_x2apic), PHYS(D_FIX, 0, 0), "0", false, B_ARCH,
	  "'ICR Operation in x2APIC Mode'" },
	{ "ID 255 is not a broadcast", SETUP(phys_x2apic), PHYS(D_FIX, 255, 0), "1", false,
	  B_ARCH },
	{ "ID 256", SETUP(phys_x2apic), PHYS(D_FIX, 256, 0), "2", false, B_ARCH },
	{ "ID 1023", SETUP(phys_x2apic), PHYS(D_FIX, 1023, 0), "3", false, B_ARCH },
	{ "ID 4095", SETUP(phys_x2apic), PHYS(D_FIX, 4095, 0), "4", false, B_ARCH },
	{ "ID 256 from itself", SETUP(phys_x2apic), PHYS(D_FIX, 256, 2), "2", false, B_ARCH },
	{ "software-disabled ID 300, fixed", SETUP(phys_x2apic), PHYS(D_FIX, 300, 0), "", false,
	  B_ARCH },
	{ "software-disabled ID 300, NMI", SETUP(phys_x2apic), PHYS(D_NMI, 300, 0), "5", false,
	  B_ARCH },
	{ "absent ID 257", SETUP(phys_x2apic), PHYS(D_FIX, 257, 0), "", false, B_ARCH },
	{ "absent ID 0x10000 (no truncation)", SETUP(phys_x2apic), PHYS(D_FIX, 0x10000, 0), "",
	  false, B_ARCH },
	{ "absent ID 0xff00 (no truncation to 0x00)", SETUP(phys_x2apic),
	  PHYS(D_FIX, 0xff00, 0), "", false, B_ARCH },
	{ "broadcast 0xffffffff, fixed", SETUP(phys_x2apic), PHYS(D_FIX, 0xffffffff, 0),
	  "0 1 2 3 4", false, B_ARCH, "FFFF_FFFFH" },
	{ "broadcast 0xffffffff, NMI", SETUP(phys_x2apic), PHYS(D_NMI, 0xffffffff, 3),
	  "0 1 2 3 4 5", false, B_ARCH },
};

TEST(physical_x2apic)
{
	CHECK(phys_x2apic_cases);
}

/* Physical, aliased IDs */

/*
 * APIC IDs are unique in the architecture (SDM "Local APIC ID"); KVM's
 * choice (x86/errata.rst): all vCPUs with the ID accept, or with
 * KVM_X2APIC_API_USE_32BIT_IDS only the first vCPU created.
 */
static const struct apic_model_cpu phys_aliased[] = {
	XAV(0x00, 0, 0x01, FLAT, ON),	/* 0 */
	XAV(0x00, 256, 0x02, FLAT, ON),	/* 1: vCPU 256 truncated to 0 */
	XAV(0x03, 3, 0x04, FLAT, ON),	/* 2 */
	XAV(0x03, 9, 0x08, FLAT, ON),	/* 3: the guest wrote 3 */
	XAV(0x05, 5, 0x10, FLAT, ON),	/* 4 */
	XAV(0x06, 6, 0x20, FLAT, OFF),	/* 5 */
	XAV(0x06, 262, 0x40, FLAT, ON),	/* 6: vCPU 262 truncated to 6 */
};

static const struct model_case phys_aliased_cases[] = {
	{ "ID 0 of vCPUs 0 and 256", SETUP(phys_aliased), PHYS(D_FIX, 0, 4), "0 1", false, B_KVM,
	  "errata.rst" },
	{ "ID 3, one rewritten by the guest", SETUP(phys_aliased), PHYS(D_FIX, 3, 4), "2 3", false,
	  B_KVM },
	{ "ID 5, not aliased", SETUP(phys_aliased), PHYS(D_FIX, 5, 0), "4", false, B_ARCH },
	{ "ID 6, one alias software-disabled", SETUP(phys_aliased), PHYS(D_FIX, 6, 4), "6", false,
	  B_KVM },
	{ "ID 6, NMI", SETUP(phys_aliased), PHYS(D_NMI, 6, 4), "5 6", false, B_KVM },
	{ "broadcast: aliasing does not matter", SETUP(phys_aliased), PHYS(D_FIX, 0xff, 4),
	  "0 1 2 3 4 6", false, B_ARCH },
	{ "USE_32BIT_IDS: ID 0 to the first vCPU", SETUP(phys_aliased),
	  PHYS_API(D_FIX, 0, 4, IDS32), "0", false, B_KVM, "USE_32BIT_IDS" },
	{ "USE_32BIT_IDS: ID 3 to the first vCPU", SETUP(phys_aliased),
	  PHYS_API(D_FIX, 3, 4, IDS32), "2", false, B_KVM },
	{ "USE_32BIT_IDS: ID 6, the first is software-disabled", SETUP(phys_aliased),
	  PHYS_API(D_FIX, 6, 4, IDS32), "", false, B_KVM },
	{ "USE_32BIT_IDS: ID 6, NMI", SETUP(phys_aliased), PHYS_API(D_NMI, 6, 4, IDS32), "5",
	  false, B_KVM },
	{ "USE_32BIT_IDS: ID 5, not aliased", SETUP(phys_aliased), PHYS_API(D_FIX, 5, 0, IDS32),
	  "4", false, B_ARCH },
	{ "lowest priority to ID 0", SETUP(phys_aliased), PHYS(D_LOW, 0, 4), "0 1", true,
	  B_KVM },
	{ "lowest priority to ID 6", SETUP(phys_aliased), PHYS(D_LOW, 6, 4), "6", true, B_KVM },
};

TEST(physical_aliased)
{
	CHECK(phys_aliased_cases);
}

/* Logical, xAPIC flat */

/*
 * SDM "Logical Destination Mode", flat model: accepted where MDA AND the
 * logical APIC ID is non-zero; all 1s is the broadcast.
 */
static const struct apic_model_cpu flat[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	XA(1, 0x02, FLAT, ON),		/* 1 */
	XA(2, 0x04, FLAT, ON),		/* 2 */
	XA(3, 0x80, FLAT, ON),		/* 3 */
	XA(4, 0x10, FLAT, OFF),		/* 4 */
	HWOFF(5, 0x20),			/* 5 */
};

/* LDR 0: what the broadcast does to an APIC with no logical ID is not said. */
static const struct apic_model_cpu flat_ldr0[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	XA(1, 0x00, FLAT, ON),		/* 1 */
	XA(2, 0x04, FLAT, ON),		/* 2 */
	XA(3, 0x00, FLAT, OFF),		/* 3 */
};

static const struct model_case flat_cases[] = {
	{ "bit 0", SETUP(flat), LOGI(D_FIX, 0x01, 0), "0", false, B_ARCH, "flat model" },
	{ "bit 1", SETUP(flat), LOGI(D_FIX, 0x02, 0), "1", false, B_ARCH },
	{ "bit 2", SETUP(flat), LOGI(D_FIX, 0x04, 0), "2", false, B_ARCH },
	{ "bit 7", SETUP(flat), LOGI(D_FIX, 0x80, 0), "3", false, B_ARCH },
	{ "bits 0-1", SETUP(flat), LOGI(D_FIX, 0x03, 1), "0 1", false, B_ARCH },
	{ "bits 1, 2, 7", SETUP(flat), LOGI(D_FIX, 0x86, 0), "1 2 3", false, B_ARCH },
	{ "bit 3, nobody", SETUP(flat), LOGI(D_FIX, 0x08, 0), "", false, B_ARCH },
	{ "bitmap 0", SETUP(flat), LOGI(D_FIX, 0x00, 0), "", false, B_ARCH },
	{ "bit 4, software-disabled, fixed", SETUP(flat), LOGI(D_FIX, 0x10, 0), "", false,
	  B_ARCH },
	/* KVM's optimized logical map leaves this APIC out: a known deviation. */
	{ "bit 4, software-disabled, NMI", SETUP(flat), LOGI(D_NMI, 0x10, 0), "4", false, B_ARCH },
	{ "bit 5, hardware-disabled", SETUP(flat), LOGI(D_FIX, 0x20, 0), "", false, B_ARCH },
	{ "bit 5, hardware-disabled, NMI", SETUP(flat), LOGI(D_NMI, 0x20, 0), "", false, B_ARCH },
	{ "bits 0-4, fixed", SETUP(flat), LOGI(D_FIX, 0x1f, 0), "0 1 2", false, B_ARCH },
	{ "bits 0-4, NMI", SETUP(flat), LOGI(D_NMI, 0x1f, 0), "0 1 2 4", false, B_ARCH },
	{ "broadcast 0xff, fixed", SETUP(flat), LOGI(D_FIX, 0xff, 0), "0 1 2 3", false, B_ARCH,
	  "all 1s is a broadcast" },
	{ "broadcast 0xff, NMI", SETUP(flat), LOGI(D_NMI, 0xff, 2), "0 1 2 3 4", false, B_ARCH },
	{ "broadcast 0xff with an LDR of 0", SETUP(flat_ldr0), LOGI(D_FIX, 0xff, 0), "0 1 2",
	  false, B_KVM, "LDR 0 included" },
	{ "broadcast 0xff with LDRs of 0, NMI", SETUP(flat_ldr0), LOGI(D_NMI, 0xff, 0),
	  "0 1 2 3", false, B_KVM },
	{ "LDR 0 beside, bits 0 and 2", SETUP(flat_ldr0), LOGI(D_FIX, 0x05, 0), "0 2", false,
	  B_ARCH },
	{ "LDR 0 beside, 0xfe", SETUP(flat_ldr0), LOGI(D_FIX, 0xfe, 0), "2", false, B_ARCH },
};

TEST(logical_flat)
{
	CHECK(flat_cases);
}

/* Logical, xAPIC cluster */

/*
 * SDM "Logical Destination Mode", cluster model: MDA[7:4] = LDR[31:28] and
 * MDA[3:0] AND LDR[27:24] non-zero; all 1s is the broadcast; clusters are
 * 0-14.
 */
static const struct apic_model_cpu cluster[] = {
	XA(0, 0x11, CLUS, ON),		/* 0: cluster 1, bit 0 */
	XA(1, 0x12, CLUS, ON),		/* 1: cluster 1, bit 1 */
	XA(2, 0x21, CLUS, ON),		/* 2: cluster 2, bit 0 */
	XA(3, 0x28, CLUS, ON),		/* 3: cluster 2, bit 3 */
	XA(4, 0x01, CLUS, ON),		/* 4: cluster 0, bit 0 */
	XA(5, 0x14, CLUS, OFF),		/* 5: cluster 1, bit 2 */
	HWOFF(6, 0x18),			/* 6 */
};

static const struct apic_model_cpu cluster_ldr0[] = {
	XA(0, 0x11, CLUS, ON),		/* 0: cluster 1, bit 0 */
	XA(1, 0x00, CLUS, ON),		/* 1: cluster 0, no bit */
	XA(2, 0x30, CLUS, ON),		/* 2: cluster 3, no bit */
};

static const struct model_case cluster_cases[] = {
	{ "cluster 1 bit 0", SETUP(cluster), LOGI(D_FIX, 0x11, 0), "0", false, B_ARCH,
	  "cluster model" },
	{ "cluster 1 bit 1", SETUP(cluster), LOGI(D_FIX, 0x12, 0), "1", false, B_ARCH },
	{ "cluster 1 bits 0-1", SETUP(cluster), LOGI(D_FIX, 0x13, 2), "0 1", false, B_ARCH },
	{ "cluster 2 bit 0, not cluster 1's", SETUP(cluster), LOGI(D_FIX, 0x21, 0), "2", false,
	  B_ARCH },
	{ "cluster 2 bits 0 and 3", SETUP(cluster), LOGI(D_FIX, 0x29, 0), "2 3", false, B_ARCH },
	{ "cluster 2 bit 3", SETUP(cluster), LOGI(D_FIX, 0x28, 0), "3", false, B_ARCH },
	{ "cluster 0 bit 0", SETUP(cluster), LOGI(D_FIX, 0x01, 0), "4", false, B_ARCH },
	{ "cluster 0 bit 1, nobody", SETUP(cluster), LOGI(D_FIX, 0x02, 0), "", false, B_ARCH },
	{ "cluster 2 bit 1, nobody", SETUP(cluster), LOGI(D_FIX, 0x22, 0), "", false, B_ARCH },
	{ "cluster 3, absent", SETUP(cluster), LOGI(D_FIX, 0x31, 0), "", false, B_ARCH },
	{ "cluster 1, bitmap 0", SETUP(cluster), LOGI(D_FIX, 0x10, 0), "", false, B_ARCH },
	{ "cluster 2, bitmap 0", SETUP(cluster), LOGI(D_FIX, 0x20, 0), "", false, B_ARCH },
	{ "cluster 1 all bits, fixed", SETUP(cluster), LOGI(D_FIX, 0x1f, 0), "0 1", false,
	  B_ARCH },
	{ "cluster 1 all bits, NMI", SETUP(cluster), LOGI(D_NMI, 0x1f, 0), "0 1 5", false,
	  B_ARCH },
	{ "cluster 1 bit 3, hardware-disabled", SETUP(cluster), LOGI(D_NMI, 0x18, 0), "", false,
	  B_ARCH },
	{ "broadcast 0xff, fixed", SETUP(cluster), LOGI(D_FIX, 0xff, 0), "0 1 2 3 4", false,
	  B_ARCH, "cluster model: all 1s" },
	{ "broadcast 0xff, NMI", SETUP(cluster), LOGI(D_NMI, 0xff, 0), "0 1 2 3 4 5", false,
	  B_ARCH },
	{ "cluster 15 is not an ordinary cluster", SETUP(cluster), LOGI(D_FIX, 0xf1, 0), "",
	  false, B_KVM, "ordinary cluster" },
	{ "broadcast with bitmaps of 0", SETUP(cluster_ldr0), LOGI(D_FIX, 0xff, 0), "0 1 2",
	  false, B_KVM },
	{ "bitmap-0 APICs beside, cluster 1 bit 0", SETUP(cluster_ldr0), LOGI(D_FIX, 0x11, 0),
	  "0", false, B_ARCH },
	{ "cluster 3 all bits, its APIC has none", SETUP(cluster_ldr0), LOGI(D_FIX, 0x3f, 0), "",
	  false, B_ARCH },
	{ "cluster 0 all bits, its APIC has none", SETUP(cluster_ldr0), LOGI(D_FIX, 0x0f, 0), "",
	  false, B_ARCH },
};

TEST(logical_cluster)
{
	CHECK(cluster_cases);
}

/* Logical, x2APIC cluster */

/*
 * SDM "Logical Destination Mode in x2APIC Mode": dest[31:16] = LDR[31:16]
 * and dest[15:0] AND LDR[15:0] non-zero; "Deriving Logical x2APIC ID from
 * the Local x2APIC ID": LDR = ID[19:4] << 16 | 1 << ID[3:0].
 */
static const struct apic_model_cpu x2cluster[] = {
	X2(0, 0x00000001, ON),		/* 0 */
	X2(1, 0x00000002, ON),		/* 1 */
	X2(15, 0x00008000, ON),		/* 2 */
	X2(16, 0x00010001, ON),		/* 3 */
	X2(0x123, 0x00120008, ON),	/* 4 */
	X2(0x125, 0x00120020, ON),	/* 5 */
	X2(0xfff, 0x00ff8000, ON),	/* 6 */
	X2(17, 0x00010002, OFF),	/* 7 */
};

static const struct model_case x2cluster_cases[] = {
	{ "cluster 0 bit 0", SETUP(x2cluster), LOGI(D_FIX, 0x00000001, 0), "0", false, B_ARCH,
	  "'Logical Destination Mode in x2APIC Mode'" },
	{ "cluster 1 bit 0", SETUP(x2cluster), LOGI(D_FIX, 0x00010001, 0), "3", false, B_ARCH },
	{ "cluster 0 bits 0-1", SETUP(x2cluster), LOGI(D_FIX, 0x00000003, 0), "0 1", false,
	  B_ARCH },
	{ "cluster 0 bit 15", SETUP(x2cluster), LOGI(D_FIX, 0x00008000, 0), "2", false, B_ARCH },
	{ "cluster 0 bits 0, 1, 15", SETUP(x2cluster), LOGI(D_FIX, 0x00008003, 0), "0 1 2",
	  false, B_ARCH },
	{ "cluster 0 bits 0-7", SETUP(x2cluster), LOGI(D_FIX, 0x000000ff, 0), "0 1", false,
	  B_ARCH },
	{ "cluster 0 all bits", SETUP(x2cluster), LOGI(D_FIX, 0x0000ffff, 0), "0 1 2", false,
	  B_ARCH },
	{ "ID 0x123: cluster 0x12 bit 3", SETUP(x2cluster), LOGI(D_FIX, 0x00120008, 0), "4",
	  false, B_ARCH },
	{ "IDs 0x123, 0x125", SETUP(x2cluster), LOGI(D_FIX, 0x00120028, 6), "4 5", false,
	  B_ARCH },
	{ "ID 0xfff: cluster 0xff bit 15", SETUP(x2cluster), LOGI(D_FIX, 0x00ff8000, 0), "6",
	  false, B_ARCH },
	{ "cluster 0x12, bitmap 0", SETUP(x2cluster), LOGI(D_FIX, 0x00120000, 0), "", false,
	  B_ARCH },
	{ "cluster 0xff, bitmap 0", SETUP(x2cluster), LOGI(D_FIX, 0x00ff0000, 0), "", false,
	  B_ARCH },
	{ "cluster 0x13, nobody", SETUP(x2cluster), LOGI(D_FIX, 0x00130008, 0), "", false,
	  B_ARCH },
	{ "cluster 1 bits 0-1, fixed", SETUP(x2cluster), LOGI(D_FIX, 0x00010003, 0), "3", false,
	  B_ARCH },
	{ "cluster 1 bits 0-1, NMI", SETUP(x2cluster), LOGI(D_NMI, 0x00010003, 0), "3 7", false,
	  B_ARCH },
	{ "cluster 1 bit 0 from ID 0x123", SETUP(x2cluster), LOGI(D_FIX, 0x00010001, 4), "3",
	  false, B_ARCH },
	{ "broadcast 0xffffffff, fixed", SETUP(x2cluster), LOGI(D_FIX, 0xffffffff, 0),
	  "0 1 2 3 4 5 6", false, B_ARCH, "FFFF_FFFFH" },
	{ "broadcast 0xffffffff, NMI", SETUP(x2cluster), LOGI(D_NMI, 0xffffffff, 0), "all",
	  false, B_ARCH },
};

TEST(x2apic_cluster)
{
	CHECK(x2cluster_cases);
}

/* Shorthands */

/*
 * SDM "Broadcast/Self Delivery Mode": the destination and its mode are
 * ignored.  Fixed with every shorthand, NMI with all-excluding-self: valid
 * (the table of valid ICR combinations).
 */
static const struct apic_model_cpu shorthand[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	XA(1, 0x02, FLAT, ON),		/* 1 */
	XA(2, 0x04, FLAT, OFF),		/* 2 */
	HWOFF(3, 0x08),			/* 3 */
	XA(4, 0x10, FLAT, ON),		/* 4 */
};

static const struct model_case shorthand_cases[] = {
	{ "self", SETUP(shorthand), SHORT(D_FIX, SELF, 0), "0", false, B_ARCH, "(self)" },
	{ "self from vCPU 4", SETUP(shorthand), SHORT(D_FIX, SELF, 4), "4", false, B_ARCH },
	{ "self, software-disabled sender", SETUP(shorthand), SHORT(D_FIX, SELF, 2), "", false,
	  B_ARCH },
	{ "all including self", SETUP(shorthand), SHORT(D_FIX, ALL_INCLUDING_SELF, 0), "0 1 4",
	  false, B_ARCH, "all including self" },
	{ "all including self, software-disabled sender", SETUP(shorthand),
	  SHORT(D_FIX, ALL_INCLUDING_SELF, 2), "0 1 4", false, B_ARCH },
	{ "all excluding self", SETUP(shorthand), SHORT(D_FIX, ALL_EXCLUDING_SELF, 0), "1 4",
	  false, B_ARCH, "all excluding self" },
	{ "all excluding self from vCPU 4", SETUP(shorthand),
	  SHORT(D_FIX, ALL_EXCLUDING_SELF, 4), "0 1", false, B_ARCH },
	{ "all excluding self, software-disabled sender", SETUP(shorthand),
	  SHORT(D_FIX, ALL_EXCLUDING_SELF, 2), "0 1 4", false, B_ARCH },
	{ "all excluding self, NMI", SETUP(shorthand), SHORT(D_NMI, ALL_EXCLUDING_SELF, 0),
	  "1 2 4", false, B_ARCH },
	{ "all excluding self, NMI, software-disabled sender", SETUP(shorthand),
	  SHORT(D_NMI, ALL_EXCLUDING_SELF, 2), "0 1 4", false, B_ARCH },
	{ "x2APIC: all excluding self", SETUP(x2cluster), SHORT(D_FIX, ALL_EXCLUDING_SELF, 3),
	  "0 1 2 4 5 6", false, B_ARCH },
	{ "x2APIC: all excluding self, NMI", SETUP(x2cluster),
	  SHORT(D_NMI, ALL_EXCLUDING_SELF, 3), "all -3", false, B_ARCH },
	{ "x2APIC: all including self", SETUP(x2cluster), SHORT(D_FIX, ALL_INCLUDING_SELF, 0),
	  "0 1 2 3 4 5 6", false, B_ARCH },
	{ "x2APIC: self", SETUP(x2cluster), SHORT(D_FIX, SELF, 6), "6", false, B_ARCH },
};

TEST(shorthands)
{
	CHECK(shorthand_cases);
}

/* Delivery modes */

static const struct apic_model_cpu modes[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	XA(1, 0x02, FLAT, ON),		/* 1 */
	XA(2, 0x04, FLAT, OFF),		/* 2 */
	XA(3, 0x08, FLAT, ON),		/* 3 */
	HWOFF(4, 0x10),			/* 4 */
};

static const struct model_case mode_cases[] = {
	{ "fixed to software-disabled ID 2", SETUP(modes), PHYS(D_FIX, 2, 0), "", false, B_ARCH },
	{ "NMI to software-disabled ID 2", SETUP(modes), PHYS(D_NMI, 2, 0), "2", false, B_ARCH },
	{ "fixed, bits 0-2", SETUP(modes), LOGI(D_FIX, 0x07, 0), "0 1", false, B_ARCH },
	{ "NMI, bits 0-2", SETUP(modes), LOGI(D_NMI, 0x07, 0), "0 1 2", false, B_ARCH },
	{ "NMI to hardware-disabled ID 4", SETUP(modes), PHYS(D_NMI, 4, 0), "", false, B_ARCH },
	{ "NMI to hardware-disabled bit 4", SETUP(modes), LOGI(D_NMI, 0x10, 0), "", false,
	  B_ARCH },
	{ "NMI ignores the vector", SETUP(modes), PHYS_V(D_NMI, 0x00, 1, 0), "1", false, B_ARCH },
	{ "lowest priority to ID 1", SETUP(modes), PHYS(D_LOW, 1, 0), "1", true, B_KVM,
	  "model specific" },
	{ "lowest priority to software-disabled ID 2", SETUP(modes), PHYS(D_LOW, 2, 0), "",
	  false, B_KVM, "discarded" },
	{ "lowest priority to absent ID 9", SETUP(modes), PHYS(D_LOW, 9, 0), "", false, B_KVM },
	{ "lowest priority, bits 0-1", SETUP(modes), LOGI(D_LOW, 0x03, 0), "0 1", true, B_KVM },
	{ "lowest priority, bits 0, 1, 3", SETUP(modes), LOGI(D_LOW, 0x0b, 3), "0 1 3", true,
	  B_KVM },
	{ "fixed, illegal vector 15", SETUP(modes), PHYS_V(D_FIX, 0x0f, 1, 0), "1", false, B_INV,
	  "'Error Handling'" },
	{ "lowest priority, illegal vector 5", SETUP(modes), LOGI_V(D_LOW, 0x05, 0x03, 0), "0 1",
	  true, B_INV },
	{ "fixed, vector 16 is legal", SETUP(modes), PHYS_V(D_FIX, 0x10, 1, 0), "1", false,
	  B_ARCH },
};

TEST(delivery_modes)
{
	CHECK(mode_cases);
}

/* Lowest priority */

/*
 * SDM "Lowest Priority Delivery Mode": exactly one of the selected APICs.
 * Sending it as an IPI is model specific ("Interrupt Command Register
 * (ICR)"): KVM's choice.  Every APIC the destination names must be present
 * and enabled ("Logical Destination Mode", "Message Address Register
 * Format"), and broadcasts are not supported in physical and cluster mode.
 */
static const struct model_case lowest_cases[] = {
	{ "names a software-disabled APIC", SETUP(modes), LOGI(D_LOW, 0x07, 0), "0 1", true,
	  B_INV, "present and enabled" },
	{ "names a hardware-disabled APIC", SETUP(modes), LOGI(D_LOW, 0x11, 0), "0", true,
	  B_INV },
	{ "names an absent logical ID", SETUP(modes), LOGI(D_LOW, 0x21, 0), "0", true, B_INV },
	{ "bitmap 0", SETUP(modes), LOGI(D_LOW, 0x00, 0), "", false, B_KVM },
	{ "only a software-disabled APIC", SETUP(modes), LOGI(D_LOW, 0x04, 0), "", false, B_KVM,
	  "discarded" },
	{ "flat broadcast", SETUP(modes), LOGI(D_LOW, 0xff, 0), "0 1 3", true, B_KVM,
	  "lowest-priority broadcast" },
	{ "physical broadcast", SETUP(modes), PHYS(D_LOW, 0xff, 0), "0 1 3", true, B_INV,
	  "'Physical Destination Mode'" },
	{ "MSI, bits 0-1", SETUP(modes), LOGI(D_LOW, 0x03, MSI), "0 1", true, B_ARCH,
	  "'Message Data Register Format'" },
	{ "MSI, ID 3", SETUP(modes), PHYS(D_LOW, 3, MSI), "3", true, B_ARCH },
	{ "MSI, physical broadcast", SETUP(modes), PHYS(D_LOW, 0xff, MSI), "0 1 3", true, B_INV },
	{ "MSI, names a software-disabled APIC", SETUP(modes), LOGI(D_LOW, 0x07, MSI), "0 1",
	  true, B_INV },
	{ "all excluding self", SETUP(modes), SHORT(D_LOW, ALL_EXCLUDING_SELF, 0), "1 3", true,
	  B_KVM, "return to the sender" },
	{ "all excluding self, software-disabled sender", SETUP(modes),
	  SHORT(D_LOW, ALL_EXCLUDING_SELF, 2), "0 1 3", true, B_KVM },
	{ "cluster broadcast", SETUP(cluster), LOGI(D_LOW, 0xff, 0), "0 1 2 3 4", true, B_INV,
	  "cluster model" },
	{ "cluster 1 bits 0-1", SETUP(cluster), LOGI(D_LOW, 0x13, 0), "0 1", true, B_KVM },
	{ "cluster 1 bit 2 is software-disabled", SETUP(cluster), LOGI(D_LOW, 0x17, 0), "0 1",
	  true, B_INV },
	{ "x2APIC broadcast", SETUP(x2cluster), LOGI(D_LOW, 0xffffffff, 0), "0 1 2 3 4 5 6",
	  true, B_KVM },
	{ "x2APIC physical broadcast", SETUP(x2cluster), PHYS(D_LOW, 0xffffffff, 0),
	  "0 1 2 3 4 5 6", true, B_INV },
	{ "x2APIC IDs 0x123, 0x125", SETUP(x2cluster), LOGI(D_LOW, 0x00120028, 0), "4 5", true,
	  B_KVM },
	{ "x2APIC ID 0x124 absent", SETUP(x2cluster), LOGI(D_LOW, 0x00120018, 0), "4", true,
	  B_INV },
	{ "x2APIC cluster 1 names software-disabled ID 17", SETUP(x2cluster),
	  LOGI(D_LOW, 0x00010003, 0), "3", true, B_INV },
	{ "x2APIC ID 0x123", SETUP(x2cluster), PHYS(D_LOW, 0x123, 0), "4", true, B_KVM },
};

TEST(lowest_priority)
{
	CHECK(lowest_cases);
}

/* Logical IDs the architecture does not define */

/* SDM "Logical Destination Mode": enabled APICs must share one DFR. */
static const struct apic_model_cpu mixed_dfr[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	XA(1, 0x11, CLUS, ON),		/* 1: cluster 1, bit 0 */
	XA(2, 0x02, FLAT, ON),		/* 2 */
};

/* The cluster-model APIC is software-disabled: fixed interrupts are defined. */
static const struct apic_model_cpu mixed_dfr_off[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	XA(1, 0x11, CLUS, OFF),		/* 1 */
	XA(2, 0x02, FLAT, ON),		/* 2 */
};

static const struct apic_model_cpu logical_alias[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	XA(1, 0x01, FLAT, ON),		/* 1 */
	XA(2, 0x02, FLAT, ON),		/* 2 */
};

static const struct apic_model_cpu multibit[] = {
	XA(0, 0x03, FLAT, ON),		/* 0: bits 0 and 1 */
	XA(1, 0x04, FLAT, ON),		/* 1 */
};

static const struct apic_model_cpu cluster_alias[] = {
	XA(0, 0x11, CLUS, ON),		/* 0 */
	XA(1, 0x11, CLUS, ON),		/* 1 */
	XA(2, 0x21, CLUS, ON),		/* 2 */
	XA(3, 0x23, CLUS, ON),		/* 3: cluster 2, bits 0 and 1 */
};

static const struct model_case undefined_logical_cases[] = {
	{ "mixed DFR, 0x01", SETUP(mixed_dfr), LOGI(D_FIX, 0x01, 0), "0", false, B_KVM,
	  "own DFR" },
	{ "mixed DFR, 0x11", SETUP(mixed_dfr), LOGI(D_FIX, 0x11, 0), "0 1", false, B_KVM },
	{ "mixed DFR, 0x13", SETUP(mixed_dfr), LOGI(D_FIX, 0x13, 0), "0 1 2", false, B_KVM },
	{ "mixed DFR, 0x02", SETUP(mixed_dfr), LOGI(D_FIX, 0x02, 0), "2", false, B_KVM },
	{ "mixed DFR, broadcast", SETUP(mixed_dfr), LOGI(D_FIX, 0xff, 0), "0 1 2", false, B_KVM },
	{ "other DFR software-disabled, fixed", SETUP(mixed_dfr_off), LOGI(D_FIX, 0x11, 0), "0",
	  false, B_ARCH },
	{ "other DFR software-disabled, NMI selects it", SETUP(mixed_dfr_off),
	  LOGI(D_NMI, 0x11, 0), "0 1", false, B_INV, "per-vCPU loop" },
	{ "other DFR software-disabled, NMI passes it by", SETUP(mixed_dfr_off),
	  LOGI(D_NMI, 0x02, 0), "2", false, B_KVM },
	{ "aliased bit 0", SETUP(logical_alias), LOGI(D_FIX, 0x01, 2), "0 1", false, B_KVM,
	  "every APIC that matches" },
	{ "aliased bit 0 and bit 1", SETUP(logical_alias), LOGI(D_FIX, 0x03, 2), "0 1 2", false,
	  B_KVM },
	{ "bit 1, not aliased", SETUP(logical_alias), LOGI(D_FIX, 0x02, 0), "2", false, B_ARCH },
	{ "aliased, broadcast", SETUP(logical_alias), LOGI(D_FIX, 0xff, 0), "0 1 2", false,
	  B_ARCH },
	{ "aliased, lowest priority", SETUP(logical_alias), LOGI(D_LOW, 0x01, 2), "0 1", true,
	  B_KVM },
	{ "aliased, MSI", SETUP(logical_alias), LOGI(D_FIX, 0x01, MSI), "0 1", false, B_KVM },
	{ "two-bit LDR, bit 0", SETUP(multibit), LOGI(D_FIX, 0x01, 1), "0", false, B_KVM,
	  "several bits" },
	{ "two-bit LDR, bit 1", SETUP(multibit), LOGI(D_FIX, 0x02, 1), "0", false, B_KVM },
	{ "two-bit LDR beside, bit 2", SETUP(multibit), LOGI(D_FIX, 0x04, 0), "1", false,
	  B_ARCH },
	{ "two-bit LDR, bits 0 and 2", SETUP(multibit), LOGI(D_FIX, 0x05, 0), "0 1", false,
	  B_KVM },
	{ "two-bit LDR beside, bit 3", SETUP(multibit), LOGI(D_FIX, 0x08, 0), "", false, B_ARCH },
	{ "cluster, aliased", SETUP(cluster_alias), LOGI(D_FIX, 0x11, 2), "0 1", false, B_KVM },
	{ "cluster, aliased with a two-bit LDR", SETUP(cluster_alias), LOGI(D_FIX, 0x21, 0),
	  "2 3", false, B_KVM },
	{ "cluster, two-bit LDR", SETUP(cluster_alias), LOGI(D_FIX, 0x22, 0), "3", false,
	  B_KVM },
	{ "cluster, bit 1 of cluster 1", SETUP(cluster_alias), LOGI(D_FIX, 0x12, 0), "", false,
	  B_ARCH },
};

TEST(undefined_logical_ids)
{
	CHECK(undefined_logical_cases);
}

/* xAPIC and x2APIC mixed */

/*
 * Unsupported by the architecture.  KVM (lapic.c, above kvm_apic_mda()):
 * each target judged in its own mode; no dest & 0xff aliasing; x2APIC
 * FFFF_FFFFH is no xAPIC broadcast.
 */
static const struct apic_model_cpu mixed[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	X2(1, 0x00000002, ON),		/* 1 */
	X2(0x105, 0x00100020, ON),	/* 2: cluster 0x10, bit 5 */
	XA(5, 0x02, FLAT, ON),		/* 3 */
	X2(255, 0x000f8000, ON),	/* 4 */
};

/* x2APIC, with one software-disabled vCPU left in xAPIC mode. */
static const struct apic_model_cpu mixed_off[] = {
	X2(0, 0x00000001, ON),		/* 0 */
	X2(1, 0x00000002, ON),		/* 1 */
	XA(2, 0x04, FLAT, OFF),		/* 2 */
};

static const struct model_case mixed_cases[] = {
	{ "x2APIC sender, ID 0x105 is not xAPIC ID 5", SETUP(mixed), PHYS(D_FIX, 0x105, 1), "2",
	  false, B_KVM, "own mode" },
	{ "x2APIC sender, xAPIC ID 5", SETUP(mixed), PHYS(D_FIX, 5, 1), "3", false, B_KVM },
	{ "x2APIC sender, 0xffffffff", SETUP(mixed), PHYS(D_FIX, 0xffffffff, 1), "1 2 4", false,
	  B_KVM },
	{ "x2APIC sender, 0xff: KVM's two paths differ", SETUP(mixed), PHYS(D_FIX, 0xff, 1),
	  "0 3 4", false, B_INV },
	{ "x2APIC sender, logical 0x2: flat LDR 0x02 too", SETUP(mixed),
	  LOGI(D_FIX, 0x00000002, 1), "1 3", false, B_KVM },
	{ "x2APIC sender, logical cluster 0x10 bit 5", SETUP(mixed), LOGI(D_FIX, 0x00100020, 1),
	  "2", false, B_KVM },
	{ "x2APIC sender, logical 0xffffffff", SETUP(mixed), LOGI(D_FIX, 0xffffffff, 1),
	  "0 1 2 3 4", false, B_KVM },
	{ "x2APIC sender, all excluding self", SETUP(mixed), SHORT(D_FIX, ALL_EXCLUDING_SELF, 1),
	  "0 2 3 4", false, B_KVM },
	{ "x2APIC sender, self", SETUP(mixed), SHORT(D_FIX, SELF, 1), "1", false, B_ARCH },
	{ "xAPIC sender, 0xff", SETUP(mixed), PHYS(D_FIX, 0xff, 0), "0 3 4", false, B_KVM },
	{ "xAPIC sender, 0xff, broadcast quirk disabled", SETUP(mixed),
	  PHYS_API(D_FIX, 0xff, 0, NOQUIRK), "0 3 4", false, B_KVM },
	{ "xAPIC sender, x2APIC ID 1", SETUP(mixed), PHYS(D_FIX, 1, 0), "1", false, B_KVM },
	{ "xAPIC sender, logical 0xff", SETUP(mixed), LOGI(D_FIX, 0xff, 0), "0 1 3", false,
	  B_KVM },
	{ "xAPIC sender, logical 0x02", SETUP(mixed), LOGI(D_FIX, 0x02, 0), "1 3", false, B_KVM },
	{ "MSI 0xff", SETUP(mixed), PHYS(D_FIX, 0xff, MSI), "0 1 2 3 4", false, B_KVM },
	{ "MSI 0xff, broadcast quirk disabled", SETUP(mixed), PHYS_API(D_FIX, 0xff, MSI, NOQUIRK),
	  "0 3 4", false, B_KVM },
	{ "xAPIC vCPU left disabled: fixed, x2APIC only", SETUP(mixed_off),
	  LOGI(D_FIX, 0x00000002, 0), "1", false, B_ARCH },
	{ "xAPIC vCPU left disabled: NMI finds it by LDR", SETUP(mixed_off),
	  LOGI(D_NMI, 0x00000004, 0), "2", false, B_INV },
	{ "xAPIC vCPU left disabled: NMI by physical ID", SETUP(mixed_off), PHYS(D_NMI, 2, 0),
	  "2", false, B_KVM },
};

TEST(mixed_modes)
{
	CHECK(mixed_cases);
}

/* MSIs */

/*
 * SDM "Message Address Register Format": an 8-bit destination, matched as
 * for IPIs.  KVM (api.rst KVM_CAP_X2APIC_API, KVM_SET_GSI_ROUTING): with
 * USE_32BIT_IDS address_hi[31:8] extends it; FFH is a broadcast to x2APIC
 * targets unless DISABLE_BROADCAST_QUIRK.
 */
static const struct apic_model_cpu msi_xapic[] = {
	XA(0, 0x01, FLAT, ON),		/* 0 */
	XA(1, 0x02, FLAT, ON),		/* 1 */
	XA(2, 0x04, FLAT, ON),		/* 2 */
	XA(3, 0x08, FLAT, OFF),		/* 3 */
};

static const struct apic_model_cpu msi_x2apic[] = {
	X2(0, 0x00000001, ON),		/* 0 */
	X2(1, 0x00000002, ON),		/* 1 */
	X2(255, 0x000f8000, ON),	/* 2 */
	X2(256, 0x00100001, ON),	/* 3 */
};

/* vCPU 300 still in xAPIC mode (a hotplugged vCPU), its xAPIC ID 0x2c. */
static const struct apic_model_cpu hotplug[] = {
	X2(0, 0x00000001, ON),		/* 0 */
	XAV(0x2c, 300, 0x01, FLAT, ON),	/* 1 */
	X2(301, 0x00122000, ON),	/* 2: 0x12d, cluster 0x12, bit 13 */
	XAV(0x2d, 45, 0x02, FLAT, ON),	/* 3 */
};

static const struct model_case msi_cases[] = {
	{ "xAPIC ID 1", SETUP(msi_xapic), PHYS(D_FIX, 1, MSI), "1", false, B_ARCH },
	{ "xAPIC broadcast", SETUP(msi_xapic), PHYS(D_FIX, 0xff, MSI), "0 1 2", false, B_ARCH },
	{ "xAPIC broadcast, quirk disabled", SETUP(msi_xapic),
	  PHYS_API(D_FIX, 0xff, MSI, NOQUIRK), "0 1 2", false, B_ARCH },
	{ "xAPIC logical bits 0 and 2", SETUP(msi_xapic), LOGI(D_FIX, 0x05, MSI), "0 2", false,
	  B_ARCH },
	{ "xAPIC logical broadcast", SETUP(msi_xapic), LOGI(D_FIX, 0xff, MSI), "0 1 2", false,
	  B_ARCH },
	{ "xAPIC NMI to software-disabled ID 3", SETUP(msi_xapic), PHYS(D_NMI, 3, MSI), "3",
	  false, B_ARCH },
	{ "RH: fixed to logical bits 0-2, one of them", SETUP(msi_xapic), LOGI_RH(D_FIX, 0x07),
	  "0 1 2", true, B_ARCH, "RH=1" },
	{ "RH: fixed to xAPIC ID 1", SETUP(msi_xapic), PHYS_RH(D_FIX, 1), "1", true, B_ARCH,
	  "RH=1" },
	{ "RH with NMI: no expectation", SETUP(msi_xapic), LOGI_RH(D_NMI, 0x03), "", false,
	  B_INV, "redirection hint" },
	{ "8 bits without USE_32BIT_IDS: 0x101 is 0x01", SETUP(msi_xapic),
	  PHYS(D_FIX, 0x101, MSI), "1", false, B_ARCH },
	{ "USE_32BIT_IDS: 0x101 is nobody", SETUP(msi_xapic), PHYS_API(D_FIX, 0x101, MSI, IDS32),
	  "", false, B_KVM, "address_hi" },
	{ "x2APIC: 0xff, broadcast quirk", SETUP(msi_x2apic), PHYS(D_FIX, 0xff, MSI), "0 1 2 3",
	  false, B_KVM, "broadcast to x2APIC targets" },
	{ "x2APIC: 0xff, quirk disabled, ID 255", SETUP(msi_x2apic),
	  PHYS_API(D_FIX, 0xff, MSI, NOQUIRK), "2", false, B_KVM, "DISABLE_BROADCAST_QUIRK" },
	{ "x2APIC: logical 0xff, broadcast quirk", SETUP(msi_x2apic), LOGI(D_FIX, 0xff, MSI),
	  "0 1 2 3", false, B_KVM },
	{ "x2APIC: logical 0xff, quirk disabled, cluster 0", SETUP(msi_x2apic),
	  LOGI_API(D_FIX, 0xff, MSI, NOQUIRK), "0 1", false, B_KVM },
	{ "x2APIC: 0xff, USE_32BIT_IDS, quirk disabled", SETUP(msi_x2apic),
	  PHYS_API(D_FIX, 0xff, MSI, IDS32 | NOQUIRK), "2", false, B_KVM },
	{ "x2APIC: ID 1", SETUP(msi_x2apic), PHYS(D_FIX, 1, MSI), "1", false, B_KVM },
	{ "x2APIC: ID 256 with USE_32BIT_IDS", SETUP(msi_x2apic),
	  PHYS_API(D_FIX, 256, MSI, IDS32), "3", false, B_KVM },
	{ "x2APIC: 256 without USE_32BIT_IDS is ID 0", SETUP(msi_x2apic), PHYS(D_FIX, 256, MSI),
	  "0", false, B_KVM },
	{ "x2APIC: 0xffffffff with USE_32BIT_IDS, quirk disabled", SETUP(msi_x2apic),
	  PHYS_API(D_FIX, 0xffffffff, MSI, IDS32 | NOQUIRK), "0 1 2 3", false, B_KVM },
	{ "x2APIC: 0xffffffff with USE_32BIT_IDS and the quirk: no expectation",
	  SETUP(msi_x2apic), PHYS_API(D_FIX, 0xffffffff, MSI, IDS32), "", false, B_INV,
	  "drops it" },
	{ "x2APIC: 0x1ff with USE_32BIT_IDS, nobody", SETUP(msi_x2apic),
	  PHYS_API(D_FIX, 0x1ff, MSI, IDS32), "", false, B_KVM },
	{ "x2APIC: logical cluster 0x10 bit 0, USE_32BIT_IDS", SETUP(msi_x2apic),
	  LOGI_API(D_FIX, 0x00100001, MSI, IDS32), "3", false, B_KVM },
	{ "hotplug: vCPU ID 300 in xAPIC mode", SETUP(hotplug),
	  PHYS_API(D_FIX, 300, MSI, IDS32), "1", false, B_KVM, "hotplug" },
	{ "hotplug: its xAPIC ID 0x2c", SETUP(hotplug), PHYS_API(D_FIX, 0x2c, MSI, IDS32), "1",
	  false, B_ARCH },
	{ "hotplug: 300 without USE_32BIT_IDS is 0x2c", SETUP(hotplug), PHYS(D_FIX, 300, MSI),
	  "1", false, B_ARCH },
	{ "hotplug: x2APIC ID 301", SETUP(hotplug), PHYS_API(D_FIX, 301, MSI, IDS32), "2", false,
	  B_KVM },
	{ "hotplug: IPI to 300, no USE_32BIT_IDS", SETUP(hotplug), PHYS(D_FIX, 300, 0), "1",
	  false, B_INV },
	{ "hotplug: IPI to 300, USE_32BIT_IDS", SETUP(hotplug), PHYS_API(D_FIX, 300, 0, IDS32),
	  "1", false, B_KVM },
	{ "hotplug: IPI to xAPIC ID 0x2c", SETUP(hotplug), PHYS(D_FIX, 0x2c, 0), "1", false,
	  B_KVM },
	{ "hotplug: xAPIC sender to ID 0x2c", SETUP(hotplug), PHYS(D_FIX, 0x2c, 3), "1", false,
	  B_KVM },
};

TEST(msi)
{
	CHECK(msi_cases);
}

/* No optimized map: KVM's per-vCPU loop alone */

/*
 * Where KVM's optimized map and its per-vCPU loop disagree there is no
 * expectation; in a VM without the map (aliased physical IDs) the loop
 * alone routes, each target judged by kvm_apic_match_dest() in its own
 * mode, and its answer is KVM's choice.  Defined cases do not change.
 */
static const struct model_case map_off_cases[] = {
	{ "x2APIC sender to 300: the loop matches xAPIC vCPU 300's vCPU ID", SETUP(hotplug),
	  PHYS_LOOP(D_FIX, 300, 0), "1", false, B_KVM, "per-vCPU loop" },
	{ "x2APIC sender, 0xff: xAPIC targets broadcast, x2APIC ID 255", SETUP(mixed),
	  PHYS_LOOP(D_FIX, 0xff, 1), "0 3 4", false, B_KVM, "own mode" },
	{ "NMI to the software-disabled cluster APIC, mixed DFR", SETUP(mixed_dfr_off),
	  LOGI_LOOP(D_NMI, 0x11, 0), "0 1", false, B_KVM, "own DFR" },
	{ "x2APIC sender's NMI finds the disabled xAPIC vCPU by LDR", SETUP(mixed_off),
	  LOGI_LOOP(D_NMI, 0x00000004, 0), "2", false, B_KVM },
	{ "lowest priority names a software-disabled APIC", SETUP(modes),
	  LOGI_LOOP(D_LOW, 0x07, 0), "0 1", true, B_KVM, "one enabled candidate" },
	{ "lowest priority names an absent logical ID", SETUP(modes), LOGI_LOOP(D_LOW, 0x21, 0),
	  "0", true, B_KVM },
	{ "physical ID 1, as with the map", SETUP(modes), PHYS_LOOP(D_FIX, 1, 0), "1", false,
	  B_ARCH },
	{ "flat bits 0-2, as with the map", SETUP(modes), LOGI_LOOP(D_NMI, 0x07, 0), "0 1 2",
	  false, B_ARCH },
	{ "physical broadcast, lowest priority: still not supported", SETUP(modes),
	  PHYS_LOOP(D_LOW, 0xff, 0), "0 1 3", true, B_INV, "'Physical Destination Mode'" },
	{ "x2APIC sender, lowest priority to 0xff: a broadcast to xAPIC targets", SETUP(mixed),
	  PHYS_LOOP(D_LOW, 0xff, 1), "0 3 4", true, B_INV, "'Physical Destination Mode'" },
};

TEST(no_optimized_map)
{
	CHECK(map_off_cases);
}

/* Other doors: PV and Hyper-V IPIs, IOAPIC, irqfd */

/* xAPIC / x2APIC with a Hyper-V VP index of its own. */
#define XAVP(_id, _vcpu, _vp, _sw)						\
	{ .mode = APIC_MODE_XAPIC, .id = (_id), .vcpu_id = (_vcpu), .vp_index = (_vp), \
	  .dfr = FLAT, .sw_enabled = (_sw) }
#define X2VP(_id, _vp, _sw)							\
	{ .mode = APIC_MODE_X2APIC, .id = (_id), .vcpu_id = (_id), .vp_index = (_vp), \
	  .ldr = (((_id) >> 4) << 16) | (1u << ((_id) & 0xf)), .dfr = FLAT,	\
	  .sw_enabled = (_sw) }

/* KVM_HC_SEND_IPI from vCPU index @from: APIC IDs @min + each bit. */
#define PV(_dm, _min, _lo, _hi, _from)						\
	{ .door = APIC_DOOR_PV_IPI, .delivery_mode = (_dm), .vector = 0x41,	\
	  .dest = (_min), .bitmap = { (_lo), (_hi) }, .sender = (_from) }
#define PV_API(_dm, _min, _lo, _from, _api)					\
	{ .door = APIC_DOOR_PV_IPI, .delivery_mode = (_dm), .vector = 0x41,	\
	  .dest = (_min), .bitmap = { (_lo), 0 }, .sender = (_from), .x2apic_api = (_api) }
/* Hyper-V synthetic IPI from vCPU index @from to VP indexes set in the mask. */
#define HV(_dm, _vec, _lo, _hi, _flags, _from)					\
	{ .door = APIC_DOOR_HYPERV, .delivery_mode = (_dm), .vector = (_vec),	\
	  .bitmap = { (_lo), (_hi) }, .door_flags = (_flags), .sender = (_from) }
/* An IOAPIC redirection entry or an irqfd's MSI route. */
#define IOAPIC(_dm, _logical, _dest, _masked)					\
	{ .door = APIC_DOOR_IOAPIC, .delivery_mode = (_dm), .vector = 0x41,	\
	  .dest = (_dest), .logical = (_logical), .masked = (_masked), .sender = MSI }
#define IRQFD(_dm, _logical, _dest)						\
	{ .door = APIC_DOOR_IRQFD, .delivery_mode = (_dm), .vector = 0x41,	\
	  .dest = (_dest), .logical = (_logical), .sender = MSI }

/*
 * hypercalls.rst, KVM_HC_SEND_IPI: "Bit 0 of a0 corresponds to the APIC ID
 * in the third argument (a2), bit 1 corresponds to the APIC ID a2+1, and so
 * on"; the ICR gives vector and delivery mode.  APIC IDs, not vCPU IDs.
 */
static const struct apic_model_cpu pv[] = {
	XAV(0x02, 0, 0, FLAT, ON),	/* 0: vCPU 0, APIC ID 2 */
	XAV(0x00, 1, 0, FLAT, ON),	/* 1: vCPU 1, APIC ID 0 */
	X2(300, 0x00121000, ON),	/* 2 */
	XAV(0x07, 3, 0, FLAT, OFF),	/* 3 */
	HWOFF(0x09, 0),			/* 4 */
};

static const struct apic_model_cpu pv_alias[] = {
	XAV(0x01, 0, 0, FLAT, ON),	/* 0 */
	XAV(0x01, 1, 0, FLAT, ON),	/* 1 */
	XAV(0x02, 2, 0, FLAT, ON),	/* 2 */
};

static const struct model_case pv_cases[] = {
	{ "APIC ID 0 is vCPU 1", SETUP(pv), PV(D_FIX, 0, 0x1, 0, 0), "1", false, B_ABI,
	  "a2 + i" },
	{ "APIC IDs 0 and 2", SETUP(pv), PV(D_FIX, 0, 0x5, 0, 1), "0 1", false, B_ABI },
	{ "APIC ID 300 from base 300", SETUP(pv), PV(D_FIX, 300, 0x1, 0, 0), "2", false, B_ABI },
	{ "APIC ID 300 as bit 64 of base 236", SETUP(pv), PV(D_FIX, 236, 0, 0x1, 0), "2", false,
	  B_ABI },
	{ "software-disabled APIC ID 7, fixed", SETUP(pv), PV(D_FIX, 7, 0x1, 0, 0), "", false,
	  B_ABI },
	{ "software-disabled APIC ID 7, NMI", SETUP(pv), PV(D_NMI, 7, 0x1, 0, 0), "3", false,
	  B_ABI },
	{ "hardware-disabled APIC ID 9", SETUP(pv), PV(D_NMI, 9, 0x1, 0, 0), "", false, B_ABI },
	{ "0xff is an ID, not a broadcast", SETUP(pv), PV(D_FIX, 0xf0, 0x8000, 0, 0), "", false,
	  B_ABI },
	{ "lowest priority: every named APIC", SETUP(pv), PV(D_LOW, 0, 0x5, 0, 0), "0 1", false,
	  B_KVM, "every named APIC" },
	{ "logical mode is refused", SETUP(pv),
	  { .door = APIC_DOOR_PV_IPI, .delivery_mode = D_FIX, .vector = 0x41, .logical = true,
	    .bitmap = { 1, 0 } }, "", false, B_INV, "KVM_HC_SEND_IPI" },
	{ "aliased APIC ID 1", SETUP(pv_alias), PV(D_FIX, 1, 0x1, 0, 2), "0 1", false, B_KVM,
	  "every APIC with the named ID" },
	{ "aliased APIC ID 1, 32-bit IDs: the first vCPU", SETUP(pv_alias),
	  PV_API(D_FIX, 1, 0x1, 2, IDS32), "0", false, B_KVM, "first vCPU" },
	{ "from the host: no such door", SETUP(pv), PV(D_FIX, 0, 0x1, 0, MSI), "", false, B_INV,
	  "door" },
};

/*
 * Hyper-V TLFS, HvCallSendSyntheticClusterIpi(Ex): a fixed vector
 * (0x10-0xff) to the virtual processors of a mask or VP set, named by VP
 * index, which is neither the vCPU ID nor the APIC ID.
 */
static const struct apic_model_cpu hv[] = {
	XAVP(0x00, 0, 3, ON),		/* 0 */
	XAVP(0x05, 5, 0, ON),		/* 1 */
	X2VP(300, 1, ON),		/* 2 */
	XAVP(0x07, 7, 2, OFF),		/* 3 */
	XAVP(0x08, 8, 70, ON),		/* 4 */
};

static const struct model_case hv_cases[] = {
	{ "VP 0 is vCPU 5", SETUP(hv), HV(D_FIX, 0x41, 0x1, 0, 0, 0), "1", false, B_ABI,
	  "virtual processor" },
	{ "VPs 1 and 3", SETUP(hv), HV(D_FIX, 0x41, 0xa, 0, APIC_DOOR_HV_FAST, 1), "0 2", false,
	  B_ABI },
	{ "VP 2 is software-disabled", SETUP(hv), HV(D_FIX, 0x41, 0x4, 0, 0, 0), "", false,
	  B_ABI },
	{ "VP 70, bank 1", SETUP(hv), HV(D_FIX, 0x41, 0, 0x40, APIC_DOOR_HV_EX, 0), "4", false,
	  B_ABI },
	{ "all VPs", SETUP(hv), HV(D_FIX, 0x41, 0, 0, APIC_DOOR_HV_EX | APIC_DOOR_HV_ALL, 1),
	  "0 1 2 4", false, B_ABI },
	{ "no NMI", SETUP(hv), HV(D_NMI, 0x41, 0x1, 0, 0, 0), "", false, B_INV, "fixed vector" },
	{ "vector 0x0f", SETUP(hv), HV(D_FIX, 0x0f, 0x1, 0, 0, 0), "1", false, B_INV,
	  "0x10-0xff" },
	{ "from the host: no such door", SETUP(hv), HV(D_FIX, 0x41, 0x1, 0, 0, MSI), "", false,
	  B_INV },
};

/*
 * 82093AA datasheet, "I/O Redirection Table Registers": an entry sends an
 * MSI-like message (SDM "Message Address Register Format" for the
 * destination); masked, nothing.  An irqfd bound to an MSI route: an MSI.
 */
static const struct model_case device_cases[] = {
	{ "IOAPIC, physical 1", SETUP(msi_xapic), IOAPIC(D_FIX, false, 1, false), "1", false,
	  B_ARCH, "82093AA" },
	{ "IOAPIC, masked", SETUP(msi_xapic), IOAPIC(D_FIX, false, 1, true), "", false, B_ARCH,
	  "mask set" },
	{ "IOAPIC, logical 0x03", SETUP(msi_xapic), IOAPIC(D_FIX, true, 0x03, false), "0 1",
	  false, B_ARCH },
	{ "IOAPIC, lowest priority 0x03", SETUP(msi_xapic), IOAPIC(D_LOW, true, 0x03, false),
	  "0 1", true, B_ARCH },
	{ "IOAPIC, NMI to software-disabled 3", SETUP(msi_xapic), IOAPIC(D_NMI, false, 3, false),
	  "3", false, B_ARCH },
	{ "IOAPIC, 0xff to x2APIC targets: the quirk", SETUP(msi_x2apic),
	  IOAPIC(D_FIX, false, 0xff, false), "0 1 2 3", false, B_KVM },
	{ "irqfd, physical 2", SETUP(msi_xapic), IRQFD(D_FIX, false, 2), "2", false, B_ARCH,
	  "KVM_IRQFD" },
	{ "irqfd, logical 0x05", SETUP(msi_xapic), IRQFD(D_FIX, true, 0x05), "0 2", false,
	  B_ARCH },
	{ "IOAPIC from a vCPU: no such door", SETUP(msi_xapic),
	  { .door = APIC_DOOR_IOAPIC, .delivery_mode = D_FIX, .vector = 0x41, .dest = 1 },
	  "", false, B_INV, "door" },
};

/*
 * SDM "MP Initialization Protocol Algorithm", "Local APIC State After It
 * Has Been Software Disabled": INIT and start-up IPIs reach APICs that are
 * software-disabled too, never hardware-disabled ones; with the self and
 * all-including-self shorthands they are invalid ("Valid Combinations ...").
 */
#define D_INIT	APIC_DELIVERY_INIT
#define D_SIPI	APIC_DELIVERY_STARTUP

static const struct model_case init_cases[] = {
	{ "INIT to APIC ID 1", SETUP(modes), PHYS(D_INIT, 1, 0), "1", false, B_ARCH,
	  "MP Initialization" },
	{ "INIT to software-disabled ID 2", SETUP(modes), PHYS(D_INIT, 2, 0), "2", false, B_ARCH },
	{ "INIT to hardware-disabled ID 4", SETUP(modes), PHYS(D_INIT, 4, 0), "", false, B_ARCH },
	{ "start-up, flat bits 0-2", SETUP(modes), LOGI(D_SIPI, 0x07, 3), "0 1 2", false, B_ARCH },
	{ "start-up to an absent ID", SETUP(modes), PHYS(D_SIPI, 0x33, 0), "", false, B_ARCH },
	{ "INIT to all excluding self", SETUP(modes), SHORT(D_INIT, ALL_EXCLUDING_SELF, 0),
	  "1 2 3", false, B_ARCH },
	{ "INIT to self", SETUP(modes), SHORT(D_INIT, SELF, 0), "0", false, B_INV },
	{ "INIT to an aliased ID", SETUP(pv_alias), PHYS(D_INIT, 1, 2), "0 1", false, B_KVM },
	{ "INIT as an MSI", SETUP(modes), PHYS(D_INIT, 1, MSI), "", false, B_INV, "not modelled" },
};

TEST(init_and_startup)
{
	CHECK(init_cases);
}

TEST(pv_ipi)
{
	CHECK(pv_cases);
}

TEST(hyperv_ipi)
{
	CHECK(hv_cases);
}

TEST(ioapic_and_irqfd)
{
	CHECK(device_cases);
}

/* Invalid combinations and setups */

static const struct apic_model_cpu bad_dfr[] = {
	XA(0, 0x01, 0x5fffffff, ON),	/* 0: model 0101B */
	XA(1, 0x02, FLAT, ON),		/* 1 */
	XA(2, 0x04, 0xf0000000, ON),	/* 2: reserved bits 27:0 clear */
};

static const struct apic_model_cpu bad_x2_ldr[] = {
	X2(5, 0x00000001, ON),		/* 0: should be 0x00000020 */
	X2(1, 0x00000002, ON),		/* 1 */
};

static struct apic_model_cpu too_many[APIC_MODEL_MAX_CPUS + 1];

static const struct model_case invalid_cases[] = {
	{ "self, lowest priority", SETUP(shorthand), SHORT(D_LOW, SELF, 0), "0", true, B_INV,
	  "'Valid Combinations for the Pentium 4" },
	{ "self, NMI", SETUP(shorthand), SHORT(D_NMI, SELF, 0), "0", false, B_INV },
	{ "all including self, lowest priority", SETUP(shorthand),
	  SHORT(D_LOW, ALL_INCLUDING_SELF, 0), "0 1 4", true, B_INV },
	{ "all including self, NMI", SETUP(shorthand), SHORT(D_NMI, ALL_INCLUDING_SELF, 0),
	  "0 1 2 4", false, B_INV },
	{ "ExtINT is not modelled", SETUP(shorthand), PHYS(APIC_DELIVERY_EXTINT, 1, 0), "", false,
	  B_INV, "not modelled" },
	{ "SMI is not modelled", SETUP(shorthand), PHYS(APIC_DELIVERY_SMI, 1, 0), "", false,
	  B_INV },
	{ "MSI with a shorthand", SETUP(shorthand), SHORT(D_FIX, ALL_INCLUDING_SELF, MSI), "",
	  false, B_INV, "shorthand" },
	{ "hardware-disabled sender", SETUP(shorthand), PHYS(D_FIX, 0, 3), "", false, B_INV },
	{ "no such sender", SETUP(shorthand), PHYS(D_FIX, 0, 5), "", false, B_INV },
	{ "negative sender", SETUP(shorthand), PHYS(D_FIX, 0, -2), "", false, B_INV },
	{ "reserved DFR model", SETUP(bad_dfr), LOGI(D_FIX, 0x01, 1), "", false, B_INV, "DFR" },
	{ "DFR bits 27:0 clear", SETUP(bad_dfr), LOGI(D_FIX, 0x04, 1), "", false, B_INV },
	{ "reserved DFR, physical is fine", SETUP(bad_dfr), PHYS(D_FIX, 0, 1), "0", false,
	  B_ARCH },
	{ "x2APIC LDR not derived from the ID", SETUP(bad_x2_ldr),
	  LOGI(D_FIX, 0x00000001, 1), "0", false, B_INV, "Deriving" },
	{ "more CPUs than the model holds", SETUP(too_many), PHYS(D_FIX, 0, MSI), "", false,
	  B_INV },
};

TEST(invalid)
{
	CHECK(invalid_cases);
}

/* Many vCPUs */

/* 300 x2APIC vCPUs created in reverse: index i has x2APIC ID 299 - i. */
static struct apic_model_cpu rev_x2[300];
/* 300 xAPIC vCPUs, index = vCPU ID, xAPIC ID = vCPU ID & 0xff. */
static struct apic_model_cpu wrap_xapic[300];

static const struct model_case large_cases[] = {
	{ "x2APIC ID 256 is index 43", SETUP(rev_x2), PHYS(D_FIX, 256, 0), "43", false, B_ARCH },
	{ "x2APIC ID 0 is index 299", SETUP(rev_x2), PHYS(D_FIX, 0, 0), "299", false, B_ARCH },
	{ "x2APIC ID 299 from index 299", SETUP(rev_x2), PHYS(D_FIX, 299, 299), "0", false,
	  B_ARCH },
	{ "x2APIC IDs 256 and 259", SETUP(rev_x2), LOGI(D_FIX, 0x00100009, 7), "40 43", false,
	  B_ARCH },
	{ "x2APIC ID 0x12b (299)", SETUP(rev_x2), LOGI(D_FIX, 0x00120800, 7), "0", false,
	  B_ARCH },
	{ "x2APIC ID 0x12c absent", SETUP(rev_x2), LOGI(D_FIX, 0x00121000, 7), "", false,
	  B_ARCH },
	{ "x2APIC IDs 0x120-0x12b", SETUP(rev_x2), LOGI(D_FIX, 0x0012ffff, 7),
	  "0 1 2 3 4 5 6 7 8 9 10 11", false, B_ARCH },
	{ "x2APIC broadcast", SETUP(rev_x2), PHYS(D_FIX, 0xffffffff, 7), "all", false, B_ARCH },
	{ "x2APIC all but index 150", SETUP(rev_x2), SHORT(D_FIX, ALL_EXCLUDING_SELF, 150),
	  "all -150", false, B_ARCH },
	{ "xAPIC ID 5: vCPUs 5 and 261", SETUP(wrap_xapic), PHYS(D_FIX, 5, 0), "5 261", false,
	  B_KVM },
	{ "xAPIC ID 44: vCPU 44 alone", SETUP(wrap_xapic), PHYS(D_FIX, 44, 0), "44", false,
	  B_ARCH },
	{ "xAPIC ID 5, USE_32BIT_IDS: vCPU 5", SETUP(wrap_xapic), PHYS_API(D_FIX, 5, 0, IDS32),
	  "5", false, B_KVM },
	{ "xAPIC broadcast", SETUP(wrap_xapic), PHYS(D_FIX, 0xff, 299), "all", false, B_ARCH },
	{ "MSI to vCPU 261 in xAPIC mode", SETUP(wrap_xapic), PHYS_API(D_FIX, 261, MSI, IDS32),
	  "261", false, B_KVM },
};

TEST(many_vcpus)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rev_x2); i++) {
		uint32_t id = 299 - i;

		rev_x2[i] = (struct apic_model_cpu){
			.mode = APIC_MODE_X2APIC, .sw_enabled = true, .id = id,
			.vcpu_id = id, .ldr = (id >> 4) << 16 | 1u << (id & 0xf),
		};
	}
	for (i = 0; i < ARRAY_SIZE(wrap_xapic); i++)
		wrap_xapic[i] = (struct apic_model_cpu){
			.mode = APIC_MODE_XAPIC, .sw_enabled = true, .id = i & 0xff,
			.vcpu_id = i, .dfr = APIC_DFR_FLAT,
		};
	CHECK(large_cases);
}

/* Names and descriptions */

TEST(strings)
{
	static const char msi_str[] =
		"MSI lowest-priority vector 0x41 physical dest 0xff from the host (x2apic_api 0x2)";
	struct apic_model_irq irq = LOGI(D_FIX, 0x3, 2);
	char buf[160];

	irq.vector = 0x41;
	EXPECT_STREQ("ARCHITECTURAL", apic_model_basis_name(APIC_MODEL_ARCHITECTURAL));
	EXPECT_STREQ("KVM'S CHOICE", apic_model_basis_name(APIC_MODEL_KVM_CHOICE));
	EXPECT_STREQ("INVALID", apic_model_basis_name(APIC_MODEL_INVALID));

	EXPECT_STREQ("fixed vector 0x41 logical dest 0x3 from vCPU index 2",
		     apic_model_irq_str(&irq, buf, sizeof(buf)));

	irq = (struct apic_model_irq)PHYS_API(D_LOW, 0xff, MSI, NOQUIRK);
	EXPECT_STREQ(msi_str, apic_model_irq_str(&irq, buf, sizeof(buf)));

	irq = (struct apic_model_irq)SHORT(D_NMI, ALL_EXCLUDING_SELF, 0);
	EXPECT_STREQ("NMI vector 0x41 shorthand all-excluding-self from vCPU index 0",
		     apic_model_irq_str(&irq, buf, sizeof(buf)));

	/* A short buffer is cut, and still terminated. */
	memset(buf, 'x', sizeof(buf));
	apic_model_irq_str(&irq, buf, 8);
	EXPECT_STREQ("NMI vec", buf);
	EXPECT_EQ('x', buf[8]);
}

TEST_HARNESS_MAIN
