// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipi_bench: what an IPI costs, per delivery route, next to the floor of an
 * exit handled in the kernel and of an exit to userspace, so that numbers
 * compare across machines.
 *
 * A benchmark, not a test: it prints numbers and is not run by
 * "make run_tests".  Every IPI still goes through the IPI engine, so a
 * route that delivers wrongly is reported as such.
 *
 *	ipi_bench [-d SECONDS] [-r ROUTE] [-n N[,N...]] [-j] [-v] [-c XAPIC_IPI_TEST]
 */
#include <getopt.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm_para.h>

#include "apic.h"
#include "ipi_engine.h"
#include "kvm_host.h"
#include "processor.h"

#define MAX_SAMPLES	(1u << 20)
#define TARGET		1	/* vCPU index the unicast routes aim at */

struct route {
	const char *name;
	const char *what;
	void (*setup)(struct ipi_engine *eng, unsigned int nr, struct ipi_cpu_state *st);
	void (*irq)(struct ipi_engine *eng, struct apic_model_irq *irq);
	/* Why this host cannot run the route, or NULL. */
	const char *(*unavailable)(void);
	bool hyperv;			/* needs an engine with Hyper-V enabled */
};

static struct ipi_cpu_state xapic(uint8_t id, uint32_t logical_id, uint32_t dfr)
{
	struct ipi_cpu_state s = {
		.mode = APIC_MODE_XAPIC, .sw_enabled = true, .xapic_id = id,
		.ldr = logical_id << 24, .dfr = dfr,
	};

	return s;
}

static void setup_identity(struct ipi_engine *eng, unsigned int nr, struct ipi_cpu_state *st)
{
	for (unsigned int i = 0; i < nr; i++)
		st[i] = ipi_identity_state(ipi_engine_vcpu_id(eng, i), APIC_MODE_XAPIC);
}

/* Every APIC ID moved on by one: no vCPU has its own (APICv/AVIC inhibited). */
static void setup_rotated(struct ipi_engine *eng, unsigned int nr, struct ipi_cpu_state *st)
{
	for (unsigned int i = 0; i < nr; i++)
		st[i] = xapic(ipi_engine_vcpu_id(eng, (i + 1) % nr) & 0xff, 0, APIC_DFR_FLAT);
}

/* Flat model: one bit each for the first eight vCPUs. */
static void setup_flat(struct ipi_engine *eng, unsigned int nr, struct ipi_cpu_state *st)
{
	for (unsigned int i = 0; i < nr; i++)
		st[i] = xapic(i, i < 8 ? 1u << i : 0, APIC_DFR_FLAT);
}

/* Cluster model: four vCPUs per cluster, clusters 1-15. */
static void setup_cluster(struct ipi_engine *eng, unsigned int nr, struct ipi_cpu_state *st)
{
	for (unsigned int i = 0; i < nr; i++)
		st[i] = xapic(i, i < 60 ? ((i / 4 + 1) << 4) | (1u << (i % 4)) : 0,
			      APIC_DFR_CLUSTER);
}

static void setup_x2apic(struct ipi_engine *eng, unsigned int nr, struct ipi_cpu_state *st)
{
	for (unsigned int i = 0; i < nr; i++)
		st[i] = ipi_identity_state(ipi_engine_vcpu_id(eng, i), APIC_MODE_X2APIC);
}

static void irq_physical(struct ipi_engine *eng, struct apic_model_irq *irq)
{
	irq->dest = ipi_engine_model_cpu(eng, TARGET).id;
}

static void irq_logical(struct ipi_engine *eng, struct apic_model_irq *irq)
{
	struct apic_model_cpu t = ipi_engine_model_cpu(eng, TARGET);

	irq->logical = true;
	irq->dest = t.mode == APIC_MODE_X2APIC ? t.ldr : t.ldr >> 24;
}

static void irq_broadcast(struct ipi_engine *eng, struct apic_model_irq *irq)
{
	irq->dest = XAPIC_BROADCAST;
}

static void irq_self(struct ipi_engine *eng, struct apic_model_irq *irq)
{
	irq->shorthand = APIC_SHORTHAND_SELF;
}

static void irq_msi(struct ipi_engine *eng, struct apic_model_irq *irq)
{
	irq->sender = APIC_MODEL_FROM_MSI;
	irq->dest = ipi_engine_model_cpu(eng, TARGET).id;
}

/* KVM_HC_SEND_IPI: bit 0 names the target's APIC ID. */
static void irq_pv(struct ipi_engine *eng, struct apic_model_irq *irq)
{
	irq->door = APIC_DOOR_PV_IPI;
	irq->dest = ipi_engine_model_cpu(eng, TARGET).id;
	irq->bitmap[0] = 1;
}

/* HvCallSendSyntheticClusterIpi, fast: the target's VP index in the mask. */
static void irq_hv(struct ipi_engine *eng, struct apic_model_irq *irq)
{
	irq->door = APIC_DOOR_HYPERV;
	irq->door_flags = APIC_DOOR_HV_FAST;
	irq->bitmap[0] = BIT_ULL(ipi_engine_model_cpu(eng, TARGET).vp_index);
}

static void irq_irqfd(struct ipi_engine *eng, struct apic_model_irq *irq)
{
	irq_msi(eng, irq);
	irq->door = APIC_DOOR_IRQFD;
}

static const char *no_hypercalls(void)
{
	return strcmp(kvm_backend(), "kvm_pvm") ? NULL :
	       "kvm_pvm does not return from hypercalls";
}

static const char *no_pv_ipi(void)
{
	struct kvm_cpuid2 *cpuid = (struct kvm_cpuid2 *)kvm_get_supported_cpuid();
	const struct kvm_cpuid_entry2 *e = cpuid_entry_find(cpuid, KVM_CPUID_FEATURES, 0);

	if (!e || !(e->eax & BIT(KVM_FEATURE_PV_SEND_IPI)))
		return "KVM does not offer KVM_FEATURE_PV_SEND_IPI";
	return no_hypercalls();
}

static const char *no_hyperv_ipi(void)
{
	if (!kvm_has_cap(KVM_CAP_HYPERV_SEND_IPI))
		return "KVM has no KVM_CAP_HYPERV_SEND_IPI";
	return no_hypercalls();
}

static const char *no_irqfd(void)
{
	return kvm_has_cap(KVM_CAP_IRQFD) ? NULL : "KVM has no KVM_CAP_IRQFD";
}

static const struct route routes[] = {
	{ "phys_identity", "physical, APIC ID = vCPU ID", setup_identity, irq_physical },
	{ "phys_mismatched", "physical, every APIC ID moved (inhibits APICv/AVIC)",
	  setup_rotated, irq_physical },
	{ "logical_flat", "xAPIC logical, flat model", setup_flat, irq_logical },
	{ "logical_cluster", "xAPIC logical, cluster model", setup_cluster, irq_logical },
	{ "x2apic_phys", "x2APIC physical", setup_x2apic, irq_physical },
	{ "x2apic_cluster", "x2APIC logical (cluster)", setup_x2apic, irq_logical },
	{ "broadcast", "physical broadcast 0xff to all", setup_identity, irq_broadcast },
	{ "self", "self shorthand", setup_identity, irq_self },
	{ "msi", "KVM_SIGNAL_MSI from the host, physical", setup_identity, irq_msi },
	{ "pv_ipi", "KVM_HC_SEND_IPI naming the target's APIC ID", setup_identity, irq_pv,
	  no_pv_ipi },
	{ "hyperv_ipi", "Hyper-V synthetic IPI (fast hypercall) to the target's VP index",
	  setup_identity, irq_hv, no_hyperv_ipi, true },
	{ "irqfd", "an irqfd bound to an MSI route, from the host", setup_identity, irq_irqfd,
	  no_irqfd },
};

/* The floor: exits handled in the kernel and in userspace */

#define FLOOR_LOOPS	2000

static void guest_floor(void)
{
	uint32_t a, b, c, d;
	uint64_t start;

	start = rdtsc();
	for (int i = 0; i < FLOOR_LOOPS; i++)
		cpuid_count(0, 0, &a, &b, &c, &d);
	GUEST_SYNC(rdtsc() - start);

	xapic_enable();
	start = rdtsc();
	for (int i = 0; i < FLOOR_LOOPS; i++)
		xapic_write_reg(APIC_TASKPRI, 0);
	GUEST_SYNC(rdtsc() - start);

	for (int i = 0; i < FLOOR_LOOPS; i++) {
		start = rdtsc();
		GUEST_SYNC(0);
		GUEST_SYNC(rdtsc() - start);
	}
	GUEST_DONE();
}

struct floor {
	uint64_t cpuid_ns, tpr_ns, ucall_ns;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t cycles_to_ns(uint64_t cycles, uint64_t tsc_khz)
{
	return cycles * 1000000 / tsc_khz;
}

static void measure_floor(struct floor *fl)
{
	static uint64_t samples[FLOOR_LOOPS];
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_floor);
	uint64_t khz = ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0);
	struct ucall uc;

	TEST_ASSERT((int64_t)khz > 0, "KVM_GET_TSC_KHZ failed");
	vcpu_run_until_ucall(vcpu, &uc);
	fl->cpuid_ns = cycles_to_ns(uc.args[0], khz) / FLOOR_LOOPS;
	vcpu_run_until_ucall(vcpu, &uc);
	fl->tpr_ns = cycles_to_ns(uc.args[0], khz) / FLOOR_LOOPS;
	for (int i = 0; i < FLOOR_LOOPS; i++) {
		vcpu_run_until_ucall(vcpu, &uc);
		vcpu_run_until_ucall(vcpu, &uc);
		samples[i] = uc.args[0];
	}
	vcpu_run_to_done(vcpu);
	qsort(samples, FLOOR_LOOPS, sizeof(samples[0]), cmp_u64);
	fl->ucall_ns = cycles_to_ns(samples[FLOOR_LOOPS / 2], khz);
	kvm_vm_free(vm);
}

/* One route */

struct measure {
	const struct route *route;
	unsigned int vcpus;
	bool spinning;
	unsigned int samples;
	uint64_t median_cycles, p99_cycles;
	uint64_t median_ns, p99_ns;
	uint64_t per_second;
	unsigned int mismatches;
};

static unsigned int seconds = 1, verbose;
static bool json;

static void measure_route(struct ipi_engine *eng, const struct route *r, bool spinning,
			  struct measure *m, uint64_t *cycles)
{
	unsigned int nr = ipi_engine_nr_vcpus(eng);
	static struct apic_model_irq irqs[IPI_MAX_BATCH];
	struct ipi_cpu_state st[IPI_MAX_BATCH];
	struct ipi_timing timing = { .cycles = cycles, .cap = MAX_SAMPLES };
	struct ipi_result res = { 0 };
	bool spinners[256] = { false };
	uint64_t khz = ipi_engine_tsc_khz(eng), sum = 0, end;
	char label[96];

	r->setup(eng, nr, st);
	ipi_engine_set_state(eng, st, IPI_STATE_BY_GUEST);
	memset(irqs, 0, sizeof(irqs));
	for (unsigned int i = 0; i < IPI_MAX_BATCH; i++) {
		irqs[i].delivery_mode = APIC_DELIVERY_FIXED;
		irqs[i].sender = 0;
		r->irq(eng, &irqs[i]);
	}
	/* Spinning: the target spins (for self, the sender; for MSIs, vCPU TARGET). */
	spinners[r->irq == irq_self ? 0 : TARGET] = spinning;
	snprintf(label, sizeof(label), "%s/%u vCPUs/%s", r->name, nr,
		 spinning ? "spinning" : "halted");

	/* One batch to apply the state and warm up, not measured. */
	m->mismatches = ipi_engine_run_spinners(eng, label, 0, irqs, IPI_MAX_BATCH, spinners,
						&res);
	ipi_engine_set_timing(eng, &timing);
	end = now_ns() + seconds * 1000000000ull;
	do {
		m->mismatches += ipi_engine_run_spinners(eng, label, 0, irqs, IPI_MAX_BATCH,
							spinners, &res);
	} while (now_ns() < end && timing.nr + IPI_MAX_BATCH <= timing.cap);
	ipi_engine_set_timing(eng, NULL);

	m->route = r;
	m->vcpus = nr;
	m->spinning = spinning;
	m->samples = timing.nr;
	if (!timing.nr)
		return;
	for (unsigned int i = 0; i < timing.nr; i++)
		sum += cycles[i];
	qsort(cycles, timing.nr, sizeof(*cycles), cmp_u64);
	m->median_cycles = cycles[timing.nr / 2];
	m->p99_cycles = cycles[(uint64_t)timing.nr * 99 / 100];
	m->median_ns = cycles_to_ns(m->median_cycles, khz);
	m->p99_ns = cycles_to_ns(m->p99_cycles, khz);
	m->per_second = sum ? (uint64_t)timing.nr * khz * 1000 / sum : 0;
}

/* "12.34" for a/b, in integers. */
static const char *ratio(uint64_t a, uint64_t b, char *buf, size_t len)
{
	uint64_t centi = b ? (a * 100 + b / 2) / b : 0;

	snprintf(buf, len, "%llu.%02llu", (unsigned long long)(centi / 100),
		 (unsigned long long)(centi % 100));
	return buf;
}

static void print_measure(const struct measure *m, const struct floor *fl, bool *first)
{
	char r[32];

	ratio(m->median_ns, fl->cpuid_ns, r, sizeof(r));
	if (json) {
		printf("%s\n    {\"route\": \"%s\", \"vcpus\": %u, \"target\": \"%s\", \"samples\": %u, \"median_ns\": %llu, \"p99_ns\": %llu, \"median_cycles\": %llu, \"p99_cycles\": %llu, \"ipis_per_s\": %llu, \"median_x_floor\": %s, \"mismatches\": %u}",
		       *first ? "" : ", ",
		       m->route->name, m->vcpus, m->spinning ? "spinning" : "halted",
		       m->samples, (unsigned long long)m->median_ns,
		       (unsigned long long)m->p99_ns, (unsigned long long)m->median_cycles,
		       (unsigned long long)m->p99_cycles, (unsigned long long)m->per_second,
		       r, m->mismatches);
		*first = false;
		return;
	}
	printf("  %-16s %5u  %-8s %10llu %10llu %12llu %10llu %9s%s\n", m->route->name,
	       m->vcpus, m->spinning ? "spinning" : "halted",
	       (unsigned long long)m->median_ns, (unsigned long long)m->p99_ns,
	       (unsigned long long)m->median_cycles, (unsigned long long)m->per_second, r,
	       m->mismatches ? "  (MISDELIVERED, see above)" : "");
	if (verbose)
		printf("#   %s: %s; %u samples\n", m->route->name, m->route->what, m->samples);
	fflush(stdout);
}

/* Run the kernel's xapic_ipi_test for the same time and read its IPI count. */
static void compare_xapic_ipi_test(const char *path)
{
	char cmd[512], line[512];
	unsigned long long sent = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s -s %u 2>&1", path, seconds);
	p = popen(cmd, "r");
	TEST_ASSERT(p, "cannot run %s", path);
	while (fgets(line, sizeof(line), p))
		sscanf(line, "Sending vCPU sent %llu IPIs", &sent);
	pclose(p);
	if (json)
		printf(",\n  \"xapic_ipi_test\": {\"seconds\": %u, \"ipis\": %llu, \"ipis_per_s\": %llu}",
		       seconds, sent, sent / seconds);
	else
		printf("# xapic_ipi_test (%s, %u s, physical fixed to a halted vCPU): %llu IPIs, %llu/s\n",
		       path, seconds, sent, sent / seconds);
}

static void print_usage(const char *prog)
{
	printf("usage: %s [-d SECONDS] [-r ROUTE] [-n N[,N...]] [-j] [-v] [-c PATH]\n  -d SECONDS  time per route, size and target state (default 1)\n  -r ROUTE    only this route (repeatable); routes:",
	       prog);
	for (unsigned int i = 0; i < ARRAY_SIZE(routes); i++)
		printf(" %s", routes[i].name);
	printf("\n  -n LIST     vCPU counts (default 2,8,64)\n  -j          JSON instead of the table\n  -v          describe each route and give its sample count\n  -c PATH     also run the kernel's xapic_ipi_test for comparison\n");
}

/* What the command line asks for. */
struct options {
	unsigned int sizes[8], nr_sizes;
	bool want[ARRAY_SIZE(routes)];
	const char *compare;
};

static bool parse_sizes(struct options *o, char *list)
{
	char *tok, *save;
	uint64_t v;

	o->nr_sizes = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!parse_u64(tok, &v) || v < 2 || v > 256 || o->nr_sizes == ARRAY_SIZE(o->sizes))
			return false;
		o->sizes[o->nr_sizes++] = v;
	}
	return true;
}

static bool want_route(struct options *o, const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(routes); i++) {
		if (!strcmp(name, routes[i].name)) {
			o->want[i] = true;
			return true;
		}
	}
	return false;
}

/* 1 to go on; 0 after -h (exit 0); -1 for a bad option (exit 1). */
static int parse_options(int argc, char **argv, struct options *o)
{
	bool any_route = false;
	uint64_t v;
	int opt;

	while ((opt = getopt(argc, argv, "d:r:n:jvc:h")) != -1) {
		switch (opt) {
		case 'd':
			if (!parse_u64(optarg, &v) || !v || v > 3600)
				goto bad;
			seconds = v;
			break;
		case 'r':
			if (!want_route(o, optarg))
				goto bad;
			any_route = true;
			break;
		case 'n':
			if (!parse_sizes(o, optarg))
				goto bad;
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'c':
			o->compare = optarg;
			break;
		case 'h':
			print_usage(argv[0]);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (!any_route)
		memset(o->want, 1, sizeof(o->want));
	return 1;
bad:
	print_usage(argv[0]);
	return -1;
}

static void print_header(const struct floor *fl)
{
	if (json) {
		printf("{\n  \"floor\": {\"cpuid_ns\": %llu, \"tpr_write_ns\": %llu, \"ucall_ns\": %llu},\n  \"routes\": [",
		       (unsigned long long)fl->cpuid_ns, (unsigned long long)fl->tpr_ns,
		       (unsigned long long)fl->ucall_ns);
		return;
	}
	printf("# floor: CPUID (exit handled in the kernel) %llu ns; xAPIC TPR write %llu ns; ucall round trip (exit to userspace) %llu ns\n",
	       (unsigned long long)fl->cpuid_ns, (unsigned long long)fl->tpr_ns,
	       (unsigned long long)fl->ucall_ns);
	printf("# IPI round trip: ICR write -> target's handler -> sender sees it; %u s per row\n",
	       seconds);
	printf("  %-16s %5s  %-8s %10s %10s %12s %10s %9s\n", "route", "vCPUs", "target",
	       "median ns", "p99 ns", "median cyc", "IPIs/s", "x CPUID");
}

/* The wanted routes in VMs of @nr vCPUs: those needing Hyper-V in a VM of their own. */
static void measure_size(const struct options *o, unsigned int nr, const struct floor *fl,
			 uint64_t *cycles, bool *first)
{
	for (int hyperv = 0; hyperv < 2; hyperv++) {
		struct ipi_engine_options opts = { .hyperv = hyperv };
		struct ipi_engine *eng = NULL;

		for (unsigned int i = 0; i < ARRAY_SIZE(routes); i++) {
			const struct route *r = &routes[i];
			const char *why = r->unavailable ? r->unavailable() : NULL;

			if (!o->want[i] || r->hyperv != hyperv)
				continue;
			if (why) {
				printf("# %s left out: %s\n", r->name, why);
				continue;
			}
			if (!eng)
				eng = ipi_engine_create_opts(nr, NULL, &opts);
			for (int spinning = 0; spinning < 2; spinning++) {
				struct measure m = { 0 };

				measure_route(eng, r, spinning, &m, cycles);
				print_measure(&m, fl, first);
			}
		}
		ipi_engine_free(eng);
	}
}

int main(int argc, char **argv)
{
	struct options o = { .sizes = { 2, 8, 64 }, .nr_sizes = 3 };
	bool first = true;
	uint64_t *cycles;
	struct floor fl;
	int ret;

	ret = parse_options(argc, argv, &o);
	if (ret <= 0)
		return ret ? KSFT_FAIL : KSFT_PASS;
	kvm_require_dev_kvm();

	cycles = malloc(MAX_SAMPLES * sizeof(*cycles));
	TEST_ASSERT(cycles, "out of memory");
	measure_floor(&fl);
	print_header(&fl);
	for (unsigned int s = 0; s < o.nr_sizes; s++) {
		if (o.sizes[s] > kvm_max_vcpus()) {
			printf("# %u vCPUs left out: the host allows %u\n", o.sizes[s],
			       kvm_max_vcpus());
			continue;
		}
		measure_size(&o, o.sizes[s], &fl, cycles, &first);
	}
	if (json)
		printf("\n  ]");
	if (o.compare)
		compare_xapic_ipi_test(o.compare);
	if (json)
		printf("\n}\n");
	free(cycles);
	return KSFT_PASS;
}
