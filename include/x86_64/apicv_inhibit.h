/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Watching KVM inhibit APICv / AVIC, through the tracepoint
 * kvm:kvm_apicv_inhibit_changed.
 *
 * KVM reports no inhibit state through any ioctl, stat or debugfs file; the
 * tracepoint is the only window.  It fires from set_or_clear_apicv_inhibit()
 * in arch/x86/kvm/x86.c each time a reason is set or cleared (also when the
 * bit does not change), with the reason number, set/cleared, and the VM's
 * whole inhibit mask after the change.
 *
 * Line format (TP_printk of the event in arch/x86/kvm/trace.h), after the
 * usual tracefs prefix "comm-pid [cpu] flags timestamp: event: ":
 *
 *   5.19 - 6.10:  "set reason=5, inhibits=0x20"
 *   6.11 and on:  "set reason=5, inhibits=0x20 APIC_ID_MODIFIED"
 *                 (names of the set bits, '|'-separated, only when the mask
 *                 is not 0; bits without a name are printed as "0x...")
 *
 * The observer follows this process only: a tracefs instance of its own,
 * the event enabled only there, set_event_pid = this process with
 * options/event-fork so that threads and children created later are
 * followed too.  The instance is removed on close and at exit().
 */
#ifndef SELFTEST_KVM_APICV_INHIBIT_H
#define SELFTEST_KVM_APICV_INHIBIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Bits of enum kvm_apicv_inhibit (arch/x86/include/asm/kvm_host.h), as
 * numbered since 6.3 (which inserted PHYSICAL_ID_ALIASED at 4).  Checked
 * against 6.12 (0..11) and against the event format of 6.18 (adds 12).
 */
enum apicv_inhibit_reason {
	APICV_INHIBIT_DISABLED			= 0,
	APICV_INHIBIT_HYPERV			= 1,
	APICV_INHIBIT_ABSENT			= 2,
	APICV_INHIBIT_BLOCKIRQ			= 3,
	APICV_INHIBIT_PHYSICAL_ID_ALIASED	= 4,
	APICV_INHIBIT_APIC_ID_MODIFIED		= 5,
	APICV_INHIBIT_APIC_BASE_MODIFIED	= 6,
	APICV_INHIBIT_NESTED			= 7,
	APICV_INHIBIT_IRQWIN			= 8,
	APICV_INHIBIT_PIT_REINJ			= 9,
	APICV_INHIBIT_SEV			= 10,
	APICV_INHIBIT_LOGICAL_ID_ALIASED	= 11,
	APICV_INHIBIT_PHYSICAL_ID_TOO_BIG	= 12,	/* after 6.12 */
	APICV_INHIBIT_NR_KNOWN
};

#define APICV_INHIBIT(r)	(1ul << APICV_INHIBIT_##r)

/* The reasons kvm_recalculate_apic_map() (lapic.c) sets and clears. */
#define APICV_INHIBITS_APIC_MAP	(APICV_INHIBIT(PHYSICAL_ID_ALIASED) |	\
				 APICV_INHIBIT(LOGICAL_ID_ALIASED) |	\
				 APICV_INHIBIT(APIC_ID_MODIFIED))

/*
 * The reasons each vendor honours; KVM drops (and does not trace) the
 * others: VMX_REQUIRED_APICV_INHIBITS (vmx/main.c in 6.12) and
 * AVIC_REQUIRED_APICV_INHIBITS (svm/svm.h; PHYSICAL_ID_TOO_BIG after 6.12).
 */
#define APICV_INHIBITS_VMX	(APICV_INHIBIT(DISABLED) | APICV_INHIBIT(ABSENT) |	\
				 APICV_INHIBIT(HYPERV) | APICV_INHIBIT(BLOCKIRQ) |	\
				 APICV_INHIBIT(PHYSICAL_ID_ALIASED) |		\
				 APICV_INHIBIT(APIC_ID_MODIFIED) |		\
				 APICV_INHIBIT(APIC_BASE_MODIFIED))
#define APICV_INHIBITS_AVIC	(APICV_INHIBITS_VMX | APICV_INHIBIT(NESTED) |	\
				 APICV_INHIBIT(IRQWIN) | APICV_INHIBIT(PIT_REINJ) |	\
				 APICV_INHIBIT(SEV) |				\
				 APICV_INHIBIT(LOGICAL_ID_ALIASED) |		\
				 APICV_INHIBIT(PHYSICAL_ID_TOO_BIG))

/* "APIC_ID_MODIFIED" for 5, NULL for a bit without a known name. */
const char *apicv_inhibit_name(unsigned int reason);
/* The bit of a reason name of @len characters, or -1. */
int apicv_inhibit_by_name(const char *name, size_t len);
/* "PHYSICAL_ID_ALIASED|APIC_ID_MODIFIED", "bit13" for unnamed, "none" for 0. */
const char *apicv_inhibit_mask_str(unsigned long mask, char *buf, size_t len);

/* One trace line */

#define APICV_INHIBIT_EVENT	"kvm_apicv_inhibit_changed"
/*
 * Traced when an interrupt was accepted through APICv / AVIC: on VMX after
 * it was posted (vmx_deliver_interrupt()), on SVM only while AVIC is active
 * for the vCPU (svm_complete_interrupt_delivery()); 6.12.
 */
#define APICV_POSTED_EVENT	"kvm_apicv_accept_irq"

struct apicv_inhibit_event {
	char comm[17];		/* task name as tracefs printed it */
	int pid;		/* thread ID of the task that hit the tracepoint */
	int cpu;
	uint64_t ts_ns;		/* timestamp, seconds and fraction in ns */
	unsigned int reason;
	bool set;		/* "set" or "cleared" */
	unsigned long inhibits;	/* the VM's inhibit mask after the change */
	bool named;		/* the line listed reason names (6.11+ format) */
};

enum apicv_line_kind {
	APICV_LINE_EVENT,	/* a kvm_apicv_inhibit_changed line, parsed */
	APICV_LINE_IGNORED,	/* empty, a '#' header, or some other event */
	APICV_LINE_MALFORMED,	/* mentions the event but does not parse */
};

/*
 * Parse one line of trace / trace_pipe output.  Pure: no I/O, no state.
 * A line is an event only if every field parses, the reason bit agrees
 * with set/cleared and the mask, and any names agree with the mask.
 */
enum apicv_line_kind apicv_inhibit_parse_line(const char *line,
					      struct apicv_inhibit_event *ev);
/* The same for the event's own text ("set reason=..."); fills the payload fields. */
bool apicv_inhibit_parse_payload(const char *text, size_t len,
				 struct apicv_inhibit_event *ev);
/* N of a "CPU:1 [LOST N EVENTS]" line (ring buffer overrun), else 0. */
unsigned long apicv_trace_lost_events(const char *line);

/* The observer (apicv_observer.c) */

struct apicv_observer {
	pid_t owner;			/* the process that opened it */
	char dir[256];			/* its tracefs instance */

	struct apicv_inhibit_event *events;	/* every event seen, in order */
	unsigned int nr_events;
	unsigned int events_cap;

	unsigned long mask;		/* inhibits after the last event */
	unsigned int creations;		/* VM creations seen (set DISABLED/ABSENT) */
	int creation_reason;		/* of the last one (if any): DISABLED, ABSENT */

	unsigned int malformed;		/* lines that named the event but did not parse */
	char malformed_line[256];	/* the first of them */
	bool named_format;		/* some line carried reason names */
	unsigned long lost;		/* events the ring buffer dropped */
	unsigned long posted;		/* APICV_POSTED_EVENT lines, if counted */

	char partial[512];		/* an incomplete line left by the last read */
	size_t partial_len;
	struct apicv_observer *next;	/* open observers, for the exit handler */
};

/*
 * Start observing.  NULL if it cannot, with the reason in @why (not root,
 * no tracefs and mounting it failed, no such event, ...), to be turned
 * into a SKIP.  Mounts tracefs at /sys/kernel/tracing if no tracefs is
 * mounted.  Removes instances left by processes that no longer exist.
 */
struct apicv_observer *apicv_observer_open(char *why, size_t why_len);
/* Stop observing and remove the instance (also done at exit()). */
void apicv_observer_close(struct apicv_observer *obs);
/*
 * Count the interrupts KVM accepted through APICv / AVIC too (@posted):
 * false, with the reason in @why, if the event cannot be enabled.
 */
bool apicv_observer_count_posted(struct apicv_observer *obs, char *why, size_t why_len);
/* Read what the tracepoint wrote since the last call; returns how many events. */
unsigned int apicv_observer_poll(struct apicv_observer *obs);
/*
 * Account one line of trace_pipe output (what poll does with each line);
 * also for replaying captured lines into a zeroed observer offline.
 */
void apicv_observer_feed_line(struct apicv_observer *obs, const char *line);
/* Print the events from index @from on, as diagnostics. */
void apicv_observer_dump(const struct apicv_observer *obs, unsigned int from);
/* Whether the events are VM creation events (set DISABLED or set ABSENT). */
bool apicv_event_is_creation(const struct apicv_inhibit_event *ev);

/* The host (apicv_host.c) */

enum apicv_vendor {
	APICV_VENDOR_NONE,	/* no kvm_intel / kvm_amd (another backend) */
	APICV_VENDOR_VMX,	/* kvm_intel: APICv */
	APICV_VENDOR_SVM,	/* kvm_amd: AVIC */
};

struct apicv_host {
	enum apicv_vendor vendor;
	char backend[32];	/* the kvm_* module in use: kvm_intel, kvm_amd, kvm_pvm... */
	int module_param;	/* kvm_amd avic / kvm_intel enable_apicv: 1, 0, -1 unknown */
	int creation_event;	/* 1 ABSENT, 0 DISABLED, -1 not seen */
	bool enabled;		/* new VMs start with APICv/AVIC enabled */
	unsigned long honoured;	/* reasons the vendor honours (APICV_INHIBITS_*) */
	unsigned int kver_major, kver_minor;
	char why_off[256];	/* why not enabled, for a SKIP */
};

/*
 * Decide whether APICv/AVIC is enabled for new VMs: the VM creation event
 * the observer saw (ABSENT = enabled, DISABLED = not; kvm_apicv_init() in
 * x86.c) when there is one, else the vendor module's parameter.
 */
void apicv_host_probe(struct apicv_host *host, const struct apicv_observer *obs);

#endif /* SELFTEST_KVM_APICV_INHIBIT_H */
