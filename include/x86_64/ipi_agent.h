/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the IPI engine's host side and its guest agent share in guest
 * memory, besides each vCPU's mailbox (ipi_engine.h).
 */
#ifndef SELFTEST_KVM_IPI_AGENT_H
#define SELFTEST_KVM_IPI_AGENT_H

#include "ipi_engine.h"

#define IPI_MAX_CPUS		256
#define IPI_MAX_WAITS		(IPI_MAX_BATCH * 64)
/* IOAPIC interrupts use pins 16-23: the PIC is not on them. */
#define IPI_IOAPIC_FIRST_PIN	16
#define IPI_IOAPIC_PINS		8

/* One interrupt of the script and what its sender waits for after it. */
struct ipi_step {
	uint64_t icr;			/* in the sender's APIC mode; the PV IPI's ICR */
	uint64_t bitmap[2];		/* PV IPI: APIC IDs from pv_min; Hyper-V: VPs */
	uint64_t hv_input;		/* Hyper-V, input in memory: its guest address */
	uint32_t pv_min;		/* PV IPI: the APIC ID of bit 0 */
	uint8_t door;			/* enum apic_model_door */
	uint8_t door_flags;		/* APIC_DOOR_HV_* */
	uint16_t slot;			/* counter to watch: vector or IPI_SLOT_NMI */
	uint16_t nr_waits;
	uint32_t first_wait;		/* index into ipi_batch.waits */
	uint16_t sender;		/* vCPU index that sends it */
	uint8_t sender_x2apic;		/* ICR through the x2APIC MSR */
	uint8_t any_one;		/* lowest priority: one of the waits suffices */
	/*
	 * After its nr_waits come nr_maybe waits for targets a known KVM
	 * deviation may leave out: waited for only until the settle time.
	 */
	uint16_t nr_maybe;
	uint8_t pad[2];
};

/* vCPU @cpu's counter in the step's slot must reach @count. */
struct ipi_wait {
	uint16_t cpu;
	uint16_t count;
};

/*
 * The script is sorted by sender; the vCPU whose turn it is sends its run
 * of steps, then passes the turn to the next sender and wakes everybody
 * (all-excluding-self shorthand): halted vCPUs check whether it is their
 * turn, or the end of the batch, and halt again.
 */
struct ipi_batch {
	uint32_t ready;			/* agents done applying their command */
	uint32_t done;			/* the script is finished */
	uint32_t turn;			/* vCPU index whose steps come next */
	uint32_t next_step;
	uint32_t nr_cpus;
	uint32_t nr_steps;		/* sent by the vCPUs; 0 when the host sends */
	uint32_t nr_steps_planned;	/* in steps[], whoever sends them */
	uint32_t tsc_deadline;		/* the vCPUs have a TSC-deadline timer */
	uint64_t timeout_tsc;		/* per-step wait bound, in TSC cycles */
	uint64_t batch_tsc;		/* bound on all waits of the batch */
	uint64_t batch_deadline;	/* set by the first sender: TSC + batch_tsc */
	uint64_t settle_tsc;		/* how long to wait for maybe-lost ones */
	uint32_t vmmcall;		/* KVM hypercalls use VMMCALL (AMD), not VMCALL */
	uint32_t nr_ioapic_pins;	/* vCPU index 0 programs pins IPI_IOAPIC_FIRST_PIN.. */
	uint64_t hv_hypercall_page;	/* Hyper-V: guest address, or 0 */
	uint64_t ioapic_rte[IPI_IOAPIC_PINS];
	uint64_t mailbox[IPI_MAX_CPUS];	/* guest address of each vCPU's mailbox */
	uint8_t timed_out[IPI_MAX_BATCH];
	/* TSC cycles from the ICR write to the last acceptance waited for. */
	uint64_t step_cycles[IPI_MAX_BATCH];
	/* What a hypercall step returned in RAX. */
	uint64_t step_ret[IPI_MAX_BATCH];
	struct ipi_step steps[IPI_MAX_BATCH];
	struct ipi_wait waits[IPI_MAX_WAITS];
};

/*
 * A maybe-lost NMI of step @k reached vCPU index @cpu: the NMI counts
 * the later steps wait for on @cpu are one higher (host and guest side).
 */
static inline void ipi_batch_nmi_arrived(struct ipi_batch *b, unsigned int k, unsigned int cpu)
{
	for (unsigned int j = k + 1; j < b->nr_steps_planned; j++) {
		const struct ipi_step *st = &b->steps[j];
		struct ipi_wait *w = &b->waits[st->first_wait];

		if (st->slot != IPI_SLOT_NMI)
			continue;
		for (unsigned int i = 0; i < st->nr_waits + st->nr_maybe; i++)
			if (w[i].cpu == cpu)
				w[i].count++;
	}
}

/* Guest side: every vCPU of an engine VM runs this. */
void ipi_agent_main(void);
/* Guest global: the batch block, set by the host. */
extern struct ipi_batch *ipi_agent_batch;

/* Guest addresses of the interrupt stubs (ipi_handlers.S). */
extern char ipi_vector_stubs[];
extern char ipi_nmi_stub[];

/*
 * Wait for step @st of @b; false if @deadline passed first (guest side).
 * If vCPU index @halt_for (>= 0) must accept the interrupt itself, it
 * waits for that halted, the TSC-deadline timer bounding the halt, then
 * spins for the others.  The maybe-lost ones are the caller's.
 */
bool ipi_agent_wait_step(const struct ipi_batch *b, const struct ipi_step *st,
			 uint64_t deadline, int halt_for);

#endif /* SELFTEST_KVM_IPI_AGENT_H */
