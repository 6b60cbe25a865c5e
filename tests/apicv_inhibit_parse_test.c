// SPDX-License-Identifier: GPL-2.0-only
/*
 * apicv_inhibit_parse_test: the kvm:kvm_apicv_inhibit_changed line parser
 * of lib/x86_64/apicv_inhibit.c, on lines as tracefs prints them.  Needs
 * neither /dev/kvm nor tracefs.
 *
 * Formats (TP_printk of kvm_apicv_inhibit_changed, arch/x86/kvm/trace.h):
 *   5.19 - 6.10  "%s reason=%u, inhibits=0x%lx"
 *   6.11 -       "%s reason=%u, inhibits=0x%lx%s%s": the same, then, when the
 *                mask is not 0, a space and __print_flags(mask, "|", names)
 *                (leftover bits without a name as "0x...").
 * Prefix (print_trace_fmt() / trace_print_context(), kernel/trace/): the
 * task name right-aligned in 16 columns, "-pid", "[cpu]", the latency flags
 * and the timestamp with its colon.  The first line below was captured on
 * this project's development machine (kernel 6.18, kvm_pvm backend).
 */
#include "kvm_test_harness.h"
#include "apicv_inhibit.h"

struct good_line {
	const char *what;
	const char *line;
	const char *comm;
	int pid;
	int cpu;
	uint64_t ts_ns;
	unsigned int reason;
	bool set;
	unsigned long inhibits;
	bool named;
};

static const struct good_line good_lines[] = {
	{ "captured on 6.18: VM creation with APICv off",
	  "      smoke_test-19560   [000] .....  1903.804643: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	  "smoke_test", 19560, 0, 1903804643000ull, 0, true, 0x1, true },
	{ "6.11+: two names, from a vCPU thread, irqs-off flags",
	  " avic_inhibit_te-4711    [001] d..1.   812.000123: kvm_apicv_inhibit_changed: set reason=5, inhibits=0x820 APIC_ID_MODIFIED|LOGICAL_ID_ALIASED",
	  "avic_inhibit_te", 4711, 1, 812000123000ull, 5, true, 0x820, true },
	{ "6.11+: cleared, names of what is left",
	  " qemu-system-x86-1234    [003] .....   100.500000: kvm_apicv_inhibit_changed: cleared reason=4, inhibits=0x20 APIC_ID_MODIFIED",
	  "qemu-system-x86", 1234, 3, 100500000000ull, 4, false, 0x20, true },
	{ "any version: cleared to 0 prints no names (KVM_CREATE_IRQCHIP clears ABSENT)",
	  " qemu-system-x86-1234    [003] .....   100.500001: kvm_apicv_inhibit_changed: cleared reason=2, inhibits=0x0",
	  "qemu-system-x86", 1234, 3, 100500001000ull, 2, false, 0x0, false },
	{ "5.19-6.10: numbers only, ABSENT at VM creation",
	  " qemu-system-x86-5555    [002] .....  4321.000001: kvm_apicv_inhibit_changed: set reason=2, inhibits=0x4",
	  "qemu-system-x86", 5555, 2, 4321000001000ull, 2, true, 0x4, false },
	{ "5.19-6.10: numbers only, then DISABLED when APICv is off",
	  " qemu-system-x86-5555    [002] .....  4321.000002: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x5",
	  "qemu-system-x86", 5555, 2, 4321000002000ull, 0, true, 0x5, false },
	{ "5.19-6.10: numbers only, an APIC map reason cleared",
	  "        CPU 1/KVM-5560    [000] .....  4322.250000: kvm_apicv_inhibit_changed: cleared reason=5, inhibits=0x10",
	  "CPU 1/KVM", 5560, 0, 4322250000000ull, 5, false, 0x10, false },
	{ "task name with spaces, dashes and brackets",
	  "   my vm [x]-box-77      [001] .....     5.000000: kvm_apicv_inhibit_changed: set reason=4, inhibits=0x10 PHYSICAL_ID_ALIASED",
	  "my vm [x]-box", 77, 1, 5000000000ull, 4, true, 0x10, true },
	{ "unknown task name, four flag columns (older kernels)",
	  "           <...>-1234    [000] d...    12.000007: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	  "<...>", 1234, 0, 12000007000ull, 0, true, 0x1, true },
	{ "options/record-tgid adds the tgid column",
	  " avic_inhibit_te-812     (    810) [001] .....    55.000001: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	  "avic_inhibit_te", 812, 1, 55000001000ull, 0, true, 0x1, true },
	{ "a counter trace clock: a bare number",
	  "             foo-1       [000] ..... 123456789: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	  "foo", 1, 0, 123456789ull, 0, true, 0x1, true },
	{ "after 6.12: PHYSICAL_ID_TOO_BIG",
	  "            test-9       [007] .....     1.000000: kvm_apicv_inhibit_changed: set reason=12, inhibits=0x1000 PHYSICAL_ID_TOO_BIG",
	  "test", 9, 7, 1000000000ull, 12, true, 0x1000, true },
	{ "a newer kernel: a bit without a name here, printed by name",
	  "            test-9       [007] .....     1.000000: kvm_apicv_inhibit_changed: set reason=13, inhibits=0x2001 DISABLED|SOME_NEW_REASON",
	  "test", 9, 7, 1000000000ull, 13, true, 0x2001, true },
	{ "a bit the kernel has no name for: hex remainder last",
	  "            test-9       [007] .....     1.000000: kvm_apicv_inhibit_changed: set reason=13, inhibits=0x2001 DISABLED|0x2000",
	  "test", 9, 7, 1000000000ull, 13, true, 0x2001, true },
	{ "trailing newline as read from trace_pipe",
	  "            test-9       [007] .....     1.000000: kvm_apicv_inhibit_changed: cleared reason=11, inhibits=0x0\n",
	  "test", 9, 7, 1000000000ull, 11, false, 0x0, false },
};

/* Lines that name the event but must not be taken for one. */
#define PFX "      smoke_test-19560   [000] .....  1903.804643: kvm_apicv_inhibit_changed: "
static const char *const malformed_lines[] = {
	PFX "set reason=5, inhibits=0x0",			/* set, bit not in mask */
	PFX "cleared reason=0, inhibits=0x1 DISABLED",		/* cleared, bit in mask */
	PFX "set reason=0, inhibits=0x1 APIC_ID_MODIFIED",	/* name of another bit */
	PFX "set reason=0, inhibits=0x21 DISABLED",		/* a named bit not named */
	PFX "set reason=0, inhibits=0x1 DISABLED|DISABLED",	/* twice */
	PFX "set reason=0, inhibits=0x1 disabled",		/* not as the kernel spells it */
	PFX "set reason=0, inhibits=0x1 DISABLED|",		/* empty name */
	PFX "set reason=0, inhibits=0x1 DISABLED extra",	/* trailing junk */
	PFX "set reason=0, inhibits=0x1  DISABLED",		/* two spaces */
	PFX "set reason=0, inhibits=0x1 0x1",			/* known bit as hex */
	PFX "set reason=13, inhibits=0x2001 DISABLED",		/* bit 13 unaccounted */
	PFX "set reason=13, inhibits=0x2001 0x2000|DISABLED",	/* hex not last */
	PFX "set reason=13, inhibits=0x2001 DISABLED|NEW|OTHER",
	    /* one unknown bit, two names */
	PFX "set reason=x, inhibits=0x1",
	PFX "set reason=, inhibits=0x1",
	PFX "set reason=-1, inhibits=0x1",
	PFX "set reason=64, inhibits=0x1",			/* beyond the mask */
	PFX "set reason=0, inhibits=1",				/* no 0x */
	PFX "set reason=0, inhibits=0x",
	PFX "set reason=0, inhibits=0x11111111111111111",	/* 17 hex digits */
	PFX "set reason=0 inhibits=0x1",			/* no comma */
	PFX "activate reason=0",				/* another verb */
	PFX "Set reason=0, inhibits=0x1",
	PFX "set reas",						/* cut short */
	PFX "",
	"kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",	/* no prefix */
	"      smoke_test [000] .....  1903.804643: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	/* no pid */
	"      smoke_test-19560   000 .....  1903.804643: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	/* no cpu brackets */
	"      smoke_test-19560   [0a0] .....  1903.804643: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	"      smoke_test-19560   [000] .....  1903.804643 kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	/* no colon after the time */
	"      smoke_test-19560   [000] .....  1.2.3: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	"      smoke_test-19560   [000]  1903.804643: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	/* no flags */
	"-19560   [000] .....  1903.804643: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	/* no task name */
	"  a_task_name_too_long_for_comm-1 [000] ..... 1.000000: kvm_apicv_inhibit_changed: set reason=0, inhibits=0x1 DISABLED",
	"garbage kvm_apicv_inhibit_changed garbage",
};

/* Lines that are not this event at all. */
static const char *const ignored_lines[] = {
	"",
	"   ",
	"# tracer: nop",
	"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
	"#",
	"      smoke_test-19560   [000] .....  1903.804700: kvm_apic_ipi: apic_id 1 icr 0x40",
	/* The tracepoint before 5.19: another name, another meaning. */
	" qemu-system-x86-4242    [001] ....   777.000001: kvm_apicv_update_request: deactivate reason=1",
	"CPU:1 [LOST 3 EVENTS]",
	"set reason=0, inhibits=0x1 DISABLED",
};

static void check_good(const struct good_line *g)
{
	struct apicv_inhibit_event ev;
	enum apicv_line_kind kind = apicv_inhibit_parse_line(g->line, &ev);

	TEST_ASSERT(kind == APICV_LINE_EVENT, "%s: not parsed (kind %d): '%s'",
		    g->what, kind, g->line);
	TEST_ASSERT(!strcmp(ev.comm, g->comm), "%s: comm '%s', expected '%s'",
		    g->what, ev.comm, g->comm);
	TEST_ASSERT(ev.pid == g->pid && ev.cpu == g->cpu && ev.ts_ns == g->ts_ns,
		    "%s: pid %d cpu %d ts %llu, expected %d %d %llu", g->what, ev.pid,
		    ev.cpu, (unsigned long long)ev.ts_ns, g->pid, g->cpu,
		    (unsigned long long)g->ts_ns);
	TEST_ASSERT(ev.reason == g->reason && ev.set == g->set &&
		    ev.inhibits == g->inhibits && ev.named == g->named,
		    "%s: reason %u set %d inhibits 0x%lx named %d, expected %u %d 0x%lx %d",
		    g->what, ev.reason, ev.set, ev.inhibits, ev.named, g->reason, g->set,
		    g->inhibits, g->named);
}

KVM_TEST(real_format_lines_parse)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(good_lines); i++)
		check_good(&good_lines[i]);
	ksft_print_msg("%zu lines parsed\n", ARRAY_SIZE(good_lines));
}

KVM_TEST(malformed_lines_rejected)
{
	struct apicv_inhibit_event ev;

	for (unsigned int i = 0; i < ARRAY_SIZE(malformed_lines); i++) {
		enum apicv_line_kind kind = apicv_inhibit_parse_line(malformed_lines[i], &ev);

		TEST_ASSERT(kind == APICV_LINE_MALFORMED,
			    "line %u: kind %d, expected MALFORMED: '%s'", i, kind,
			    malformed_lines[i]);
	}
}

KVM_TEST(other_lines_ignored)
{
	struct apicv_inhibit_event ev;

	for (unsigned int i = 0; i < ARRAY_SIZE(ignored_lines); i++) {
		enum apicv_line_kind kind = apicv_inhibit_parse_line(ignored_lines[i], &ev);

		TEST_ASSERT(kind == APICV_LINE_IGNORED,
			    "line %u: kind %d, expected IGNORED: '%s'", i, kind,
			    ignored_lines[i]);
	}
}

/* The event's text alone, as in the event's format file examples. */
KVM_TEST(payload_alone)
{
	static const char numeric[] = "set reason=9, inhibits=0x204";
	static const char named[] = "set reason=9, inhibits=0x204 ABSENT|PIT_REINJ";
	struct apicv_inhibit_event ev = { 0 };

	TEST_ASSERT(apicv_inhibit_parse_payload(numeric, strlen(numeric), &ev) &&
		    ev.reason == 9 && ev.set && ev.inhibits == 0x204 && !ev.named,
		    "'%s' gave reason %u inhibits 0x%lx", numeric, ev.reason, ev.inhibits);
	TEST_ASSERT(apicv_inhibit_parse_payload(named, strlen(named), &ev) && ev.named,
		    "'%s' not parsed", named);
	/* Only the first n characters count. */
	TEST_ASSERT(!apicv_inhibit_parse_payload(named, strlen(numeric) - 1, &ev),
		    "a cut payload parsed");
}

KVM_TEST(lost_events_counted)
{
	TEST_ASSERT_EQ(apicv_trace_lost_events("CPU:1 [LOST 3 EVENTS]"), 3);
	TEST_ASSERT_EQ(apicv_trace_lost_events("CPU:12 [LOST 4096 EVENTS]\n"), 4096);
	TEST_ASSERT_EQ(apicv_trace_lost_events("CPU:1 [LOST 3 EVENTS"), 0);
	TEST_ASSERT_EQ(apicv_trace_lost_events(good_lines[0].line), 0);
}

/* Names as kvm_host.h spells them (APICV_INHIBIT_REASONS, 6.12 + 6.18). */
KVM_TEST(reason_names)
{
	char buf[128];

	TEST_ASSERT(!strcmp(apicv_inhibit_name(APICV_INHIBIT_DISABLED), "DISABLED"), "0");
	TEST_ASSERT(!strcmp(apicv_inhibit_name(4), "PHYSICAL_ID_ALIASED"), "4");
	TEST_ASSERT(!strcmp(apicv_inhibit_name(5), "APIC_ID_MODIFIED"), "5");
	TEST_ASSERT(!strcmp(apicv_inhibit_name(11), "LOGICAL_ID_ALIASED"), "11");
	TEST_ASSERT(!strcmp(apicv_inhibit_name(12), "PHYSICAL_ID_TOO_BIG"), "12");
	TEST_ASSERT(!apicv_inhibit_name(13), "13 has no name");
	TEST_ASSERT_EQ(apicv_inhibit_by_name("SEV", 3), APICV_INHIBIT_SEV);
	TEST_ASSERT_EQ(apicv_inhibit_by_name("SEVX", 3), APICV_INHIBIT_SEV);
	TEST_ASSERT_EQ(apicv_inhibit_by_name("SE", 2), -1);
	TEST_ASSERT(!strcmp(apicv_inhibit_mask_str(0, buf, sizeof(buf)), "none"), "%s", buf);
	TEST_ASSERT(!strcmp(apicv_inhibit_mask_str(0x2830, buf, sizeof(buf)),
			    "PHYSICAL_ID_ALIASED|APIC_ID_MODIFIED|LOGICAL_ID_ALIASED|bit13"),
		    "%s", buf);
}

/* Which events are VM creations: only kvm_apicv_init() sets these two. */
KVM_TEST(creation_events)
{
	struct apicv_inhibit_event ev;

	TEST_ASSERT(apicv_inhibit_parse_line(good_lines[0].line, &ev) == APICV_LINE_EVENT &&
		    apicv_event_is_creation(&ev), "set DISABLED is a creation");
	TEST_ASSERT(apicv_inhibit_parse_line(good_lines[4].line, &ev) == APICV_LINE_EVENT &&
		    apicv_event_is_creation(&ev), "set ABSENT is a creation");
	TEST_ASSERT(apicv_inhibit_parse_line(good_lines[3].line, &ev) == APICV_LINE_EVENT &&
		    !apicv_event_is_creation(&ev), "cleared ABSENT is not");
	TEST_ASSERT(apicv_inhibit_parse_line(good_lines[1].line, &ev) == APICV_LINE_EVENT &&
		    !apicv_event_is_creation(&ev), "set APIC_ID_MODIFIED is not");
}

/* Sequences of lines through an observer (no tracefs) */

#define LINE(comm_pid, ts, text)						\
	"  " comm_pid "   [001] .....  " ts ": kvm_apicv_inhibit_changed: " text

struct replay {
	const char *what;
	const char *lines[10];
	unsigned int events;
	unsigned int creations;
	int creation_reason;
	unsigned long mask;
	bool enabled;		/* what apicv_host_probe() concludes */
};

static const struct replay replays[] = {
	{ "6.11+, APICv off: one creation event",
	  { LINE("test-10", "1.000001", "set reason=0, inhibits=0x1 DISABLED") },
	  1, 1, APICV_INHIBIT_DISABLED, 0x1, false },
	{ "5.19-6.10, APICv off: ABSENT then DISABLED, one VM",
	  { LINE("test-10", "1.000001", "set reason=2, inhibits=0x4"),
	    LINE("test-10", "1.000002", "set reason=0, inhibits=0x5") },
	  2, 1, APICV_INHIBIT_DISABLED, 0x5, false },
	{ "APICv on: creation, KVM_CREATE_IRQCHIP, vCPU map updates, an ID change (AVIC)",
	  { LINE("test-10", "1.000001", "set reason=2, inhibits=0x4 ABSENT"),
	    LINE("test-10", "1.000002", "cleared reason=2, inhibits=0x0"),
	    LINE("test-10", "1.000003", "cleared reason=4, inhibits=0x0"),
	    LINE("test-10", "1.000004", "cleared reason=11, inhibits=0x0"),
	    LINE("test-10", "1.000005", "cleared reason=5, inhibits=0x0"),
	    LINE("test-10", "1.000006", "cleared reason=4, inhibits=0x0"),
	    LINE("test-10", "1.000007", "cleared reason=11, inhibits=0x0"),
	    LINE("test-10", "1.000008", "set reason=5, inhibits=0x20 APIC_ID_MODIFIED") },
	  8, 1, APICV_INHIBIT_ABSENT, 0x20, true },
	{ "5.19-6.10, APICv on: two VMs, one after the other",
	  { LINE("test-10", "1.000001", "set reason=2, inhibits=0x4"),
	    LINE("test-10", "1.000002", "cleared reason=2, inhibits=0x0"),
	    LINE("test-11", "2.000001", "set reason=2, inhibits=0x4"),
	    LINE("test-11", "2.000002", "cleared reason=2, inhibits=0x0") },
	  4, 2, APICV_INHIBIT_ABSENT, 0x0, true },
	{ "6.11+, APICv off: two VMs from two threads",
	  { LINE("test-10", "1.000001", "set reason=0, inhibits=0x1 DISABLED"),
	    LINE("test-11", "1.000002", "set reason=0, inhibits=0x1 DISABLED") },
	  2, 2, APICV_INHIBIT_DISABLED, 0x1, false },
	{ "headers and other events change nothing",
	  { "# tracer: nop", "",
	    "  test-10   [001] .....  1.000001: kvm_apic_ipi: apic_id 1 icr 0x40",
	    LINE("test-10", "1.000002", "set reason=0, inhibits=0x1 DISABLED") },
	  1, 1, APICV_INHIBIT_DISABLED, 0x1, false },
};

KVM_TEST(replayed_sequences)
{
	for (unsigned int r = 0; r < ARRAY_SIZE(replays); r++) {
		const struct replay *rp = &replays[r];
		struct apicv_observer *obs = calloc(1, sizeof(*obs));
		struct apicv_host host;

		TEST_ASSERT(obs, "out of memory");
		for (unsigned int i = 0; i < ARRAY_SIZE(rp->lines) && rp->lines[i]; i++)
			apicv_observer_feed_line(obs, rp->lines[i]);
		apicv_host_probe(&host, obs);
		if (obs->nr_events != rp->events || obs->creations != rp->creations ||
		    obs->creation_reason != rp->creation_reason || obs->mask != rp->mask ||
		    host.enabled != rp->enabled || obs->malformed) {
			apicv_observer_dump(obs, 0);
			TEST_FAIL("%s: %u events, %u creations, last %d, mask 0x%lx, enabled %d; expected %u, %u, %d, 0x%lx, %d",
				  rp->what, obs->nr_events,
				  obs->creations, obs->creation_reason, obs->mask, host.enabled,
				  rp->events, rp->creations, rp->creation_reason, rp->mask,
				  rp->enabled);
		}
		TEST_ASSERT(host.enabled == !host.why_off[0], "%s: why_off '%s'", rp->what,
			    host.why_off);
		free(obs->events);
		free(obs);
	}
}

KVM_TEST(replayed_damage_counted)
{
	struct apicv_observer *obs = calloc(1, sizeof(*obs));

	TEST_ASSERT(obs, "out of memory");
	apicv_observer_feed_line(obs, LINE("test-10", "1.000001", "set reason=0, inhibits=0x0"));
	apicv_observer_feed_line(obs, "CPU:1 [LOST 5 EVENTS]");
	apicv_observer_feed_line(obs, LINE("test-10", "1.000002", "set reason=0, inhibits=0x1"));
	TEST_ASSERT(obs->malformed == 1 && strstr(obs->malformed_line, "inhibits=0x0"),
		    "%u malformed, first '%s'", obs->malformed, obs->malformed_line);
	TEST_ASSERT_EQ(obs->lost, 5);
	TEST_ASSERT_EQ(obs->nr_events, 1);
	free(obs->events);
	free(obs);
}

TEST_HARNESS_MAIN
