// SPDX-License-Identifier: GPL-2.0-only
/*
 * Families of interrupts for the IPI engine (see ipi_family.h).
 */
#include <sys/mman.h>
#include <unistd.h>

#include "apicv_watch.h"
#include "ipi_family.h"
#include "kvm_deviations.h"
#include "kvm_host.h"
#include "kvm_routing.h"

uint64_t family_seed = 1;

/* Totals over all families; the families run in child processes. */
struct family_totals {
	unsigned int families;
	unsigned int irqs;
	unsigned int checks[2];		/* targets halted, spinning */
	unsigned int deliveries[2];
	uint64_t ns[2];
};
static struct family_totals *totals;
static pid_t main_pid;

/* Mismatches a known deviation explained, in this test case so far. */
static unsigned int known_total, known_kinds;

static const uint8_t all_modes[] = {
	APIC_DELIVERY_FIXED, APIC_DELIVERY_LOWEST, APIC_DELIVERY_NMI,
};

static uint64_t per_second(unsigned int n, uint64_t ns)
{
	return ns ? n * 1000000000ull / ns : 0;
}

/* test_harness_run() exits; the totals are printed on the way out. */
static void print_totals(void)
{
	if (getpid() != main_pid)
		return;
	ksft_print_msg("cases checked: %u in total over %u families; targets halted: %u vCPU outcomes, %llu/s, %u deliveries, %llu/s; spinning: %u outcomes, %llu/s, %u deliveries, %llu/s\n",
		       totals->irqs, totals->families,
		       totals->checks[0],
		       (unsigned long long)per_second(totals->checks[0], totals->ns[0]),
		       totals->deliveries[0],
		       (unsigned long long)per_second(totals->deliveries[0], totals->ns[0]),
		       totals->checks[1],
		       (unsigned long long)per_second(totals->checks[1], totals->ns[1]),
		       totals->deliveries[1],
		       (unsigned long long)per_second(totals->deliveries[1], totals->ns[1]));
}

void family_totals_init(void)
{
	totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(totals != MAP_FAILED, "mmap");
	main_pid = getpid();
	atexit(print_totals);
}

void family_count_cases(unsigned int irqs, unsigned int checks, unsigned int deliveries)
{
	ksft_print_msg("cases checked: %u (vCPU outcomes %u, deliveries %u)\n", irqs, checks,
		       deliveries);
	if (!totals)
		return;
	__atomic_fetch_add(&totals->families, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->irqs, irqs, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->checks[0], checks, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->deliveries[0], deliveries, __ATOMIC_SEQ_CST);
}

static void add_totals(const struct ipi_result *h, const struct ipi_result *sp)
{
	if (!totals)
		return;
	__atomic_fetch_add(&totals->families, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->irqs, h->irqs + sp->irqs, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->checks[0], h->checks, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->checks[1], sp->checks, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->deliveries[0], h->deliveries, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->deliveries[1], sp->deliveries, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->ns[0], h->ns, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->ns[1], sp->ns, __ATOMIC_SEQ_CST);
}

struct ipi_cpu_state xapic_state(uint8_t id, uint32_t ldr, uint32_t dfr)
{
	struct ipi_cpu_state s = {
		.mode = APIC_MODE_XAPIC, .sw_enabled = true,
		.xapic_id = id, .ldr = ldr, .dfr = dfr,
	};

	return s;
}

struct ipi_cpu_state x2apic_state(void)
{
	struct ipi_cpu_state s = { .mode = APIC_MODE_X2APIC, .sw_enabled = true };

	return s;
}

/* The bystanders */

struct bystanders {
	unsigned int nr;
	uint32_t vcpu_ids[FAMILY_MAX_BYSTANDERS];
	uint8_t xapic_ids[FAMILY_MAX_BYSTANDERS];
};

/*
 * FAMILY_MAP_OFF: two vCPU IDs equal mod 256, which get the same xAPIC ID
 * at reset.  FAMILY_ID_MOVED: one vCPU and the free xAPIC ID it is moved
 * to.  Candidates near the top of the xAPIC range, which families leave
 * free; the first one none of whose IDs a vCPU of the family has is taken.
 */
static const struct bystanders map_off_candidates[] = {
	{ 2, { 0xfe, 0x1fe }, { 0xfe, 0xfe } },
	{ 2, { 0xfd, 0x2fd }, { 0xfd, 0xfd } },
	{ 2, { 0xfb, 0x3fb }, { 0xfb, 0xfb } },
};

static const struct bystanders id_moved_candidates[] = {
	{ 1, { 0xfc }, { 0xf7 } },
	{ 1, { 0xfa }, { 0xf3 } },
	{ 1, { 0xf9 }, { 0xf1 } },
};

static bool bystanders_clash(const struct bystanders *b, unsigned int nr, const uint32_t *ids)
{
	for (unsigned int i = 0; i < nr; i++)
		for (unsigned int j = 0; j < b->nr; j++)
			if ((ids[i] & 0xff) == (b->vcpu_ids[j] & 0xff) ||
			    (ids[i] & 0xff) == b->xapic_ids[j] || ids[i] == b->vcpu_ids[j])
				return true;
	return false;
}

static struct bystanders pick_bystanders(enum family_routing routing, unsigned int nr,
					 const uint32_t *ids)
{
	const struct bystanders *c = routing == FAMILY_MAP_OFF ? map_off_candidates :
				     id_moved_candidates;
	struct bystanders none = { 0 };

	if (routing == FAMILY_AS_IS)
		return none;
	for (unsigned int i = 0; i < ARRAY_SIZE(map_off_candidates); i++)
		if (!bystanders_clash(&c[i], nr, ids))
			return c[i];
	TEST_FAIL("no bystander vCPU IDs are free of the family's IDs");
	return none;
}

static void require_map_can_be_turned_off(uint64_t x2apic_api)
{
	TEST_REQUIRE_MSG(!(x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS),
			 "KVM keeps its optimized map with KVM_X2APIC_API_USE_32BIT_IDS (aliased xAPIC IDs go to the first vCPU, x86/errata.rst): its per-vCPU loop cannot be forced");
	TEST_REQUIRE_MSG(host_kernel_at_least(6, 3),
			 "before 6.3 aliased IDs do not turn KVM's optimized map off (kvm %s): its per-vCPU loop cannot be forced",
			 host_kernel_release());
}

/* The bystanders: xAPIC, enabled, no LDR, the DFR of the family's vCPU 0. */
static void bystander_states(struct family *f, struct ipi_cpu_state *st)
{
	uint32_t dfr = st[0].mode == APIC_MODE_XAPIC ? st[0].dfr : APIC_DFR_FLAT;

	for (unsigned int i = 0; i < f->nr_bystanders; i++)
		st[f->nr_vcpus + i] = xapic_state(f->bystander_ids[i], 0, dfr);
}

/* Each routing: its tag in labels, and what it did to KVM's paths. */
static const struct {
	const char *label, *note;
} routings[] = {
	[FAMILY_AS_IS] = { "", "" },
	[FAMILY_ID_MOVED] = { "[ID moved]", " (a bystander's xAPIC ID moved by the host)" },
	[FAMILY_MAP_OFF] = { "[map off]", " (map turned off by 2 vCPUs sharing an APIC ID)" },
};

static const char *routing_label(const struct family *f)
{
	return routings[f->routing].label;
}

static const char *routing_note(const struct family *f)
{
	return routings[f->routing].note;
}

/* Lifecycle */

struct family *family_start(const char *name, unsigned int nr_vcpus, const uint32_t *vcpu_ids,
			    uint64_t x2apic_api, enum family_routing routing)
{
	struct ipi_engine_options opts = { .x2apic_api = x2apic_api };

	return family_start_opts(name, nr_vcpus, vcpu_ids, &opts, routing);
}

/* The bystanders' states, written as the host would move an ID. */
static void add_bystanders(struct family *f)
{
	struct ipi_cpu_state st[FAMILY_MAX_VCPUS + FAMILY_MAX_BYSTANDERS];
	unsigned int nr = f->nr_vcpus + f->nr_bystanders;

	ipi_engine_set_bystanders(f->eng, f->nr_vcpus);
	memcpy(st, ipi_engine_state(f->eng), nr * sizeof(st[0]));
	bystander_states(f, st);
	ipi_engine_set_state(f->eng, st, IPI_STATE_BY_HOST);
}

/*
 * The inhibits the bystanders must cause (kvm_recalculate_apic_map(), 6.3+):
 * APIC_ID_MODIFIED while an xAPIC ID is not the vCPU ID, PHYSICAL_ID_ALIASED
 * while two vCPUs share one.  KVM stops its walk at the first shared ID, so
 * in a family whose own IDs alias, a moved ID shows as PHYSICAL_ID_ALIASED.
 */
static unsigned long bystander_inhibits(const struct family *f)
{
	if (f->routing == FAMILY_ID_MOVED)
		return APICV_INHIBIT(APIC_ID_MODIFIED) | APICV_INHIBIT(PHYSICAL_ID_ALIASED);
	if (f->routing == FAMILY_MAP_OFF)
		return APICV_INHIBIT(PHYSICAL_ID_ALIASED);
	return 0;
}

struct family *family_start_opts(const char *name, unsigned int nr_vcpus,
				 const uint32_t *vcpu_ids, const struct ipi_engine_options *o,
				 enum family_routing routing)
{
	uint32_t ids[FAMILY_MAX_VCPUS + FAMILY_MAX_BYSTANDERS] = { 0 };
	uint32_t vp[FAMILY_MAX_VCPUS + FAMILY_MAX_BYSTANDERS];
	struct family *f = calloc(1, sizeof(*f));
	struct ipi_engine_options opts = *o;
	struct bystanders b;
	unsigned int nr;

	TEST_ASSERT(f, "out of memory");
	TEST_ASSERT(nr_vcpus <= FAMILY_MAX_VCPUS, "%s: %u vCPUs, at most %u", name, nr_vcpus,
		    FAMILY_MAX_VCPUS);
	f->name = name;
	f->nr_vcpus = nr_vcpus;
	f->routing = routing;
	for (unsigned int i = 0; i < nr_vcpus; i++)
		ids[i] = vcpu_ids ? vcpu_ids[i] : i;
	if (routing == FAMILY_MAP_OFF)
		require_map_can_be_turned_off(opts.x2apic_api);
	b = pick_bystanders(routing, nr_vcpus, ids);
	f->nr_bystanders = b.nr;
	memcpy(&ids[nr_vcpus], b.vcpu_ids, b.nr * sizeof(ids[0]));
	memcpy(f->bystander_ids, b.xapic_ids, sizeof(f->bystander_ids));
	nr = nr_vcpus + b.nr;
	/* Bystanders get VP indexes past the family's. */
	for (unsigned int i = 0; opts.vp_index && i < nr; i++)
		vp[i] = i < nr_vcpus ? opts.vp_index[i] : 120 + i - nr_vcpus;
	if (opts.vp_index)
		opts.vp_index = vp;
	apicv_watch_start(&f->apicv);
	apicv_watch_expect(&f->apicv, bystander_inhibits(f));
	f->eng = ipi_engine_create_opts(nr, ids, &opts);
	if (f->nr_bystanders)
		add_bystanders(f);
	return f;
}

static void add_result(struct ipi_result *sum, const struct ipi_result *r)
{
	sum->irqs += r->irqs;
	sum->checks += r->checks;
	sum->deliveries += r->deliveries;
	sum->lost += r->lost;
	sum->spurious += r->spurious;
	sum->known += r->known;
	sum->known_kinds |= r->known_kinds;
	sum->kvm_choice += r->kvm_choice;
	sum->by_path[0] += r->by_path[0];
	sum->by_path[1] += r->by_path[1];
	sum->ns += r->ns;
}

static void print_family(const struct family *f, const struct ipi_result *r)
{
	const struct ipi_result *h = &f->by_style[0], *sp = &f->by_style[1];

	ksft_print_msg("%s%s: cases checked: %u (vCPU outcomes %u, deliveries %u, KVM's choice %u); KVM's paths: %s %u, %s %u%s; targets halted: %llu outcomes/s, %llu deliveries/s; spinning: %llu outcomes/s, %llu deliveries/s\n",
		       f->name, routing_label(f), r->irqs, r->checks, r->deliveries,
		       r->kvm_choice,
		       kvm_route_path_name(KVM_PATH_MAP), r->by_path[KVM_PATH_MAP],
		       kvm_route_path_name(KVM_PATH_LOOP), r->by_path[KVM_PATH_LOOP],
		       routing_note(f),
		       (unsigned long long)per_second(h->checks, h->ns),
		       (unsigned long long)per_second(h->deliveries, h->ns),
		       (unsigned long long)per_second(sp->checks, sp->ns),
		       (unsigned long long)per_second(sp->deliveries, sp->ns));
}

/* Print whether APICv / AVIC was in use when the family sent, and check the inhibits. */
static void check_apicv(struct family *f)
{
	struct apicv_watch *w = &f->apicv;
	char buf[512], names[128];

	apicv_watch_poll(w);
	ksft_print_msg("%s%s: APICv/AVIC %s\n", f->name, routing_label(f),
		       apicv_watch_str(w, buf, sizeof(buf)));
	if (apicv_watch_enabled(w) && host_kernel_at_least(6, 3))
		TEST_ASSERT(!w->missed,
			    "%s%s: KVM did not inhibit APICv/AVIC by %s at %u of %u send(s)",
			    f->name, routing_label(f),
			    apicv_inhibit_mask_str(w->any_of, names, sizeof(names)),
			    w->missed, w->sends);
	apicv_watch_stop(w);
}

void family_finish(struct family *f)
{
	struct ipi_result r = { 0 };
	bool defer = f->defer_verdict;

	add_result(&r, &f->by_style[0]);
	add_result(&r, &f->by_style[1]);
	print_family(f, &r);
	add_totals(&f->by_style[0], &f->by_style[1]);
	ipi_engine_free(f->eng);
	check_apicv(f);
	TEST_ASSERT(!f->mismatches, "%s: %u interrupt(s) not delivered as the model says (%u lost, %u spurious); seed 0x%llx",
		    f->name, f->mismatches, r.lost,
		    r.spurious, (unsigned long long)family_seed);
	known_total += r.known;
	known_kinds |= r.known_kinds;
	free(f);
	if (!defer)
		family_known_verdict();
}

void family_known_verdict(void)
{
	char what[1024] = "";
	size_t n = 0;

	if (!known_total)
		return;
	for (unsigned int d = 0; d < NR_KVM_DEVIATIONS && n < sizeof(what); d++)
		if (known_kinds & BIT(d))
			n += snprintf(what + n, sizeof(what) - n, " %s.", kvm_deviation_what(d));
	test_xfail("%u mismatch(es), all known KVM deviations on %s %s:%s", known_total,
		   kvm_backend(), host_kernel_release(), what);
}

/* State */

void family_state(struct family *f, const struct ipi_cpu_state *states,
		  enum ipi_state_writer writer)
{
	struct ipi_cpu_state st[FAMILY_MAX_VCPUS + FAMILY_MAX_BYSTANDERS];

	memcpy(st, states, f->nr_vcpus * sizeof(st[0]));
	bystander_states(f, st);
	ipi_engine_set_state(f->eng, st, writer);
}

const struct ipi_cpu_state *family_states(struct family *f)
{
	return ipi_engine_state(f->eng);
}

uint32_t family_vcpu_id(struct family *f, unsigned int cpu)
{
	return ipi_engine_vcpu_id(f->eng, cpu);
}

struct apic_model_cpu family_model_cpu(struct family *f, unsigned int cpu)
{
	return ipi_engine_model_cpu(f->eng, cpu);
}

/* Interrupt lists */

void family_add(struct family *f, const struct apic_model_irq *irq)
{
	TEST_ASSERT(f->nr < FAMILY_MAX_IRQS, "too many interrupts in family %s", f->name);
	f->irqs[f->nr++] = *irq;
}

struct apic_model_irq *add_irq(struct family *f, uint8_t dm, bool logical, uint8_t shorthand,
			       uint32_t dest)
{
	struct apic_model_irq *irq;

	TEST_ASSERT(f->nr < FAMILY_MAX_IRQS, "too many interrupts in family %s", f->name);
	irq = &f->irqs[f->nr++];
	memset(irq, 0, sizeof(*irq));
	irq->delivery_mode = dm;
	irq->logical = logical;
	irq->shorthand = shorthand;
	irq->dest = dest;
	return irq;
}

void add_dests(struct family *f, bool logical, const uint32_t *dests, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int m = 0; m < ARRAY_SIZE(all_modes); m++)
			add_irq(f, all_modes[m], logical, APIC_SHORTHAND_NONE, dests[i]);
}

void add_shorthands(struct family *f)
{
	static const uint8_t sh[] = {
		APIC_SHORTHAND_SELF, APIC_SHORTHAND_ALL_INCLUDING_SELF,
		APIC_SHORTHAND_ALL_EXCLUDING_SELF,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(sh); i++)
		for (unsigned int m = 0; m < ARRAY_SIZE(all_modes); m++)
			add_irq(f, all_modes[m], false, sh[i], 0);
}

/* Sending */

void family_run(struct family *f, const char *what, const struct apic_model_irq *irqs,
		unsigned int nr)
{
	char label[160];

	for (int spinning = 0; spinning < 2; spinning++) {
		snprintf(label, sizeof(label), "%s%s/%s/%s", f->name, routing_label(f), what,
			 spinning ? "spinning" : "halted");
		f->mismatches += ipi_engine_run(f->eng, label, family_seed, irqs, nr,
						spinning ? IPI_TARGETS_SPINNING :
						IPI_TARGETS_HALTED, &f->by_style[spinning]);
		/* The run applied the state first: what it left is what the sends saw. */
		apicv_watch_send(&f->apicv);
	}
}

void family_send(struct family *f, const char *what, int sender)
{
	for (unsigned int i = 0; i < f->nr; i++)
		f->irqs[i].sender = sender;
	family_run(f, what, f->irqs, f->nr);
}

static bool can_send(struct family *f, unsigned int cpu)
{
	const struct ipi_cpu_state *s = &family_states(f)[cpu];

	return s->mode == APIC_MODE_XAPIC || s->mode == APIC_MODE_X2APIC;
}

void family_send_from_each(struct family *f, const char *what)
{
	struct apic_model_irq *all = calloc(f->nr * f->nr_vcpus, sizeof(*all));
	unsigned int n = 0;

	TEST_ASSERT(all, "out of memory");
	for (unsigned int cpu = 0; cpu < f->nr_vcpus; cpu++) {
		if (!can_send(f, cpu))
			continue;
		for (unsigned int i = 0; i < f->nr; i++) {
			all[n] = f->irqs[i];
			all[n++].sender = cpu;
		}
	}
	family_run(f, what, all, n);
	free(all);
}
