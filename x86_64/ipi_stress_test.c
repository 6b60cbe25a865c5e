// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipi_stress_test: IPI storms from several senders while other vCPUs keep
 * changing their APIC IDs, logical IDs, software enable and APIC mode, so
 * that KVM rebuilds its APIC map (kvm_recalculate_apic_map()) over and over
 * while it delivers.
 *
 * One VM, three groups of vCPUs, each vCPU on its own host thread:
 *
 *   targets   16 vCPUs with stable, unique APIC IDs (xAPIC: a seeded
 *             permutation of 0-15 written by the guest; x2APIC: their vCPU
 *             IDs, 0x208 + 16 * i), software-enabled, that wait halted
 *             ("sti; hlt", the condition checked with interrupts off) and
 *             count what they accept;
 *   senders    8 vCPUs, each with a vector of its own (IPIs of different
 *             senders never coalesce in IRR), that send a seeded script of
 *             fixed physical IPIs to the targets in bursts of 1-4 distinct
 *             targets and wait, bounded by the TSC, until each target of the
 *             burst has counted its IPI before the next burst (halted between
 *             looks, on a short TSC-deadline timer: a spinning sender would
 *             take the host CPU its targets need);
 *   changers  40 vCPUs with vCPU IDs >= 256 that, until the storm is over,
 *             go through a seeded script of changes: xAPIC ID (within a
 *             pool of their own that never holds a target's ID), LDR and
 *             DFR, SVR software enable, xAPIC -> x2APIC and back through
 *             disabled, disable/re-enable; each change makes KVM mark its
 *             APIC map dirty and rebuild it; between two changes each halts
 *             on its TSC-deadline timer for 0.1-1.6 ms (its pace).
 *
 * Expected, exactly: every target counts, on each sender's vector, as many
 * interrupts as that sender sent it, and one on the stop vector; every
 * changer counts one timer interrupt per pace it armed; nothing else
 * arrives anywhere (interrupts still pending in IRR at the end are added,
 * through KVM_GET_LAPIC).  Each mismatch is printed as LOST or SPURIOUS
 * with the vCPU, the sender, the vector and the seed; a vCPU that stays
 * in KVM_RUN past its watchdog is printed as STUCK with its APIC state and
 * left there, the counts then saying what it missed.  Mismatches a known
 * KVM deviation explains (kvm_deviations.h) are printed as KNOWN and make
 * the case XFAIL.  No exit other than
 * the ucalls is allowed, and, where /dev/kmsg is readable, no new
 * "WARNING:", "BUG:", "kernel BUG" or "Call Trace" line may appear in the
 * kernel log during a case.
 *
 * Cases: xapic_targets (targets and senders in xAPIC mode, changers switch
 * between xAPIC and x2APIC) and x2apic_targets (targets at vCPU IDs above
 * 255 and senders in x2APIC mode, changers in xAPIC mode taking xAPIC IDs
 * equal to the targets' x2APIC IDs mod 256).
 *
 *	ipi_stress_test [-s SEED] [-n ROUNDS] [harness options]
 *	  -s SEED    seed of the scripts (default 1; printed)
 *	  -n ROUNDS  rounds per case, each a fresh VM and script (default 2)
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmsg.h"
#include "kvm_test_harness.h"
#include "apic.h"
#include "guest_memory.h"
#include "ipi_agent.h"
#include "ipi_stub_layout.h"
#include "kvm_deviations.h"
#include "kvm_host.h"
#include "vcpu_thread.h"

#define NR_TARGETS	16
#define NR_SENDERS	8
#define NR_CHANGERS	40
#define NR_VCPUS	(NR_TARGETS + NR_SENDERS + NR_CHANGERS)
/* vCPU indexes (creation order): targets, then senders, then changers. */
#define FIRST_SENDER	NR_TARGETS
#define FIRST_CHANGER	(NR_TARGETS + NR_SENDERS)

/* Vectors: the stubs of ipi_handlers.S count every vector from 0x20 up. */
#define STOP_VECTOR	0x30	/* ends a target's wait, one per target */
#define TIMER_VECTOR	0x31	/* changers' pace, targets' backstop */

/* Sender s: a vector in its own priority class and IRR word position. */
static inline uint8_t sender_vector(unsigned int s)
{
	return 0x40 + 0x11 * s;
}

#define SENDS_DEFAULT	300	/* IPIs per sender per round */
#define MAX_SENDS	1024
#define BURST_MAX	4
#define SEND_LAST	0x80	/* script entry: last of its burst */

#define NR_OPS		32	/* a changer's script, repeated */
#define POOL_SIZE	5	/* xAPIC IDs a changer may take */
#define PACE_UNIT_US	100	/* a changer's pace is 1..16 units */
#define POLL_US		100	/* a waiting sender looks at the counts this often */

/* Bounds, in each vCPU's own time from the start of the storm. */
#define WAIT_MS		3000	/* one burst, one pace timer, the stop IPIs */
#define STORM_MS	8000	/* no burst started after this */
#define BACKSTOP_MS	18000	/* targets and changers give up */
/* Each round's storm is one KVM_RUN per vCPU: the bounds stay below its watchdog. */
_Static_assert(BACKSTOP_MS + 2 * WAIT_MS < VCPU_RUN_TIMEOUT_S_DEFAULT * 1000,
	       "guest bounds must end a round before the vCPU watchdog fires");
/* Harness timeout per case: setup plus a round that runs to every bound. */
#define CASE_TIMEOUT_S(rounds)	(30 + 40 * (rounds))

enum change_kind {
	CHANGE_ID,		/* xAPIC ID := pool[a] */
	CHANGE_LOGICAL,		/* DFR := flat/cluster (b), LDR := a << 24 */
	CHANGE_SW_ENABLE,	/* SVR.APIC software enable := a */
	CHANGE_MODE,		/* xAPIC -> x2APIC, or x2APIC -> disabled -> xAPIC */
	CHANGE_REENABLE,	/* -> disabled -> xAPIC */
	NR_CHANGE_KINDS,
};

static const char *const change_names[NR_CHANGE_KINDS] = {
	"ID", "LDR/DFR", "SVR", "x2APIC<->xAPIC", "disable/enable",
};

/* A changer's script entry: kind, two arguments, pace in PACE_UNIT_US. */
#define CHANGE(kind, a, b, pace)	((kind) | (a) << 8 | (b) << 16 | (uint32_t)(pace) << 24)
#define CHANGE_KIND(c)			((c) & 0xff)
#define CHANGE_A(c)			(((c) >> 8) & 0xff)
#define CHANGE_B(c)			(((c) >> 16) & 0xff)
#define CHANGE_PACE(c)			((c) >> 24)

struct sender_log {
	uint32_t nr_sent;	/* script entries sent */
	uint32_t timed_out;	/* a burst was not counted in time: the script stopped */
	uint32_t late_target;	/* ... waiting for this target */
	uint32_t cut;		/* the storm bound ended the script early */
	uint64_t max_wait;	/* longest burst, TSC cycles */
	uint32_t timers;	/* poll timers armed (each waited for) */
};

struct changer_log {
	uint32_t changes[NR_CHANGE_KINDS];
	uint32_t timers;	/* pace timers armed (each waited for) */
	uint32_t backstop;	/* stopped by its own bound, not by the end of the storm */
};

/* Guest memory shared by all vCPUs of a round. */
struct stress_shared {
	/* Written by the host before the round. */
	uint32_t x2apic;		/* targets and senders in x2APIC mode */
	uint32_t nr_sends;		/* per sender */
	uint64_t wait_tsc, storm_tsc, backstop_tsc, pace_unit_tsc, poll_tsc;
	uint64_t mailbox[NR_VCPUS];	/* guest address of each vCPU's counters */
	uint32_t dest[NR_TARGETS];	/* each target's APIC ID */
	uint8_t pool[NR_CHANGERS][POOL_SIZE];
	uint8_t script[NR_SENDERS][MAX_SENDS];
	uint32_t changes[NR_CHANGERS][NR_OPS];

	/* Written by the guest. */
	uint32_t senders_finished;	/* atomic */
	uint32_t storm_done;		/* atomic */
	uint32_t stop_sent[NR_TARGETS];
	uint32_t stop_late;		/* stop IPIs not counted within WAIT_MS */
	struct sender_log slog[NR_SENDERS];
	struct changer_log clog[NR_CHANGERS];
};

/* Guest global: the round's shared block. */
static struct stress_shared *stress;

/* Guest side */

static struct ipi_mailbox *mailbox_of(unsigned int cpu)
{
	return (struct ipi_mailbox *)stress->mailbox[cpu];
}

static struct ipi_mailbox *my_mailbox(void)
{
	return (struct ipi_mailbox *)this_cpu()->test_data;
}

static void send_fixed(bool x2apic, uint32_t dest, uint8_t vector)
{
	uint64_t icr = vector | APIC_DM_FIXED | APIC_INT_ASSERT;

	if (x2apic)
		x2apic_write_icr(icr | (uint64_t)dest << 32);
	else
		xapic_write_icr(icr | (uint64_t)dest << 56);
}

static void mode_write_reg(bool x2apic, unsigned int reg, uint32_t value)
{
	if (x2apic)
		x2apic_write_reg(reg, value);
	else
		xapic_write_reg(reg, value);
}

static uint32_t mode_read_reg(bool x2apic, unsigned int reg)
{
	return x2apic ? x2apic_read_reg(reg) : xapic_read_reg(reg);
}

static void guest_target(unsigned int t)
{
	struct ipi_mailbox *mb = my_mailbox();
	bool x2apic = stress->x2apic;
	uint32_t dest = stress->dest[t];

	if (x2apic) {
		x2apic_enable();
		mb->x2apic = 1;
		GUEST_ASSERT_EQ(x2apic_read_reg(APIC_ID), dest);
	} else {
		xapic_enable();
		xapic_write_reg(APIC_ID, dest << 24);
		GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, dest);
	}
	mode_write_reg(x2apic, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | TIMER_VECTOR);
	GUEST_SYNC(0);

	/* Until the stop IPI, or the backstop timer if that never comes. */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + stress->backstop_tsc);
	for (;;) {
		cli();
		if (READ_ONCE(mb->count[STOP_VECTOR]) || READ_ONCE(mb->count[TIMER_VECTOR]))
			break;
		safe_halt();
	}
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	GUEST_DONE();
}

/*
 * Halt, interrupts enabled only at the HLT, until the TSC-deadline timer
 * armed for @deadline has fired and been counted.  LVTT must be set up.  A
 * timer that never fires ends in the vCPU watchdog's report.
 */
static void halt_until_timer(uint64_t deadline, uint32_t *armed)
{
	const uint32_t *timer = &my_mailbox()->count[TIMER_VECTOR];
	uint32_t before = READ_ONCE(*timer);

	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	(*armed)++;
	while (READ_ONCE(*timer) == before) {
		safe_halt();
		cli();
	}
}

/*
 * Wait until a target's count reaches @want, halted between looks (a
 * spinning sender would take the host CPU the target needs); false if
 * @deadline passes first.
 */
static bool wait_count(struct sender_log *log, unsigned int target, unsigned int slot,
		       uint32_t want, uint64_t deadline)
{
	const uint32_t *count = &mailbox_of(target)->count[slot];
	uint64_t now;

	while (READ_ONCE(*count) < want) {
		now = rdtsc();
		if (now > deadline)
			return false;
		halt_until_timer(now + stress->poll_tsc, &log->timers);
	}
	return true;
}

/* The last sender to finish: one stop IPI to each target. */
static void stop_targets(struct sender_log *log, bool x2apic)
{
	uint64_t deadline;

	for (unsigned int t = 0; t < NR_TARGETS; t++) {
		stress->stop_sent[t] = 1;
		send_fixed(x2apic, stress->dest[t], STOP_VECTOR);
	}
	deadline = rdtsc() + stress->wait_tsc;
	for (unsigned int t = 0; t < NR_TARGETS; t++)
		if (!wait_count(log, t, STOP_VECTOR, 1, deadline))
			stress->stop_late++;
	__atomic_store_n(&stress->storm_done, 1, __ATOMIC_SEQ_CST);
}

static void guest_sender(unsigned int s)
{
	struct sender_log *log = &stress->slog[s];
	const uint8_t *script = stress->script[s];
	uint32_t sent[NR_TARGETS] = { 0 };
	bool x2apic = stress->x2apic;
	uint8_t vector = sender_vector(s);
	uint8_t burst[BURST_MAX];
	uint64_t end, begin, took;
	unsigned int n = 0, k;

	if (x2apic) {
		x2apic_enable();
		my_mailbox()->x2apic = 1;
	} else {
		xapic_enable();
	}
	mode_write_reg(x2apic, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | TIMER_VECTOR);
	GUEST_SYNC(0);

	end = rdtsc() + stress->storm_tsc;
	begin = rdtsc();
	for (unsigned int i = 0; i < stress->nr_sends; i++) {
		uint8_t t = script[i] & ~SEND_LAST;

		GUEST_ASSERT(t < NR_TARGETS && n < BURST_MAX);
		sent[t]++;
		log->nr_sent = i + 1;
		send_fixed(x2apic, stress->dest[t], vector);
		burst[n++] = t;
		if (!(script[i] & SEND_LAST))
			continue;
		/* Each target of the burst has counted what it was sent. */
		for (k = 0; k < n; k++)
			if (!wait_count(log, burst[k], vector, sent[burst[k]],
					begin + stress->wait_tsc))
				break;
		if (k < n) {
			log->timed_out = 1;
			log->late_target = burst[k];
			break;
		}
		took = rdtsc() - begin;
		if (took > log->max_wait)
			log->max_wait = took;
		n = 0;
		begin = rdtsc();
		if (begin > end && i + 1 < stress->nr_sends) {
			log->cut = 1;
			break;
		}
	}
	if (__atomic_add_fetch(&stress->senders_finished, 1, __ATOMIC_SEQ_CST) == NR_SENDERS)
		stop_targets(log, x2apic);
	GUEST_DONE();
}

static bool in_pool(const uint8_t *pool, uint32_t id)
{
	for (unsigned int i = 0; i < POOL_SIZE; i++)
		if (pool[i] == id)
			return true;
	return false;
}

struct changer_state {
	bool x2apic;
	bool sw_enabled;
};

/*
 * Apply one change with interrupts off; false if it does not apply in the
 * current mode (the x2APIC ID, LDR and DFR are not writable there).
 */
static bool apply_change(struct changer_state *st, uint32_t change, const uint8_t *pool)
{
	uint32_t a = CHANGE_A(change), id;

	switch (CHANGE_KIND(change)) {
	case CHANGE_ID:
		if (st->x2apic)
			return false;
		xapic_write_reg(APIC_ID, (uint32_t)pool[a] << 24);
		id = xapic_read_reg(APIC_ID) >> 24;
		__GUEST_ASSERT(id == pool[a], "xAPIC ID 0x%x after writing 0x%x", id, pool[a]);
		return true;
	case CHANGE_LOGICAL:
		if (st->x2apic)
			return false;
		xapic_write_reg(APIC_DFR, CHANGE_B(change) ? APIC_DFR_CLUSTER : APIC_DFR_FLAT);
		xapic_write_reg(APIC_LDR, a << 24);
		return true;
	case CHANGE_SW_ENABLE:
		mode_write_reg(st->x2apic, APIC_SPIV,
			       APIC_SPURIOUS_VECTOR | (a ? APIC_SPIV_APIC_ENABLED : 0));
		st->sw_enabled = a;
		return true;
	case CHANGE_MODE:
		if (!st->x2apic) {
			apic_set_mode(APIC_MODE_X2APIC);
			id = x2apic_read_reg(APIC_ID);
			__GUEST_ASSERT(id == guest_vcpu_id(),
				       "x2APIC ID 0x%x, vCPU ID 0x%x", id, guest_vcpu_id());
			st->x2apic = true;
			break;
		}
		/* fall through: x2APIC -> xAPIC goes through disabled */
	case CHANGE_REENABLE:
		apic_set_mode(APIC_MODE_DISABLED);
		apic_set_mode(APIC_MODE_XAPIC);
		id = xapic_read_reg(APIC_ID) >> 24;
		__GUEST_ASSERT(in_pool(pool, id), "xAPIC ID 0x%x after re-enabling, not in this changer's pool",
			       id);
		st->x2apic = false;
		break;
	default:
		GUEST_FAIL("change 0x%x", change);
	}
	my_mailbox()->x2apic = st->x2apic;
	st->sw_enabled = mode_read_reg(st->x2apic, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
	return true;
}

/*
 * Pause between changes: halted until the TSC-deadline timer fires where the
 * APIC can take it, spinning where it is software-disabled (its LVT is
 * masked).  Interrupts are on in both, so anything that arrives is counted.
 */
static void pace(struct changer_state *st, struct changer_log *log, uint64_t cycles)
{
	uint64_t deadline = rdtsc() + cycles;

	if (!st->sw_enabled) {
		sti();
		while (rdtsc() < deadline)
			cpu_relax();
		cli();
		return;
	}
	/* A mode change or software disable resets or masks LVTT. */
	mode_write_reg(st->x2apic, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | TIMER_VECTOR);
	halt_until_timer(deadline, &log->timers);
}

static void guest_changer(unsigned int b)
{
	struct changer_log *log = &stress->clog[b];
	const uint32_t *script = stress->changes[b];
	const uint8_t *pool = stress->pool[b];
	struct changer_state st = { .x2apic = false, .sw_enabled = true };
	uint64_t end;
	uint32_t id;

	xapic_enable();
	id = xapic_read_reg(APIC_ID) >> 24;
	__GUEST_ASSERT(id == pool[0], "xAPIC ID 0x%x, expected 0x%x", id, pool[0]);
	GUEST_SYNC(0);

	end = rdtsc() + stress->backstop_tsc;
	for (unsigned int i = 0; !__atomic_load_n(&stress->storm_done, __ATOMIC_SEQ_CST); i++) {
		uint32_t change = script[i % NR_OPS];

		if (rdtsc() > end) {
			log->backstop = 1;
			break;
		}
		if (apply_change(&st, change, pool))
			log->changes[CHANGE_KIND(change)]++;
		pace(&st, log, CHANGE_PACE(change) * stress->pace_unit_tsc);
	}
	GUEST_DONE();
}

static void guest_main(void)
{
	unsigned int me = guest_vcpu_index();

	cli();
	if (me < FIRST_SENDER)
		guest_target(me);
	else if (me < FIRST_CHANGER)
		guest_sender(me - FIRST_SENDER);
	else
		guest_changer(me - FIRST_CHANGER);
}

/* Host side: rounds */

struct variant {
	const char *name;
	bool x2apic;			/* targets and senders in x2APIC mode */
	uint32_t vcpu_id[NR_VCPUS];
	uint8_t pool[NR_CHANGERS][POOL_SIZE];
	const char *source;		/* of "nothing reaches a changer" */
};

/* Totals over both cases (each runs in its own child process). */
struct totals {
	unsigned int rounds, ipis, changes;
};
static struct totals *totals;
static pid_t main_pid;

struct round {
	const struct variant *v;
	unsigned int index;
	uint64_t seed;
	struct kvm_vm *vm;
	struct stress_shared *sh;	/* host view */
	struct ipi_mailbox *mb[NR_VCPUS];
	pthread_barrier_t start;
	uint32_t sent[NR_SENDERS][NR_TARGETS];	/* from the script prefix sent */
	unsigned int mismatches;
	unsigned int known;		/* mismatches a known KVM deviation explains */
	unsigned int known_kinds;	/* BIT(enum kvm_deviation): which ones */
	uint8_t stuck[NR_VCPUS];	/* enum stuck_kind, set by the vCPU's thread */
	unsigned int ipis, changes;
};

static uint64_t seed = 1;
static unsigned int nr_rounds = 2;

static uint64_t rng;

static uint64_t rng_next(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint32_t n)
{
	return rng_next() % n;
}

#define SRC_TARGETS								\
	"SDM vol. 3A 'Physical Destination Mode' (xAPIC: 8-bit ID) and 'ICR "	\
	"Operation in x2APIC Mode' (32-bit x2APIC ID): a fixed IPI to an "	\
	"existing physical APIC ID is accepted by the APIC with that ID, once "	\
	"('Interrupt Acceptance for Fixed Interrupts'; each sender waits for "	\
	"its IPI to be counted before it sends the same vector to the same "	\
	"target again, so none can coalesce in IRR)"
#define SRC_CHANGERS_XAPIC							\
	"changers' xAPIC IDs are never a target's (pools disjoint from the "	\
	"targets' IDs; pairs of changers share one ID, which makes KVM drop "	\
	"its optimized physical map while they alias), their x2APIC IDs are "	\
	"their vCPU IDs, >= 256 (SDM 'x2APIC State Transitions'), so no IPI "	\
	"matches them.  Mixed xAPIC/x2APIC is not defined by the "		\
	"architecture; KVM's choice (kvm_apic_match_physical_addr()): an "	\
	"x2APIC-mode APIC matches the destination against its x2APIC ID"
#define SRC_CHANGERS_X2APIC							\
	"targets' x2APIC IDs are above 255; changers in xAPIC mode take xAPIC "	\
	"IDs equal to those IDs mod 256.  Mixed xAPIC/x2APIC is not defined by "\
	"the architecture; KVM's choice (kvm_apic_match_physical_addr()): an "	\
	"xAPIC-mode APIC matches a destination above 0xff against its x2APIC "	\
	"ID (its vCPU ID, the 'hotplug hack'), never against its 8-bit xAPIC "	\
	"ID, so an IPI to a target never reaches a changer"
#define SRC_TIMER								\
	"SDM vol. 3A 'TSC-Deadline Mode': one interrupt per armed deadline"
/* The same, short, for the LOST/SPURIOUS lines (the case prints them in full). */
#define SRC_TARGETS_SHORT	"SDM 'Physical Destination Mode' / 'ICR Operation in x2APIC Mode'"
#define SRC_CHANGERS_SHORT	"changers' ID pools; KVM's choice for mixed modes " \
				"(kvm_apic_match_physical_addr())"
#define SRC_SENDERS_SHORT	"nothing is sent to a sender"
#define SRC_BACKSTOP_SHORT	"a target's backstop timer fires only if its stop IPI " \
				"does not come"
#define SRC_TIMER_SHORT		"SDM 'TSC-Deadline Mode'"
#define SRC_REENABLE								\
	"SDM vol. 3A 'x2APIC State Transitions': x2APIC -> xAPIC only through "	\
	"disabled; the xAPIC ID after re-enabling is the power-up one, KVM's "	\
	"choice: the vCPU ID mod 256 (__kvm_apic_set_base)"

static void variant_init(struct variant *v, const char *name, bool x2apic)
{
	memset(v, 0, sizeof(*v));
	v->name = name;
	v->x2apic = x2apic;
	v->source = x2apic ? SRC_CHANGERS_X2APIC : SRC_CHANGERS_XAPIC;
	for (unsigned int t = 0; t < NR_TARGETS; t++)
		v->vcpu_id[t] = x2apic ? 0x208 + 0x10 * t : t;
	for (unsigned int s = 0; s < NR_SENDERS; s++)
		v->vcpu_id[FIRST_SENDER + s] = NR_TARGETS + s;
	for (unsigned int b = 0; b < NR_CHANGERS; b++) {
		/* Own IDs 24 + 4b .. 27 + 4b; vCPU ID 256 + 24 + 4b re-enables as pool[0]. */
		uint8_t base = 24 + 4 * b;

		v->vcpu_id[FIRST_CHANGER + b] = 256 + base;
		for (unsigned int k = 0; k < 4; k++)
			v->pool[b][k] = base + k;
		/*
		 * One more ID.  xAPIC targets: one shared by changers 2k and
		 * 2k + 1 (while both hold it, KVM gives up its optimized
		 * physical map and delivers through its per-vCPU loop).
		 * x2APIC targets: a target's x2APIC ID mod 256.
		 */
		v->pool[b][4] = x2apic ? v->vcpu_id[b % NR_TARGETS] & 0xff : 184 + b / 2;
	}
}

static void check_variant(const struct variant *v, const uint32_t *dest)
{
	/* The expectation rests on this: no changer's xAPIC ID is a target's ID. */
	for (unsigned int b = 0; b < NR_CHANGERS; b++) {
		for (unsigned int k = 0; k < POOL_SIZE; k++) {
			uint8_t id = v->pool[b][k];

			TEST_ASSERT(id != XAPIC_BROADCAST, "changer pool holds 0xff");
			for (unsigned int t = 0; t < NR_TARGETS; t++)
				TEST_ASSERT(id != dest[t], "changer %u may take target %u's ID 0x%x",
					    b, t, dest[t]);
			for (unsigned int s = 0; s < NR_SENDERS; s++)
				TEST_ASSERT(id != v->vcpu_id[FIRST_SENDER + s],
					    "changer %u may take sender %u's ID", b, s);
		}
		TEST_ASSERT(v->pool[b][0] == (v->vcpu_id[FIRST_CHANGER + b] & 0xff),
			    "changer %u re-enables outside its pool", b);
		TEST_ASSERT(v->vcpu_id[FIRST_CHANGER + b] >= 256, "changer %u below 256", b);
	}
}

/* The seeded script of one round. */
static void round_script(struct round *rd)
{
	const struct variant *v = rd->v;
	struct stress_shared *sh = rd->sh;
	uint8_t perm[NR_TARGETS];

	rng = rd->seed;
	/* Targets' APIC IDs: xAPIC, a permutation of 0..15 set by the guest. */
	for (unsigned int t = 0; t < NR_TARGETS; t++)
		perm[t] = t;
	for (unsigned int t = NR_TARGETS - 1; t > 0; t--) {
		unsigned int j = rng_below(t + 1);
		uint8_t tmp = perm[t];

		perm[t] = perm[j];
		perm[j] = tmp;
	}
	for (unsigned int t = 0; t < NR_TARGETS; t++)
		sh->dest[t] = v->x2apic ? v->vcpu_id[t] : perm[t];
	check_variant(v, sh->dest);

	for (unsigned int s = 0; s < NR_SENDERS; s++) {
		unsigned int i = 0;

		while (i < sh->nr_sends) {
			unsigned int n = 1 + rng_below(BURST_MAX);
			uint32_t used = 0;

			if (n > sh->nr_sends - i)
				n = sh->nr_sends - i;
			for (unsigned int k = 0; k < n; k++) {
				unsigned int t;

				do
					t = rng_below(NR_TARGETS);
				while (used & BIT(t));
				used |= BIT(t);
				sh->script[s][i++] = t | (k == n - 1 ? SEND_LAST : 0);
			}
		}
	}

	memcpy(sh->pool, v->pool, sizeof(sh->pool));
	for (unsigned int b = 0; b < NR_CHANGERS; b++) {
		for (unsigned int i = 0; i < NR_OPS; i++) {
			unsigned int pace = 1 + rng_below(16), roll = rng_below(20);
			uint32_t c;

			if (roll < 7)
				c = CHANGE(CHANGE_ID, rng_below(POOL_SIZE), 0, pace);
			else if (roll < 12)
				c = CHANGE(CHANGE_LOGICAL, rng_below(256), rng_below(2), pace);
			else if (roll < 16)
				c = CHANGE(CHANGE_SW_ENABLE, rng_below(3) != 0, 0, pace);
			else if (roll < 18 && !v->x2apic)
				c = CHANGE(CHANGE_MODE, 0, 0, pace);
			else
				c = CHANGE(CHANGE_REENABLE, 0, 0, pace);
			sh->changes[b][i] = c;
		}
	}
}

enum stuck_kind {
	NOT_STUCK,
	/* Halted, its TSC deadline passed, the timer interrupt nowhere. */
	STUCK_TIMER_LOST,
	/* The same, but the guest counted that interrupt: it came before the HLT. */
	STUCK_TIMER_BEFORE_HLT,
	STUCK_OTHERWISE,
};

static uint32_t expected_count(struct round *rd, unsigned int cpu, unsigned int slot,
			       const char **source);

/*
 * A vCPU the watchdog kicked out of KVM_RUN: a halted vCPU whose armed
 * TSC-deadline timer has expired (the MSR reads 0 once it fired, SDM
 * 'TSC-Deadline Mode'), with LVTT unmasked and the timer vector neither in
 * IRR nor in ISR nor being injected, lost its timer interrupt - unless a
 * sender or changer has counted every timer it armed: then the interrupt
 * came between its last look (interrupts off) and its HLT, inside STI's
 * interrupt shadow, where the architecture lets no interrupt in (SDM
 * vol. 2 'STI').
 */
static enum stuck_kind classify_stuck(struct round *rd, struct kvm_vcpu *vcpu)
{
	unsigned int reg = (TIMER_VECTOR / 32) * 0x10, cpu = vcpu->index;
	struct kvm_vcpu_events events;
	struct kvm_lapic_state lapic;
	const char *source;
	uint32_t lvtt;

	vcpu_get_lapic(vcpu, &lapic);
	vcpu_ioctl(vcpu, KVM_GET_VCPU_EVENTS, &events);
	lvtt = lapic_state_get_reg(&lapic, APIC_LVTT);
	if (vcpu_get_mp_state(vcpu) != KVM_MP_STATE_HALTED ||
	    lvtt != (APIC_LVT_TIMER_TSCDEADLINE | TIMER_VECTOR) ||
	    vcpu_get_msr(vcpu, MSR_IA32_TSC_DEADLINE) ||
	    (lapic_state_get_reg(&lapic, APIC_IRR + reg) & BIT(TIMER_VECTOR % 32)) ||
	    (lapic_state_get_reg(&lapic, APIC_ISR + reg) & BIT(TIMER_VECTOR % 32)) ||
	    events.interrupt.injected)
		return STUCK_OTHERWISE;
	if (cpu >= FIRST_SENDER &&
	    READ_ONCE(rd->mb[cpu]->count[TIMER_VECTOR]) ==
	    expected_count(rd, cpu, TIMER_VECTOR, &source))
		return STUCK_TIMER_BEFORE_HLT;
	return STUCK_TIMER_LOST;
}

static const char *const stuck_verdict[] = {
	[STUCK_TIMER_LOST] = "; its TSC-deadline interrupt was lost",
	[STUCK_TIMER_BEFORE_HLT] = "; it took and counted its TSC-deadline interrupt before its HLT, inside STI's interrupt shadow, and halted with nothing left to wake it",
	[STUCK_OTHERWISE] = "",
};

/* Whether a stuck vCPU is a shape a known deviation explains on this host. */
static bool stuck_is_known(enum stuck_kind kind)
{
	if (kind == STUCK_TIMER_LOST)
		return kvm_deviation_expected(KVM_DEV_TCG_SVM_DOUBLE_INJECTION);
	if (kind == STUCK_TIMER_BEFORE_HLT)
		return kvm_deviation_expected(KVM_DEV_BOCHS_VMX_STI_SHADOW);
	return false;
}

static void stress_vcpu_thread(struct kvm_vcpu *vcpu)
{
	struct round *rd = vcpu->priv;
	struct ucall uc;
	uint64_t cmd = vcpu_run_until_ucall(vcpu, &uc);
	char stuck[512];

	TEST_ASSERT(cmd == UCALL_SYNC, "vCPU %u: %s before the storm, expected SYNC",
		    vcpu->id, ucall_cmd_name(cmd));
	pthread_barrier_wait(&rd->start);
	for (;;) {
		/*
		 * A vCPU that stays in KVM_RUN past its watchdog is reported
		 * and left there; the round's counts then say what it lost.
		 */
		if (vcpu_run_bounded(vcpu) == -ETIMEDOUT) {
			rd->stuck[vcpu->index] = classify_stuck(rd, vcpu);
			ksft_print_msg("STUCK: round %u (seed 0x%llx): vCPU %u did not come back within %u s: %s%s\n",
				       rd->index,
				       (unsigned long long)rd->seed, vcpu->id, vcpu->timeout_s,
				       vcpu_describe_stuck(vcpu, stuck, sizeof(stuck)),
				       stuck_verdict[rd->stuck[vcpu->index]]);
			return;
		}
		cmd = get_ucall(vcpu, &uc);
		if (cmd == UCALL_DONE)
			return;
		if (cmd == UCALL_PRINTF) {
			printf("# vCPU %u: %s\n", vcpu->id, uc.buffer);
			continue;
		}
		if (cmd == UCALL_SYNC)
			TEST_FAIL("vCPU %u: unexpected GUEST_SYNC in the storm", vcpu->id);
		report_guest_failure(&uc);
	}
}

/* What must have arrived on @slot (a vector, or NMI) at vCPU index @cpu. */
static uint32_t expected_count(struct round *rd, unsigned int cpu, unsigned int slot,
			       const char **source)
{
	if (cpu < FIRST_SENDER) {
		*source = SRC_TARGETS_SHORT;
		if (slot == STOP_VECTOR)
			return rd->sh->stop_sent[cpu];
		for (unsigned int s = 0; s < NR_SENDERS; s++)
			if (slot == sender_vector(s))
				return rd->sent[s][cpu];
		if (slot == TIMER_VECTOR)
			*source = SRC_BACKSTOP_SHORT;
		return 0;
	}
	if (slot == TIMER_VECTOR) {
		*source = SRC_TIMER_SHORT;
		return cpu < FIRST_CHANGER ? rd->sh->slog[cpu - FIRST_SENDER].timers :
					     rd->sh->clog[cpu - FIRST_CHANGER].timers;
	}
	*source = cpu < FIRST_CHANGER ? SRC_SENDERS_SHORT : SRC_CHANGERS_SHORT;
	return 0;
}

/* The sender whose vector @slot is, or -1. */
static int sender_of(unsigned int slot)
{
	for (unsigned int s = 0; s < NR_SENDERS; s++)
		if (slot == sender_vector(s))
			return s;
	return -1;
}

/*
 * The shapes KVM_DEV_TCG_SVM_DOUBLE_INJECTION takes, and only those: an
 * extra copy of an interrupt that was sent in the round (to this vCPU or
 * to another), or the one timer interrupt a vCPU stuck halted on lost.
 * Lost IPIs stay failures.
 */
static bool tcg_svm_injection_explains(struct round *rd, unsigned int cpu, unsigned int slot,
				       uint32_t got, uint32_t want)
{
	bool sent = sender_of(slot) >= 0 || slot == STOP_VECTOR || slot == TIMER_VECTOR;

	if (!kvm_deviation_expected(KVM_DEV_TCG_SVM_DOUBLE_INJECTION))
		return false;
	if (got > want)
		return sent;
	return slot == TIMER_VECTOR && got + 1 == want && rd->stuck[cpu] == STUCK_TIMER_LOST;
}

/*
 * KVM_DEV_BOCHS_VMX_STI_SHADOW: a sender stuck halted never finishes, so no
 * stop IPI comes and each target counts its backstop timer once.
 */
static bool bochs_sti_shadow_explains(struct round *rd, unsigned int cpu, unsigned int slot,
				      uint32_t got, uint32_t want)
{
	bool sender_stuck = false;

	if (!kvm_deviation_expected(KVM_DEV_BOCHS_VMX_STI_SHADOW))
		return false;
	for (unsigned int s = FIRST_SENDER; s < FIRST_CHANGER; s++)
		sender_stuck |= rd->stuck[s] == STUCK_TIMER_BEFORE_HLT;
	return sender_stuck && cpu < FIRST_SENDER && slot == TIMER_VECTOR && got == want + 1;
}

/* The known deviation that explains this count, or NR_KVM_DEVIATIONS. */
static enum kvm_deviation known_explanation(struct round *rd, unsigned int cpu,
					    unsigned int slot, uint32_t got, uint32_t want)
{
	if (tcg_svm_injection_explains(rd, cpu, slot, got, want))
		return KVM_DEV_TCG_SVM_DOUBLE_INJECTION;
	if (bochs_sti_shadow_explains(rd, cpu, slot, got, want))
		return KVM_DEV_BOCHS_VMX_STI_SHADOW;
	return NR_KVM_DEVIATIONS;
}

static void report_mismatch(struct round *rd, unsigned int cpu, unsigned int slot,
			    uint32_t got, uint32_t pending, uint32_t want, const char *source)
{
	const char *kind = got < want ? "LOST" : "SPURIOUS";
	struct kvm_vcpu *vcpu = rd->vm->vcpus[cpu];
	int sender = sender_of(slot);
	enum kvm_deviation known;
	char what[96], who[96];

	if (slot == IPI_SLOT_NMI)
		snprintf(what, sizeof(what), "NMI");
	else if (sender >= 0)
		snprintf(what, sizeof(what), "vector 0x%x (sender %u, vCPU %u)", slot, sender,
			 rd->v->vcpu_id[FIRST_SENDER + sender]);
	else if (slot == STOP_VECTOR)
		snprintf(what, sizeof(what), "vector 0x%x (stop)", slot);
	else if (slot == TIMER_VECTOR)
		snprintf(what, sizeof(what), "vector 0x%x (timer)", slot);
	else
		snprintf(what, sizeof(what), "vector 0x%x", slot);
	if (cpu < FIRST_SENDER)
		snprintf(who, sizeof(who), "target %u (vCPU %u, APIC ID 0x%x)", cpu, vcpu->id,
			 rd->sh->dest[cpu]);
	else if (cpu < FIRST_CHANGER)
		snprintf(who, sizeof(who), "sender %u (vCPU %u)", cpu - FIRST_SENDER, vcpu->id);
	else
		snprintf(who, sizeof(who), "changer %u (vCPU %u, xAPIC IDs 0x%x-0x%x, 0x%x)",
			 cpu - FIRST_CHANGER, vcpu->id, rd->sh->pool[cpu - FIRST_CHANGER][0],
			 rd->sh->pool[cpu - FIRST_CHANGER][3],
			 rd->sh->pool[cpu - FIRST_CHANGER][4]);
	known = known_explanation(rd, cpu, slot, got, want);
	if (known != NR_KVM_DEVIATIONS) {
		ksft_print_msg("KNOWN: round %u (seed 0x%llx): %s counted %u on %s (%u of them pending in IRR), expected %u (%s); known: %s\n",
			       rd->index,
			       (unsigned long long)rd->seed, who, got, what, pending, want,
			       source, kvm_deviation_what(known));
		rd->known++;
		rd->known_kinds |= BIT(known);
		return;
	}
	ksft_print_msg("%s: round %u (seed 0x%llx): %s counted %u on %s (%u of them pending in IRR), expected %u (%s)\n",
		       kind, rd->index,
		       (unsigned long long)rd->seed, who, got, what, pending, want, source);
	rd->mismatches++;
}

/* Counts plus what is still pending (IRR, NMI), against the expectation. */
static void check_vcpu(struct round *rd, unsigned int cpu)
{
	struct kvm_vcpu *vcpu = rd->vm->vcpus[cpu];
	struct ipi_mailbox *mb = rd->mb[cpu];
	struct kvm_vcpu_events events;
	struct kvm_lapic_state lapic;
	uint32_t pending[IPI_NR_SLOTS] = { 0 };
	const char *source;

	vcpu_get_lapic(vcpu, &lapic);
	for (unsigned int w = 0; w < 8; w++) {
		uint32_t irr = lapic_state_get_reg(&lapic, APIC_IRR + 0x10 * w);
		uint32_t isr = lapic_state_get_reg(&lapic, APIC_ISR + 0x10 * w);

		for (unsigned int bit = 0; bit < 32; bit++)
			if (irr & BIT(bit))
				pending[w * 32 + bit]++;
		if (isr) {
			ksft_print_msg("round %u (seed 0x%llx): vCPU %u ended with ISR[%u] = 0x%x: an interrupt never got its EOI\n",
				       rd->index,
				       (unsigned long long)rd->seed, vcpu->id, w, isr);
			rd->mismatches++;
		}
	}
	vcpu_ioctl(vcpu, KVM_GET_VCPU_EVENTS, &events);
	pending[IPI_SLOT_NMI] = events.nmi.pending + events.nmi.injected;

	for (unsigned int slot = 0; slot < IPI_NR_SLOTS; slot++) {
		uint32_t got = mb->count[slot] + pending[slot];
		uint32_t want = expected_count(rd, cpu, slot, &source);

		if (got != want)
			report_mismatch(rd, cpu, slot, got, pending[slot], want, source);
	}
	/*
	 * A vCPU that never came back fails the round by itself, whatever its
	 * counts say, unless it is a shape a known deviation explains here.
	 */
	if (rd->stuck[cpu] == NOT_STUCK)
		return;
	if (!stuck_is_known(rd->stuck[cpu])) {
		rd->mismatches++;
	} else if (rd->stuck[cpu] == STUCK_TIMER_BEFORE_HLT) {
		ksft_print_msg("KNOWN: round %u (seed 0x%llx): vCPU %u stuck halted after taking its timer interrupt; known: %s\n",
			       rd->index, (unsigned long long)rd->seed, vcpu->id,
			       kvm_deviation_what(KVM_DEV_BOCHS_VMX_STI_SHADOW));
		rd->known++;
		rd->known_kinds |= BIT(KVM_DEV_BOCHS_VMX_STI_SHADOW);
	}
}

/* Targets kept their mode and ID through the storm. */
static void check_target_state(struct round *rd, unsigned int t)
{
	struct kvm_vcpu *vcpu = rd->vm->vcpus[t];
	enum apic_mode mode = vcpu_apic_mode(vcpu);
	uint32_t id = vcpu_lapic_get_id(vcpu);
	uint32_t want = rd->sh->dest[t];

	if (rd->v->x2apic)
		want &= 0xff;	/* KVM_GET_LAPIC without USE_32BIT_IDS: the ID mod 256 */
	if (mode == (rd->v->x2apic ? APIC_MODE_X2APIC : APIC_MODE_XAPIC) && id == want)
		return;
	ksft_print_msg("round %u (seed 0x%llx): target %u (vCPU %u) ended in %s mode with ID 0x%x, wanted 0x%x\n",
		       rd->index, (unsigned long long)rd->seed, t,
		       vcpu->id, apic_mode_name(mode), id, want);
	rd->mismatches++;
}

static uint64_t ms_to_tsc(uint64_t tsc_khz, uint64_t ms)
{
	return tsc_khz * ms;
}

/* A fresh VM for the round: every vCPU, its mailbox, the shared block. */
static uint64_t round_vm_create(struct round *rd)
{
	const struct variant *v = rd->v;
	struct stress_shared *sh;
	struct kvm_vm *vm;
	uint64_t tsc_khz;
	vm_vaddr_t gva;

	vm = __vm_create(NR_VCPUS, sizeof(*sh) +
			 NR_VCPUS * ALIGN_UP(sizeof(struct ipi_mailbox), GUEST_PAGE_SIZE));
	rd->vm = vm;
	for (unsigned int vec = 0x20; vec < 256; vec++)
		vm_set_idt_gate(vm, vec, (vm_vaddr_t)ipi_vector_stubs + vec * IPI_STUB_SIZE);
	vm_set_idt_gate(vm, NMI_VECTOR, (vm_vaddr_t)ipi_nmi_stub);

	gva = vm_vaddr_alloc(vm, sizeof(*sh));
	sh = rd->sh = addr_gva2hva(vm, gva);
	write_guest_global(vm, stress, (struct stress_shared *)gva);

	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		struct kvm_vcpu *vcpu = vm_vcpu_add(vm, v->vcpu_id[i], guest_main);
		vm_vaddr_t mb = vm_vaddr_alloc(vm, sizeof(struct ipi_mailbox));

		vcpu->percpu->test_data = mb;
		vcpu->priv = rd;
		rd->mb[i] = addr_gva2hva(vm, mb);
		sh->mailbox[i] = mb;
	}
	tsc_khz = ioctl(vm->vcpus[0]->fd, KVM_GET_TSC_KHZ, 0);
	TEST_ASSERT((int64_t)tsc_khz > 0, "KVM_GET_TSC_KHZ failed");
	sh->x2apic = v->x2apic;
	sh->nr_sends = SENDS_DEFAULT;
	sh->wait_tsc = ms_to_tsc(tsc_khz, WAIT_MS);
	sh->storm_tsc = ms_to_tsc(tsc_khz, STORM_MS);
	sh->backstop_tsc = ms_to_tsc(tsc_khz, BACKSTOP_MS);
	sh->pace_unit_tsc = tsc_khz * PACE_UNIT_US / 1000;
	sh->poll_tsc = tsc_khz * POLL_US / 1000;
	return tsc_khz;
}

/* Every vCPU on its own thread, all started at once; the time they took. */
static uint64_t round_execute(struct round *rd)
{
	uint64_t t0;

	TEST_ASSERT(!pthread_barrier_init(&rd->start, NULL, NR_VCPUS + 1),
		    "pthread_barrier_init");
	vm_vcpu_threads_start(rd->vm, stress_vcpu_thread);
	pthread_barrier_wait(&rd->start);
	t0 = now_ns();
	vm_vcpu_threads_join(rd->vm);
	pthread_barrier_destroy(&rd->start);
	return now_ns() - t0;
}

/* What was sent: the script prefix each sender got through; the longest wait. */
static uint64_t round_tally_senders(struct round *rd)
{
	const struct stress_shared *sh = rd->sh;
	uint64_t max_wait = 0;

	memset(rd->sent, 0, sizeof(rd->sent));
	rd->ipis = 0;
	for (unsigned int s = 0; s < NR_SENDERS; s++) {
		const struct sender_log *log = &sh->slog[s];

		TEST_ASSERT(log->nr_sent <= sh->nr_sends, "sender %u: %u sent of %u", s,
			    log->nr_sent, sh->nr_sends);
		for (unsigned int i = 0; i < log->nr_sent; i++)
			rd->sent[s][sh->script[s][i] & ~SEND_LAST]++;
		rd->ipis += log->nr_sent;
		if (log->max_wait > max_wait)
			max_wait = log->max_wait;
		if (log->timed_out)
			ksft_print_msg("round %u: sender %u waited more than %u ms for target %u after %u of %u IPIs and stopped there\n",
				       rd->index, s, WAIT_MS, log->late_target, log->nr_sent,
				       sh->nr_sends);
		if (log->cut)
			ksft_print_msg("round %u: sender %u reached the %u ms storm bound after %u of %u IPIs\n",
				       rd->index, s, STORM_MS, log->nr_sent, sh->nr_sends);
	}
	if (sh->stop_late)
		ksft_print_msg("round %u: %u stop IPI(s) not counted within %u ms\n",
			       rd->index, sh->stop_late, WAIT_MS);
	return max_wait;
}

/* The changes made, by kind, and the pace timers the changers waited for. */
static unsigned int round_tally_changers(struct round *rd, unsigned int *changes)
{
	unsigned int timers = 0, backstops = 0;

	rd->changes = 0;
	for (unsigned int b = 0; b < NR_CHANGERS; b++) {
		for (unsigned int k = 0; k < NR_CHANGE_KINDS; k++) {
			changes[k] += rd->sh->clog[b].changes[k];
			rd->changes += rd->sh->clog[b].changes[k];
		}
		timers += rd->sh->clog[b].timers;
		backstops += rd->sh->clog[b].backstop;
	}
	if (backstops)
		ksft_print_msg("round %u: %u changer(s) stopped by their own %u ms bound\n",
			       rd->index, backstops, BACKSTOP_MS);
	return timers;
}

/* One round in a fresh VM; returns the number of mismatches. */
static unsigned int round_run(struct round *rd)
{
	unsigned int changes[NR_CHANGE_KINDS] = { 0 }, timers;
	uint64_t tsc_khz, ns, max_wait;

	tsc_khz = round_vm_create(rd);
	round_script(rd);
	ns = round_execute(rd);
	max_wait = round_tally_senders(rd);
	timers = round_tally_changers(rd, changes);

	rd->mismatches = 0;
	for (unsigned int i = 0; i < NR_VCPUS; i++)
		check_vcpu(rd, i);
	for (unsigned int t = 0; t < NR_TARGETS; t++)
		check_target_state(rd, t);

	ksft_print_msg("round %u: %u IPIs, %u ID/mode changes (%s %u, %s %u, %s %u, %s %u, %s %u), %u pace timers; %llu ms, %llu IPIs/s, %llu changes/s, longest burst %llu ms; seed 0x%llx\n",
		       rd->index, rd->ipis, rd->changes, change_names[0], changes[0],
		       change_names[1], changes[1], change_names[2], changes[2], change_names[3],
		       changes[3], change_names[4], changes[4], timers,
		       (unsigned long long)(ns / 1000000),
		       (unsigned long long)(rd->ipis * 1000000000ull / (ns ? ns : 1)),
		       (unsigned long long)(rd->changes * 1000000000ull / (ns ? ns : 1)),
		       (unsigned long long)(max_wait / tsc_khz), (unsigned long long)rd->seed);
	kvm_vm_free(rd->vm);
	return rd->mismatches;
}

static uint64_t round_seed(bool x2apic, unsigned int r)
{
	uint64_t saved = rng, s;

	rng = seed ^ ((uint64_t)x2apic << 63) ^ ((uint64_t)r << 32);
	s = rng_next();
	rng = saved;
	return s;
}

static void stress_case(const char *name, bool x2apic)
{
	static struct variant v;
	static struct round rd;
	unsigned int ipis = 0, changes = 0, mismatches = 0, known = 0, kinds = 0, warnings, r;
	uint32_t max_id = 0;
	uint64_t t0 = now_ns();
	int kmsg;

	variant_init(&v, name, x2apic);
	for (unsigned int i = 0; i < NR_VCPUS; i++)
		if (v.vcpu_id[i] > max_id)
			max_id = v.vcpu_id[i];
	TEST_REQUIRE_MSG(kvm_max_vcpus() >= NR_VCPUS, "the host allows %u vCPUs per VM, the storm needs %u",
			 kvm_max_vcpus(), NR_VCPUS);
	TEST_REQUIRE_MSG(kvm_max_vcpu_id() > max_id, "the host allows vCPU IDs below %u, the storm needs %u",
			 kvm_max_vcpu_id(), max_id);
	TEST_REQUIRE_MSG(kvm_has_tsc_deadline_timer(),
			 "the host's KVM does not offer the TSC-deadline timer (CPUID.1:ECX[24]), which paces the changers and bounds the targets' wait");
	TEST_REQUIRE_MSG(cpuid_entry_find((struct kvm_cpuid2 *)kvm_get_supported_cpuid(),
					  1, 0)->ecx & CPUID_1_ECX_X2APIC,
			 "the host's KVM does not offer x2APIC (CPUID.1:ECX[21])");

	ksft_print_msg("%s: %u targets, %u senders x %u IPIs, %u changers; seed 0x%llx, %u round(s) (reproduce with -s 0x%llx -n %u)\n",
		       name, NR_TARGETS,
		       NR_SENDERS, SENDS_DEFAULT, NR_CHANGERS, (unsigned long long)seed,
		       nr_rounds, (unsigned long long)seed, nr_rounds);
	ksft_print_msg("source: %s\n", SRC_TARGETS);
	ksft_print_msg("source: %s\n", v.source);
	ksft_print_msg("source: %s\n", SRC_REENABLE);
	ksft_print_msg("source: %s\n", SRC_TIMER);

	kmsg = kmsg_watch_start();
	for (r = 0; r < nr_rounds && !mismatches; r++) {
		memset(&rd, 0, sizeof(rd));
		rd.v = &v;
		rd.index = r;
		rd.seed = round_seed(x2apic, r);
		mismatches = round_run(&rd);
		known += rd.known;
		kinds |= rd.known_kinds;
		ipis += rd.ipis;
		changes += rd.changes;
	}
	ksft_print_msg("%s: %u round(s), %u IPIs, %u ID/mode changes, %u LOST or SPURIOUS, %u KNOWN; %llu ms\n",
		       name, r, ipis, changes, mismatches, known,
		       (unsigned long long)((now_ns() - t0) / 1000000));
	__atomic_fetch_add(&totals->rounds, r, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->ipis, ipis, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&totals->changes, changes, __ATOMIC_SEQ_CST);
	/* Scanned after a failed round too: a kernel warning may explain it. */
	warnings = kmsg_watch_end(kmsg);
	errno = 0;	/* a count mismatch has no errno */
	TEST_ASSERT(!mismatches, "%s round %u: %u mismatch(es) (LOST/SPURIOUS above); reproduce with -s 0x%llx -n %u",
		    name, r - 1, mismatches,
		    (unsigned long long)seed, r);
	TEST_ASSERT(!warnings, "%s: the kernel logged %u warning line(s) during the case (dmesg lines above)",
		    name, warnings);
	if (known)
		test_xfail("%u mismatch(es), all known KVM deviations on %s %s ('%s'): %s",
			   known, kvm_backend(), host_kernel_release(), host_cpu_model(),
			   kvm_deviation_what(kinds & BIT(KVM_DEV_BOCHS_VMX_STI_SHADOW) ?
					      KVM_DEV_BOCHS_VMX_STI_SHADOW :
					      KVM_DEV_TCG_SVM_DOUBLE_INJECTION));
}

KVM_TEST_TIMEOUT(xapic_targets, CASE_TIMEOUT_S(2))
{
	stress_case("xapic_targets", false);
}

KVM_TEST_TIMEOUT(x2apic_targets, CASE_TIMEOUT_S(2))
{
	stress_case("x2apic_targets", true);
}

/* test_harness_run() exits; the totals are printed on the way out. */
static void print_totals(void)
{
	if (getpid() == main_pid && totals->rounds)
		ksft_print_msg("total: %u round(s), %u IPIs, %u ID/mode changes\n",
			       totals->rounds, totals->ipis, totals->changes);
}

static void print_usage(const char *prog)
{
	printf("usage: %s [-s SEED] [-n ROUNDS] [kselftest_harness options]\n", prog);
}

static bool handle_option(int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case 's':
		return parse_u64(arg, &seed);
	case 'n':
		if (!parse_u64(arg, &v) || !v || v > 10000)
			return false;
		nr_rounds = v;
		return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	char *harness_argv[64];
	int harness_argc;

	harness_argc = test_split_options(argc, argv, "s:n:", handle_option, harness_argv,
					  ARRAY_SIZE(harness_argv));
	if (harness_argc < 0) {
		print_usage(argv[0]);
		return KSFT_FAIL;
	}
	if (!kvm_harness_only_lists(harness_argc, harness_argv))
		kvm_require_dev_kvm();
	/*
	 * Every round is bounded; the harness's limit follows the number of
	 * rounds, known only now.  The harness has no public means to set a
	 * case's timeout at run time: set the field TEST() declared.
	 */
	_xapic_targets_object.timeout = CASE_TIMEOUT_S(nr_rounds);
	_x2apic_targets_object.timeout = CASE_TIMEOUT_S(nr_rounds);

	totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(totals != MAP_FAILED, "mmap");
	main_pid = getpid();
	atexit(print_totals);
	return test_harness_run(harness_argc, harness_argv);
}
