// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm_create_bench: how long the library takes to create a VM with N vCPUs,
 * run every vCPU to its first ucall, and destroy the VM.
 *
 * A benchmark, not a test: it prints numbers (min and median of the
 * repetitions, in milliseconds, in all and per phase: create, run,
 * destroy) and is not run by "make run_tests".
 *
 *	vm_create_bench [-r REPS] [-n N[,N...]]
 */
#include <getopt.h>

#include "kvm_util.h"

static void guest_first_ucall(void)
{
	GUEST_SYNC(guest_vcpu_id());
	GUEST_DONE();
}

enum phase { CREATE, RUN, DESTROY, TOTAL, NR_PHASES };

static void one_round(unsigned int nr_vcpus, uint64_t ns[NR_PHASES])
{
	uint64_t t0 = now_ns(), t1, t2;
	struct kvm_vm *vm = vm_create_with_vcpus(nr_vcpus, guest_first_ucall, NULL);
	struct ucall uc;

	t1 = now_ns();
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		TEST_ASSERT_EQ(vcpu_run_until_ucall(vm->vcpus[i], &uc), UCALL_SYNC);
		TEST_ASSERT_EQ(uc.args[0], vm->vcpus[i]->id);
	}
	t2 = now_ns();
	kvm_vm_free(vm);
	ns[CREATE] = t1 - t0;
	ns[RUN] = t2 - t1;
	ns[DESTROY] = now_ns() - t2;
	ns[TOTAL] = now_ns() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Milliseconds with two decimals, from nanoseconds, in integers only. */
static const char *ms(uint64_t ns, char *buf, size_t len)
{
	uint64_t centi_ms = (ns + 5000) / 10000;

	snprintf(buf, len, "%llu.%02llu", (unsigned long long)(centi_ms / 100),
		 (unsigned long long)(centi_ms % 100));
	return buf;
}

static void print_usage(const char *prog)
{
	printf("usage: %s [-r REPS] [-n N[,N...]]\n  -r REPS  repetitions per size (default 5)\n  -n LIST  vCPU counts (default 1,8,64,256,1024; capped at KVM_CAP_MAX_VCPUS)\n",
	       prog);
}

int main(int argc, char **argv)
{
	unsigned int sizes[16] = { 1, 8, 64, 256, 1024 }, nr_sizes = 5, reps = 5;
	unsigned int max;
	char *tok, *save;
	uint64_t v;
	int opt;

	while ((opt = getopt(argc, argv, "r:n:h")) != -1) {
		switch (opt) {
		case 'r':
			if (!parse_u64(optarg, &v) || !v || v > 1000) {
				print_usage(argv[0]);
				return KSFT_FAIL;
			}
			reps = v;
			break;
		case 'n':
			nr_sizes = 0;
			for (tok = strtok_r(optarg, ",", &save); tok && nr_sizes < 16;
			     tok = strtok_r(NULL, ",", &save)) {
				if (!parse_u64(tok, &v) || !v) {
					print_usage(argv[0]);
					return KSFT_FAIL;
				}
				sizes[nr_sizes++] = v;
			}
			break;
		case 'h':
			print_usage(argv[0]);
			return KSFT_PASS;
		default:
			print_usage(argv[0]);
			return KSFT_FAIL;
		}
	}

	if (optind != argc) {
		print_usage(argv[0]);
		return KSFT_FAIL;
	}
	kvm_require_dev_kvm();
	max = kvm_max_vcpus();
	printf("# create VM + run each vCPU to its first ucall + destroy, %u reps\n", reps);
	printf("# %8s %12s %12s %14s %10s %10s %10s\n", "vCPUs", "min ms", "median ms",
	       "median us/vCPU", "create", "run", "destroy");
	for (unsigned int s = 0; s < nr_sizes; s++) {
		unsigned int n = sizes[s];
		uint64_t t[NR_PHASES][1000], ns[NR_PHASES];
		char a[32], b[32], c[NR_PHASES][32];

		if (n > max) {
			printf("# %8u skipped: host allows %u vCPUs per VM\n", n, max);
			continue;
		}
		for (unsigned int r = 0; r < reps; r++) {
			one_round(n, ns);
			for (int p = 0; p < NR_PHASES; p++)
				t[p][r] = ns[p];
		}
		for (int p = 0; p < NR_PHASES; p++)
			qsort(t[p], reps, sizeof(t[p][0]), cmp_u64);
		printf("# %8u %12s %12s %14llu %10s %10s %10s\n", n,
		       ms(t[TOTAL][0], a, sizeof(a)), ms(t[TOTAL][reps / 2], b, sizeof(b)),
		       (unsigned long long)(t[TOTAL][reps / 2] / n / 1000),
		       ms(t[CREATE][reps / 2], c[CREATE], sizeof(c[0])),
		       ms(t[RUN][reps / 2], c[RUN], sizeof(c[0])),
		       ms(t[DESTROY][reps / 2], c[DESTROY], sizeof(c[0])));
	}
	return KSFT_PASS;
}
