// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IPI engine's guest agent: apply the APIC state the host asked for,
 * then either send the script or wait for the end of the batch, then hand
 * control back to the host.  Guest code only.
 */
#include <linux/kvm_para.h>

#include "apic.h"
#include "hyperv.h"
#include "ioapic.h"
#include "ipi_agent.h"
#include "processor.h"

struct ipi_batch *ipi_agent_batch;

static struct ipi_mailbox *mailbox_of(const struct ipi_batch *b, unsigned int cpu)
{
	return (struct ipi_mailbox *)b->mailbox[cpu];
}

/*
 * Apply the command: the mode, then only the registers the host says
 * changed (each access may be emulated, and costs).
 */
static void agent_apply(struct ipi_mailbox *mb)
{
	const struct ipi_agent_cmd *c = &mb->cmd;
	uint32_t spiv = APIC_SPURIOUS_VECTOR | (c->sw_enabled ? APIC_SPIV_APIC_ENABLED : 0);
	uint32_t lvtt = APIC_LVT_TIMER_TSCDEADLINE | IPI_TIMER_VECTOR;
	struct ipi_agent_readback *rb = &mb->readback;
	uint8_t w = c->write_regs;

	apic_set_mode(c->mode);
	mb->x2apic = c->mode == APIC_MODE_X2APIC;
	rb->apic_base_lo = rdmsr(MSR_IA32_APICBASE);

	if (c->mode == APIC_MODE_XAPIC) {
		if (w & IPI_WRITE_ID)
			xapic_write_reg(APIC_ID, c->xapic_id << 24);
		if (w & IPI_WRITE_LDR_DFR) {
			xapic_write_reg(APIC_DFR, c->dfr);
			xapic_write_reg(APIC_LDR, c->ldr);
		}
		if (w & IPI_WRITE_SPIV)
			xapic_write_reg(APIC_SPIV, spiv);
		if (w & IPI_WRITE_TPR)
			xapic_write_reg(APIC_TASKPRI, c->tpr);
		if (w & IPI_WRITE_LVTT)
			xapic_write_reg(APIC_LVTT, lvtt);
		rb->id = xapic_read_reg(APIC_ID) >> 24;
	} else if (c->mode == APIC_MODE_X2APIC) {
		if (w & IPI_WRITE_SPIV)
			x2apic_write_reg(APIC_SPIV, spiv);
		if (w & IPI_WRITE_TPR)
			x2apic_write_reg(APIC_TASKPRI, c->tpr);
		if (w & IPI_WRITE_LVTT)
			x2apic_write_reg(APIC_LVTT, lvtt);
		rb->id = x2apic_read_reg(APIC_ID);
	}
}

static bool step_complete(const struct ipi_batch *b, const struct ipi_step *st)
{
	const struct ipi_wait *w = &b->waits[st->first_wait];
	unsigned int i, got = 0;

	for (i = 0; i < st->nr_waits; i++)
		got += READ_ONCE(mailbox_of(b, w[i].cpu)->count[st->slot]) >= w[i].count;
	return st->any_one ? got > 0 || !st->nr_waits : got == st->nr_waits;
}

/* This vCPU's own wait in step @st, or NULL if it need not accept it. */
static const struct ipi_wait *own_wait(const struct ipi_batch *b, const struct ipi_step *st,
				       unsigned int me)
{
	const struct ipi_wait *w = &b->waits[st->first_wait];

	for (unsigned int i = 0; i < st->nr_waits; i++)
		if (w[i].cpu == me)
			return &w[i];
	return NULL;
}

/*
 * Wait halted until this vCPU has accepted its own interrupt: checked with
 * interrupts off, then STI;HLT, so an interrupt that comes in between
 * still ends the HLT; the TSC-deadline timer ends it at the deadline.
 */
static void wait_own_halted(const struct ipi_batch *b, const struct ipi_step *st,
			    const struct ipi_wait *w, uint64_t deadline)
{
	const uint32_t *count = &mailbox_of(b, w->cpu)->count[st->slot];

	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	for (;;) {
		cli();
		if (READ_ONCE(*count) >= w->count || rdtsc() > deadline)
			break;
		safe_halt();
	}
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	sti();
}

static bool maybe_arrived(const struct ipi_batch *b, const struct ipi_step *st, unsigned int i)
{
	const struct ipi_wait *w = &b->waits[st->first_wait + st->nr_waits + i];

	return READ_ONCE(mailbox_of(b, w->cpu)->count[st->slot]) >= w->count;
}

/*
 * Give the targets a known deviation may leave out of step @k until
 * @until to show the interrupt, so that it cannot merge with the next one
 * (a second NMI while one is pending is dropped); the NMIs that did
 * arrive raise the counts the later steps wait for.  Rare, and kept out of
 * line: guest instructions cost here (each may be emulated).
 */
static noinline __cold void settle_maybe(struct ipi_batch *b, unsigned int k,
							  uint64_t until)
{
	const struct ipi_step *st = &b->steps[k];
	unsigned int i, got;

	for (;;) {
		for (i = 0, got = 0; i < st->nr_maybe; i++)
			got += maybe_arrived(b, st, i);
		if (got == st->nr_maybe || rdtsc() > until)
			break;
		cpu_relax();
	}
	if (st->slot != IPI_SLOT_NMI)
		return;
	for (i = 0; i < st->nr_maybe; i++)
		if (maybe_arrived(b, st, i))
			ipi_batch_nmi_arrived(b, k, b->waits[st->first_wait + st->nr_waits + i].cpu);
}

bool ipi_agent_wait_step(const struct ipi_batch *b, const struct ipi_step *st,
			 uint64_t deadline, int halt_for)
{
	const struct ipi_wait *own = halt_for >= 0 ? own_wait(b, st, halt_for) : NULL;
	bool done;

	if (own && !st->any_one)
		wait_own_halted(b, st, own, deadline);
	while (!(done = step_complete(b, st)) && rdtsc() <= deadline)
		cpu_relax();
	return done;
}

static void send_icr(bool x2apic, uint64_t icr)
{
	if (x2apic)
		x2apic_write_icr(icr);
	else
		xapic_write_icr(icr);
}

/* HvCallSendSyntheticClusterIpi(Ex); the fast form carries its input in RDX and R8. */
static uint64_t send_hyperv(const struct ipi_batch *b, const struct ipi_step *st)
{
	uint64_t vector = st->icr & 0xff, control;

	if (st->door_flags & APIC_DOOR_HV_FAST)
		return hv_hypercall(b->hv_hypercall_page, HVCALL_SEND_IPI | HV_HYPERCALL_FAST,
				    vector, st->bitmap[0]);
	if (!(st->door_flags & APIC_DOOR_HV_EX))
		return hv_hypercall(b->hv_hypercall_page, HVCALL_SEND_IPI, st->hv_input, 0);
	control = HVCALL_SEND_IPI_EX;
	if (!(st->door_flags & APIC_DOOR_HV_ALL))
		control |= (uint64_t)(!!st->bitmap[0] + !!st->bitmap[1]) <<
			   HV_HYPERCALL_VARHEAD_SHIFT;
	return hv_hypercall(b->hv_hypercall_page, control, st->hv_input, 0);
}

/* Step @k through its door; a hypercall's RAX is kept for the host. */
static void send_step(struct ipi_batch *b, unsigned int k, bool x2apic)
{
	const struct ipi_step *st = &b->steps[k];

	switch (st->door) {
	case APIC_DOOR_PV_IPI:
		b->step_ret[k] = kvm_hypercall4(b->vmmcall, KVM_HC_SEND_IPI, st->bitmap[0],
						st->bitmap[1], st->pv_min, st->icr);
		break;
	case APIC_DOOR_HYPERV:
		b->step_ret[k] = send_hyperv(b, st);
		break;
	default:
		send_icr(x2apic, st->icr);
		break;
	}
}

/* vCPU index 0 programs the batch's IOAPIC entries before anybody sends. */
static void program_ioapic(const struct ipi_batch *b)
{
	for (unsigned int i = 0; i < b->nr_ioapic_pins; i++)
		ioapic_write_rte(IPI_IOAPIC_FIRST_PIN + i, b->ioapic_rte[i]);
}

/* Send this vCPU's run of steps, then hand the turn on and wake everybody. */
static void agent_send_turn(struct ipi_batch *b, unsigned int me, bool halted)
{
	struct apic_ipi wake = {
		.vector = IPI_WAKE_VECTOR,
		.shorthand = APIC_SHORTHAND_ALL_EXCLUDING_SELF,
	};
	unsigned int i = READ_ONCE(b->next_step);
	bool x2apic = b->steps[i].sender_x2apic;

	/*
	 * The first sender starts once every vCPU has applied its state, and
	 * starts the batch's clock: however many interrupts get lost, the
	 * waits end well before the host's watchdog would fire.
	 */
	if (!i) {
		uint64_t deadline = rdtsc() + b->timeout_tsc;

		b->batch_deadline = rdtsc() + b->batch_tsc;
		while (READ_ONCE(b->ready) < b->nr_cpus) {
			if (rdtsc() > deadline)
				GUEST_FAIL("only %u of %u vCPUs applied their APIC state in time",
					   READ_ONCE(b->ready), b->nr_cpus);
			cpu_relax();
		}
	}

	for (; i < b->nr_steps && b->steps[i].sender == me; i++) {
		const struct ipi_step *st = &b->steps[i];
		/*
		 * Where the sender must take the interrupt itself and the
		 * targets wait halted, it waits halted for its own.
		 */
		int halt_for = halted && b->tsc_deadline ? (int)me : -1;
		uint64_t start = rdtsc(), deadline = start + b->timeout_tsc;

		if (deadline > b->batch_deadline)
			deadline = b->batch_deadline;
		send_step(b, i, x2apic);
		if (!ipi_agent_wait_step(b, st, deadline, halt_for))
			b->timed_out[i] = 1;
		b->step_cycles[i] = rdtsc() - start;
		if (st->nr_maybe)
			settle_maybe(b, i, start + b->settle_tsc < deadline ?
					   start + b->settle_tsc : deadline);
	}

	WRITE_ONCE(b->next_step, i);
	if (i < b->nr_steps)
		WRITE_ONCE(b->turn, b->steps[i].sender);
	else
		WRITE_ONCE(b->done, 1);
	send_icr(x2apic, apic_ipi_to_icr(&wake, x2apic));
}

void ipi_agent_main(void)
{
	struct ipi_mailbox *mb = (struct ipi_mailbox *)this_cpu()->test_data;
	struct ipi_batch *b = ipi_agent_batch;
	unsigned int me = guest_vcpu_index();

	for (;;) {
		cli();
		if (mb->cmd.exit)
			GUEST_DONE();
		if (mb->cmd.apply)
			agent_apply(mb);
		if (!me && b->hv_hypercall_page && !(rdmsr(HV_X64_MSR_HYPERCALL) &
						     HV_X64_MSR_HYPERCALL_ENABLE))
			hv_enable_hypercalls(b->hv_hypercall_page);
		if (!me)
			program_ioapic(b);
		__atomic_fetch_add(&b->ready, 1, __ATOMIC_SEQ_CST);

		/*
		 * Until the script is done: send when it is this vCPU's turn,
		 * otherwise wait, halted (checked with interrupts off; STI;HLT
		 * opens them only at the HLT) or spinning with them on.
		 */
		for (;;) {
			cli();
			if (READ_ONCE(b->done))
				break;
			if (READ_ONCE(b->turn) == me) {
				sti();
				agent_send_turn(b, me, mb->cmd.wait_halted);
				continue;
			}
			if (mb->cmd.wait_halted) {
				safe_halt();
			} else {
				sti();
				while (!READ_ONCE(b->done) && READ_ONCE(b->turn) != me)
					cpu_relax();
			}
		}
		cli();
		GUEST_SYNC(0);
	}
}
