// SPDX-License-Identifier: GPL-2.0-only
/*
 * host_conditions_test: the collection on hosts where it cannot run, or
 * not fully, ends in SKIP (exit 4) with a one-line reason, never in a
 * failure or a crash; and bad options print usage and exit non-zero.
 *
 * Each case builds the condition for real around a child running the
 * collection's binaries: a mount namespace without /dev/kvm, the user
 * nobody, tracefs hidden with CAP_SYS_ADMIN dropped; or the library's
 * KVM_SELFTEST_HIDE_CAPS / KVM_SELFTEST_MAX_VCPUS for a host without a
 * capability or with fewer vCPUs.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <regex.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <grp.h>
#include <unistd.h>

#include "kvm_test_harness.h"

#define CHILD_TIMEOUT_MS	120000
#define OUTPUT_MAX		(256 << 10)
#define NOBODY			65534

enum condition {
	AS_IS,
	NO_DEV_KVM,		/* /dev is an empty tmpfs */
	AS_NOBODY,		/* uid/gid 65534 */
	NO_TRACEFS,		/* tracing hidden, CAP_SYS_ADMIN dropped */
};

struct child {
	int status;		/* exit code, or -signal */
	char *output;
};

static char collection_dir[4200];

/* The collection's binaries sit in ../x86_64 next to this binary's tests/. */
static void find_collection(void)
{
	char self[4000];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	TEST_ASSERT(n > 0, "readlink /proc/self/exe");
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(collection_dir, sizeof(collection_dir), "%s/../x86_64", self);
}

static void drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	TEST_ASSERT(!prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0), "PR_CAPBSET_DROP");
	TEST_ASSERT(!syscall(SYS_capget, &hdr, data), "capget");
	data[0].effective &= ~(1u << CAP_SYS_ADMIN);
	data[0].permitted &= ~(1u << CAP_SYS_ADMIN);
	data[0].inheritable &= ~(1u << CAP_SYS_ADMIN);
	TEST_ASSERT(!syscall(SYS_capset, &hdr, data), "capset");
}

struct child_cmd {
	enum condition cond;
	char *const *argv;
	const char *env;
};

/* In the child: build the condition, then exec. */
static void enter_condition_and_exec(void *arg)
{
	const struct child_cmd *cmd = arg;
	enum condition cond = cmd->cond;

	if (cond == NO_DEV_KVM || cond == NO_TRACEFS) {
		TEST_ASSERT(!unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)");
		TEST_ASSERT(!mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make / private");
	}
	if (cond == NO_DEV_KVM)
		TEST_ASSERT(!mount("none", "/dev", "tmpfs", 0, NULL), "tmpfs on /dev");
	if (cond == NO_TRACEFS) {
		TEST_ASSERT(!mount("none", "/sys/kernel/tracing", "tmpfs", 0, NULL),
			    "tmpfs on /sys/kernel/tracing");
		/* debugfs may hold another view of tracefs; hide it if present. */
		mount("none", "/sys/kernel/debug", "tmpfs", 0, NULL);
		drop_cap_sys_admin();
	}
	if (cond == AS_NOBODY) {
		TEST_ASSERT(!setgroups(0, NULL) && !setgid(NOBODY) && !setuid(NOBODY),
			    "becoming nobody");
	}
	if (cmd->env)
		putenv((char *)cmd->env);
	execv(cmd->argv[0], cmd->argv);
}

static void run(enum condition cond, const char *env, struct child *c, const char *binary,
		const char *arg)
{
	char path[4400], *argv[] = { path, (char *)arg, NULL };
	struct child_cmd cmd = { .cond = cond, .argv = argv, .env = env };

	snprintf(path, sizeof(path), "%s/%s", collection_dir, binary);
	c->output = calloc(1, OUTPUT_MAX);
	TEST_ASSERT(c->output, "out of memory");
	c->status = run_child_capture(enter_condition_and_exec, &cmd, c->output, OUTPUT_MAX,
				      CHILD_TIMEOUT_MS);
}

static bool matches(const char *output, const char *pattern)
{
	return text_matches(output, pattern, REG_ICASE);
}

static void show(const struct child *c, const char *binary)
{
	ksft_print_msg("%s exited with %d; its output:\n", binary, c->status);
	for (const char *p = c->output; *p; ) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		printf("#   %.*s\n", n, p);
		p += n + !!nl;
	}
}

static void expect(const struct child *c, const char *binary, int status,
		   const char *pattern)
{
	if (c->status == status && matches(c->output, pattern))
		return;
	show(c, binary);
	TEST_FAIL("%s: expected exit %d and a line matching /%s/", binary, status, pattern);
}

/* The collection's tests: the *_test binaries the Makefile builds in x86_64. */
static unsigned int list_tests(char names[][64], unsigned int max)
{
	DIR *d = opendir(collection_dir);
	struct dirent *e;
	unsigned int n = 0;

	TEST_ASSERT(d, "cannot list %s", collection_dir);
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);

		if (len > 5 && !strcmp(e->d_name + len - 5, "_test"))
			snprintf(names[n++], 64, "%s", e->d_name);
	}
	closedir(d);
	TEST_ASSERT(n, "no test binaries in %s (run make first)", collection_dir);
	return n;
}

static void require_root(void)
{
	TEST_REQUIRE_MSG(!geteuid(), "building the host condition needs root (namespaces, setuid), running as uid %d",
			 (int)geteuid());
}

FIXTURE(host) {
	char names[32][64];
	unsigned int nr;
};

FIXTURE_SETUP(host)
{
	kvm_harness_bind(_metadata);
	find_collection();
	self->nr = list_tests(self->names, ARRAY_SIZE(self->names));
}

FIXTURE_TEARDOWN(host)
{
}

TEST_F(host, no_dev_kvm_skips_every_test)
{
	require_root();
	for (unsigned int i = 0; i < self->nr; i++) {
		struct child c;

		run(NO_DEV_KVM, NULL, &c, self->names[i], NULL);
		expect(&c, self->names[i], KSFT_SKIP,
		       "^1\\.\\.0 # SKIP /dev/kvm does not exist \\(no KVM on this host\\)$");
		free(c.output);
	}
}

TEST_F(host, dev_kvm_not_accessible_skips_every_test)
{
	require_root();
	TEST_REQUIRE_MSG(access(collection_dir, X_OK) == 0, "%s not reachable",
			 collection_dir);
	for (unsigned int i = 0; i < self->nr; i++) {
		struct child c;

		run(AS_NOBODY, NULL, &c, self->names[i], NULL);
		if (c.status == 127) {
			free(c.output);
			test_skip("user nobody cannot execute %s/%s (path permissions)",
				  collection_dir, self->names[i]);
		}
		expect(&c, self->names[i], KSFT_SKIP,
		       "^1\\.\\.0 # SKIP /dev/kvm is not accessible to this user \\(uid 65534\\)$");
		free(c.output);
	}
}

TEST_F(host, missing_capability_skips_the_cases_needing_it)
{
	char env[64];
	struct child c;

	snprintf(env, sizeof(env), "KVM_SELFTEST_HIDE_CAPS=%d", KVM_CAP_X2APIC_API);
	run(AS_IS, env, &c, "apic_id_test", NULL);
	expect(&c, "apic_id_test", KSFT_PASS,
	       "^ok [0-9]+ global\\.set_lapic_other_x2apic_id_with_32bit_ids # SKIP requires kvm_has_cap\\(KVM_CAP_X2APIC_API\\)$");
	expect(&c, "apic_id_test", KSFT_PASS,
	       "^ok [0-9]+ global\\.set_boot_cpu_id_picks_bsp_only$");
	free(c.output);
}

TEST_F(host, fewer_vcpus_than_needed_skips_the_case)
{
	struct child c;

	run(AS_IS, "KVM_SELFTEST_MAX_VCPUS=3",
	    &c, "ipi_delivery_test", "-rrouting.map.physical_identity");
	expect(&c, "ipi_delivery_test", KSFT_PASS,
	       "^ok [0-9]+ routing\\.map\\.physical_identity # SKIP the host allows 3 vCPUs, 4 needed$");
	free(c.output);
}

TEST_F(host, no_tracefs_skips_the_inhibit_checks)
{
	struct child c;

	require_root();
	run(NO_TRACEFS, NULL, &c, "avic_inhibit_test", NULL);
	expect(&c, "avic_inhibit_test", KSFT_PASS,
	       "^ok [0-9]+ inhibit\\.apic_id_modified_by_host # SKIP .*tracefs");
	TEST_ASSERT(!matches(c.output, "^not ok"), "a case failed without tracefs");
	free(c.output);
}

TEST_F(host, bad_options_print_usage_and_fail)
{
	static const char *const benches[] = { "ipi_bench", "vm_create_bench" };

	for (unsigned int i = 0; i < self->nr + ARRAY_SIZE(benches); i++) {
		const char *name = i < self->nr ? self->names[i] : benches[i - self->nr];
		struct child c;

		run(AS_IS, NULL, &c, name, "--no-such-option");
		if (c.status == 0 || c.status == KSFT_SKIP || c.status < 0 ||
		    !matches(c.output, "usage")) {
			show(&c, name);
			TEST_FAIL("%s --no-such-option: exit %d, expected usage and a non-zero, non-skip exit",
				  name, c.status);
		}
		free(c.output);
	}
}

TEST_HARNESS_MAIN
