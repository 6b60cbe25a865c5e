// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib_report_test: the library's reports of failures, checked.
 *
 * Each scenario makes something go wrong on purpose (a guest assert, an
 * unexpected guest exception or interrupt, an unexpected exit, a guest
 * that never exits...).  It runs in a child (this binary re-executed with
 * --scenario NAME), and the child's exit code and output must match what
 * the library documents; a reporter that breaks fails this test.
 */
#include <fcntl.h>
#include <unistd.h>

#include "kvm_host.h"
#include "kvm_test_harness.h"
#include "apic.h"
#include "processor.h"

/* Scenarios: each one runs in the child and is expected to end it */

static void guest_assert_eq(void)
{
	uint64_t x = 3;

	GUEST_ASSERT_EQ(x, 5);
	GUEST_DONE();
}

static void guest_assert_plain(void)
{
	int x = 3;

	OPTIMIZER_HIDE_VAR(x);
	GUEST_ASSERT(x > 10);
	GUEST_DONE();
}

static void guest_assert_message(void)
{
	int x = -3;

	OPTIMIZER_HIDE_VAR(x);
	__GUEST_ASSERT(x == 7, "x is %d, name %s, hex %#x", x, "abc", 0x1f);
	GUEST_DONE();
}

static void guest_fail(void)
{
	GUEST_FAIL("failed with %s and %u%%", "reason", 42u);
}

static void guest_printf(void)
{
	GUEST_PRINTF("hello %d %s 0x%lx %c %5u|", -5, "world", 0xabcul, 'z', 7u);
	GUEST_DONE();
}

static void guest_ud(void)
{
	__asm__ __volatile__("ud2");
	GUEST_DONE();
}

/* Page 0 is not mapped; address 8 rather than NULL, which UBSan traps itself. */
static void guest_page0_read(void)
{
	uint64_t *page0 = (uint64_t *)8;

	OPTIMIZER_HIDE_VAR(page0);
	GUEST_ASSERT_EQ(READ_ONCE(*page0), 0);
	GUEST_DONE();
}

static void guest_unhandled_interrupt(void)
{
	struct apic_ipi ipi = { .vector = 0x50, .shorthand = APIC_SHORTHAND_SELF };

	xapic_enable();
	apic_send_ipi(&ipi);
	for (int i = 0; i < 1000; i++)
		safe_halt();
	GUEST_FAIL("the self-IPI never arrived");
}

static void guest_port_write(void)
{
	__asm__ __volatile__("outb %%al, %%dx" :: "a"(0x5a), "d"(0x80));
	GUEST_DONE();
}

/* Inside the guest's identity map, outside its memory and any device. */
#define UNBACKED_GPA	0xd0000000ul

static void guest_unbacked_read(void)
{
	(void)mmio_read32(UNBACKED_GPA);
	GUEST_DONE();
}

static void guest_spin(void)
{
	for (;;)
		cpu_relax();
}

static void guest_halt_forever(void)
{
	cli();
	for (;;)
		hlt();
}

static void guest_return(void)
{
}

static void guest_xgetbv(void)
{
	/* XGETBV; with CR4.OSXSAVE clear, #UD on hardware. */
	__asm__ __volatile__(".byte 0x0f, 0x01, 0xd0" ::: "eax", "edx", "ecx");
	GUEST_DONE();
}

/*
 * POPCNT (F3 0F B8) reading MMIO: KVM has to emulate the access and its
 * instruction emulator has no POPCNT, on every backend.
 */
static void guest_popcnt_mmio(void)
{
	uint32_t bits;

	__asm__ __volatile__("popcnt (%1), %0" : "=r"(bits) : "r"(UNBACKED_GPA));
	GUEST_DONE();
}

/* KVM_HC_SEND_IPI, with an empty bitmap: returns at once on KVM proper. */
#define HC_SEND_IPI	10

static void guest_hypercall(void)
{
	uint32_t eax, ebx, ecx, edx;
	long ret = HC_SEND_IPI;

	cpuid_count(0, 0, &eax, &ebx, &ecx, &edx);
	/* "AuthenticAMD": VMMCALL; otherwise VMCALL. */
	if (ebx == 0x68747541)
		__asm__ __volatile__("vmmcall" : "+a"(ret) : "b"(0), "c"(0), "d"(0), "S"(0)
				     : "memory");
	else
		__asm__ __volatile__("vmcall" : "+a"(ret) : "b"(0), "c"(0), "d"(0), "S"(0)
				     : "memory");
	GUEST_PRINTF("hypercall returned %ld", ret);
	GUEST_DONE();
}

static void run_one_vcpu(void *guest_code, uint32_t vcpu_id)
{
	struct kvm_vm *vm = vm_create(1);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, vcpu_id, guest_code);

	vcpu_set_timeout(vcpu, 3);
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

static void scenario_guest_code(void *guest_code)
{
	run_one_vcpu(guest_code, 0);
}

static void scenario_printf_from_vcpu_300(void *guest_code)
{
	run_one_vcpu(guest_code, 300);
}

static void scenario_triple_fault(void *guest_code)
{
	struct kvm_vm *vm = vm_create(1);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, 0, guest_code);
	struct kvm_sregs sregs;

	/* An empty IDT: the #UD cannot be delivered, nor the #GP, nor the #DF. */
	vcpu_sregs_get(vcpu, &sregs);
	sregs.idt.limit = 0;
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

static void scenario_host_assert_errno(void *unused)
{
	int fd = open("/nonexistent/kvm-selftest", O_RDONLY);

	TEST_ASSERT(fd >= 0, "opening %s", "/nonexistent/kvm-selftest");
}

static void scenario_skip(void *unused)
{
	TEST_REQUIRE(kvm_max_vcpus() > 100000000);
}

static void scenario_xfail(void *unused)
{
	test_xfail("known deviation of backend %s", "example");
}

struct scenario {
	const char *name;
	void (*run)(void *arg);
	void *arg;
	int exit_code;
	/* Extended regular expressions that must all match the output. */
	const char *patterns[3];
};

#define FILE_LINE "tests/lib_report_test\\.c:[0-9]+: "
#define AT_RIP(fn) "RIP 0x[0-9a-f]+ <" #fn "\\+0x[0-9a-f]+>"

static const struct scenario scenarios[] = {
	{ "guest_assert_eq", scenario_guest_code, guest_assert_eq, KSFT_FAIL,
	  { "# vCPU 0: guest assert failed: " FILE_LINE "x == 5 \\(0x3 vs 0x5\\)$" } },
	{ "guest_assert_plain", scenario_guest_code, guest_assert_plain, KSFT_FAIL,
	  { "# vCPU 0: guest assert failed: " FILE_LINE "x > 10$" } },
	{ "guest_assert_message", scenario_guest_code, guest_assert_message, KSFT_FAIL,
	  { "# vCPU 0: guest assert failed: " FILE_LINE
	    "x == 7: x is -3, name abc, hex 0x1f$" } },
	{ "guest_fail", scenario_guest_code, guest_fail, KSFT_FAIL,
	  { "# vCPU 0: guest assert failed: " FILE_LINE "failed with reason and 42%$" } },
	{ "guest_printf", scenario_printf_from_vcpu_300, guest_printf, KSFT_PASS,
	  { "^# vCPU 300: hello -5 world 0xabc z     7\\|$" } },
	{ "unexpected_exception", scenario_guest_code, guest_ud, KSFT_FAIL,
	  { "# vCPU 0: unexpected guest exception: vector 6 \\(#UD\\), "
	    AT_RIP(guest_ud) "$" } },
	{ "unexpected_page_fault", scenario_guest_code, guest_page0_read, KSFT_FAIL,
	  { "# vCPU 0: unexpected guest exception: vector 14 \\(#PF\\), error code 0x0, " AT_RIP(guest_page0_read) "$" } },
	{ "unexpected_interrupt", scenario_guest_code, guest_unhandled_interrupt, KSFT_FAIL,
	  { "# vCPU 0: unexpected guest interrupt: vector 80 \\(interrupt\\), RIP 0x[0-9a-f]+ <[a-z_]+\\+0x[0-9a-f]+>; no handler installed for it$" } },
	{ "unexpected_exit_io", scenario_guest_code, guest_port_write, KSFT_FAIL,
	  { "# vCPU 0: unexpected exit KVM_EXIT_IO \\(OUT to port 0x80, size 1, count 1, value 0x5a\\) at " AT_RIP(guest_port_write) "; expected a ucall$" } },
	{ "unexpected_exit_mmio", scenario_guest_code, guest_unbacked_read, KSFT_FAIL,
	  { "# vCPU 0: unexpected exit KVM_EXIT_MMIO \\(read of GPA 0xd0000000, 4 bytes, 0x0: no memory there\\) at " AT_RIP(guest_unbacked_read) } },
	{ "unexpected_exit_shutdown", scenario_triple_fault, guest_ud, KSFT_FAIL,
	  { "# vCPU 0: unexpected exit KVM_EXIT_SHUTDOWN \\(triple fault: a fault while delivering a fault\\) at " AT_RIP(guest_ud) } },
	/*
	 * The same on kvm_amd, which INITs the vCPU on a shutdown intercept
	 * (svm.c shutdown_interception()): not a variant, checked in its place.
	 */
	{ "unexpected_exit_shutdown_svm", scenario_triple_fault, guest_ud, KSFT_FAIL,
	  { "# vCPU 0: unexpected exit KVM_EXIT_SHUTDOWN \\(triple fault: a fault while delivering a fault\\) at RIP 0xfff0, the reset vector: KVM INITed the vCPU after the shutdown, the RIP of the fault is lost" } },
	{ "watchdog_spinning_guest", scenario_guest_code, guest_spin, KSFT_FAIL,
	  { "# vCPU 0: no exit within 3 s \\(watchdog\\): " AT_RIP(guest_spin)
	    ", runnable; IF 0, APIC base 0x[0-9a-f]+, SVR 0x[0-9a-f]+, TPR 0x0, highest IRR -1, ISR -1, LVTT 0x[0-9a-f]+, TSC deadline disarmed, NMI pending 0, interrupt injected 0; a guest wait that never ends, or a lost interrupt$" } },
	{ "watchdog_halted_guest", scenario_guest_code, guest_halt_forever, KSFT_FAIL,
	  { "# vCPU 0: no exit within 3 s \\(watchdog\\): "
	    AT_RIP(guest_halt_forever) ", halted; IF [01], .*; a guest wait" } },
	{ "guest_entry_returned", scenario_guest_code, guest_return, KSFT_FAIL,
	  { "# vCPU 0: the guest entry function returned; end guest code with GUEST_DONE\\(\\)$" } },
	{ "host_assert_errno", scenario_host_assert_errno, NULL, KSFT_FAIL,
	  { "^# ==== Test assertion failure ====$",
	    "^# " FILE_LINE "fd >= 0$\n# opening /nonexistent/kvm-selftest$",
	    "^# errno = 2 \\(No such file or directory\\)$" } },
	{ "skip_says_why", scenario_skip, NULL, KSFT_SKIP,
	  { "^# SKIP: requires kvm_max_vcpus\\(\\) > 100000000$" } },
	{ "xfail_says_why", scenario_xfail, NULL, KSFT_XFAIL,
	  { "^# XFAIL: known deviation of backend example$" } },
	/* Checked below: either outcome, as long as it ends and says so. */
	{ "hypercall_ends_or_is_reported", scenario_guest_code, guest_hypercall, KSFT_PASS,
	  { "^# vCPU 0: hypercall returned -?[0-9]+$" } },
	/* Checked below: an emulation failure where XGETBV is emulated. */
	{ "internal_error", scenario_guest_code, guest_xgetbv, KSFT_FAIL,
	  { "# vCPU 0: unexpected exit KVM_EXIT_INTERNAL_ERROR \\(suberror 1, KVM_INTERNAL_ERROR_EMULATION: instruction not emulated\\)(, instruction bytes: 0f 01 d0|, code at RIP: 0f 01 d0)",
	    AT_RIP(guest_xgetbv) } },
	/* Checked in its place where XGETBV runs natively: not a variant. */
	{ "internal_error_mmio", scenario_guest_code, guest_popcnt_mmio, KSFT_FAIL,
	  { "# vCPU 0: unexpected exit KVM_EXIT_INTERNAL_ERROR \\(suberror 1, KVM_INTERNAL_ERROR_EMULATION: instruction not emulated\\)(, instruction bytes: f3 0f b8|, code at RIP: f3 0f b8)",
	    AT_RIP(guest_popcnt_mmio) } },
};

static const struct scenario *find_scenario(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

/* The checker: run a scenario in a child and match its report */

#define CHILD_TIMEOUT_MS	20000
#define OUTPUT_MAX		16384

struct child_result {
	int exit_code;		/* -signal if killed */
	char output[OUTPUT_MAX];
};

static void exec_scenario(void *name)
{
	execl("/proc/self/exe", "lib_report_test", "--scenario", (char *)name, NULL);
}

static void run_child(const char *name, struct child_result *res)
{
	res->exit_code = run_child_capture(exec_scenario, (void *)name, res->output,
					   sizeof(res->output), CHILD_TIMEOUT_MS);
}

static bool output_matches(const char *output, const char *pattern)
{
	return text_matches(output, pattern, 0);
}

static void print_child_output(const char *output)
{
	ksft_print_msg("---- child output ----\n");
	for (const char *p = output; *p; ) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		printf("#   %.*s\n", n, p);
		p += n + !!nl;
	}
	ksft_print_msg("----------------------\n");
}

FIXTURE(report) {
	struct child_result res;
};

FIXTURE_VARIANT(report) {
	const char *scenario;
};

FIXTURE_SETUP(report)
{
	kvm_harness_bind(_metadata);
}

FIXTURE_TEARDOWN(report)
{
}

FIXTURE_VARIANT_ADD(report, guest_assert_eq) {
	.scenario = "guest_assert_eq",
};

FIXTURE_VARIANT_ADD(report, guest_assert_plain) {
	.scenario = "guest_assert_plain",
};

FIXTURE_VARIANT_ADD(report, guest_assert_message) {
	.scenario = "guest_assert_message",
};

FIXTURE_VARIANT_ADD(report, guest_fail) {
	.scenario = "guest_fail",
};

FIXTURE_VARIANT_ADD(report, guest_printf) {
	.scenario = "guest_printf",
};

FIXTURE_VARIANT_ADD(report, unexpected_exception) {
	.scenario = "unexpected_exception",
};

FIXTURE_VARIANT_ADD(report, unexpected_page_fault) {
	.scenario = "unexpected_page_fault",
};

FIXTURE_VARIANT_ADD(report, unexpected_interrupt) {
	.scenario = "unexpected_interrupt",
};

FIXTURE_VARIANT_ADD(report, unexpected_exit_io) {
	.scenario = "unexpected_exit_io",
};

FIXTURE_VARIANT_ADD(report, unexpected_exit_mmio) {
	.scenario = "unexpected_exit_mmio",
};

FIXTURE_VARIANT_ADD(report, unexpected_exit_shutdown) {
	.scenario = "unexpected_exit_shutdown",
};

FIXTURE_VARIANT_ADD(report, watchdog_spinning_guest) {
	.scenario = "watchdog_spinning_guest",
};

FIXTURE_VARIANT_ADD(report, watchdog_halted_guest) {
	.scenario = "watchdog_halted_guest",
};

FIXTURE_VARIANT_ADD(report, guest_entry_returned) {
	.scenario = "guest_entry_returned",
};

FIXTURE_VARIANT_ADD(report, host_assert_errno) {
	.scenario = "host_assert_errno",
};

FIXTURE_VARIANT_ADD(report, skip_says_why) {
	.scenario = "skip_says_why",
};

FIXTURE_VARIANT_ADD(report, xfail_says_why) {
	.scenario = "xfail_says_why",
};

FIXTURE_VARIANT_ADD(report, internal_error) {
	.scenario = "internal_error",
};

FIXTURE_VARIANT_ADD(report, hypercall_ends_or_is_reported) {
	.scenario = "hypercall_ends_or_is_reported",
};

TEST_F(report, matches_documented_report)
{
	const struct scenario *s = find_scenario(variant->scenario);
	struct child_result *res = &self->res;
	bool ok = true;

	TEST_ASSERT(s, "no scenario %s", variant->scenario);
	run_child(s->name, res);
	/* kvm_amd INITs the vCPU on a shutdown intercept: its report says so. */
	if (!strcmp(s->name, "unexpected_exit_shutdown") && !strcmp(kvm_backend(), "kvm_amd"))
		s = find_scenario("unexpected_exit_shutdown_svm");

	/*
	 * Where XGETBV runs natively (#UD with CR4.OSXSAVE=0) there is no
	 * emulation failure from it: provoke one with an MMIO access instead.
	 */
	if (!strcmp(s->name, "internal_error") &&
	    output_matches(res->output, "unexpected guest exception: vector 6 \\(#UD\\)")) {
		ksft_print_msg("XGETBV runs natively here: POPCNT on MMIO instead\n");
		s = find_scenario("internal_error_mmio");
		run_child(s->name, res);
	}

	/*
	 * A hypercall that never returns (the kvm_pvm backend's) must
	 * end in the watchdog's report, not a hang.
	 */
	if (!strcmp(s->name, "hypercall_ends_or_is_reported") &&
	    output_matches(res->output, "no exit within 3 s \\(watchdog\\): RIP 0x[0-9a-f]+ <guest_hypercall\\+0x[0-9a-f]+>")) {
		TEST_ASSERT(res->exit_code == KSFT_FAIL, "the watchdog report must fail the test");
		ksft_print_msg("the hypercall never returned here; the watchdog ended it\n");
		return;
	}

	if (res->exit_code != s->exit_code) {
		ksft_print_msg("exit code %d, expected %d\n", res->exit_code, s->exit_code);
		ok = false;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(s->patterns) && s->patterns[i]; i++) {
		if (!output_matches(res->output, s->patterns[i])) {
			ksft_print_msg("no line matches: %s\n", s->patterns[i]);
			ok = false;
		}
	}
	if (!ok) {
		print_child_output(res->output);
		TEST_FAIL("scenario %s: the report differs from the documented one", s->name);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--scenario")) {
		const struct scenario *s = find_scenario(argv[2]);

		if (!s)
			return 2;
		s->run(s->arg);
		return 0;
	}
	return test_harness_run(argc, argv);
}
