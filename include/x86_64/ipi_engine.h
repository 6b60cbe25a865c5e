/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-guest IPI engine: one VM, N vCPUs; each vCPU counts, per vector and
 * for NMI, the interrupts it accepts; one vCPU (or the host, with
 * KVM_SIGNAL_MSI) sends a script of interrupts; the counts are compared
 * with the reference model (apic_model.h).
 *
 * A batch: every vCPU applies the APIC state the host asked for (mode,
 * software enable, xAPIC ID, LDR, DFR, TPR; written by the guest, or set
 * beforehand by the host with KVM_SET_LAPIC), then waits, halted (the
 * "target not running" path: woken by the IPI) or spinning with
 * interrupts enabled (a running target), while the senders go through the
 * script in turn.  Each interrupt of a batch gets its own vector, so each
 * (vCPU, vector) count belongs to exactly one interrupt; after each send
 * the sender waits, bounded, until every vCPU that must accept it has.  A
 * sender done with its part wakes everybody (all-excluding-self shorthand)
 * to hand the turn on; after the last one every vCPU exits to the host,
 * and the host compares the counts, plus what is still pending in IRR or as
 * a pending NMI, with the model: a missing acceptance is reported as lost,
 * an extra one as spurious.
 */
#ifndef SELFTEST_KVM_IPI_ENGINE_H
#define SELFTEST_KVM_IPI_ENGINE_H

#include "apic_model.h"

/* Vectors the engine hands out to the interrupts of a batch. */
#define IPI_FIRST_VECTOR	0x20
#define IPI_MAX_BATCH		200	/* vectors 0x20..0xe7 */
/* Wakes halted receivers at the end of a batch; not checked. */
#define IPI_WAKE_VECTOR		0xf0
/* The TSC-deadline timer that bounds a halted sender's wait; not checked. */
#define IPI_TIMER_VECTOR	0xf1

/* Counter slots: one per vector, then NMI. */
#define IPI_SLOT_NMI		256
#define IPI_NR_SLOTS		257

/*
 * Guest memory, one per vCPU: the counters the interrupt stubs
 * (ipi_handlers.S) increment, then the agent's command and readback.
 */
struct ipi_mailbox {
	uint32_t count[IPI_NR_SLOTS];		/* READ_ONCE(): the stubs count */
	uint32_t x2apic;			/* EOI through the x2APIC MSR */

	/* Written by the host before each batch. */
	struct ipi_agent_cmd {
		uint8_t wait_halted;
		uint8_t mode;			/* enum apic_mode */
		uint8_t sw_enabled;
		uint8_t write_regs;		/* IPI_WRITE_*: registers the guest writes */
		uint8_t tpr;
		uint8_t exit;			/* GUEST_DONE instead of a batch */
		uint8_t apply;			/* the state changed: apply and read back */
		uint8_t pad;
		uint32_t xapic_id;
		uint32_t ldr;
		uint32_t dfr;
	} cmd;

	/*
	 * Written by the guest after applying the command: what it sees as
	 * its mode and APIC ID (the rest is checked with KVM_GET_LAPIC).
	 */
	struct ipi_agent_readback {
		uint32_t apic_base_lo;
		uint32_t id;
	} readback;
};

/* ipi_agent_cmd.write_regs */
#define IPI_WRITE_ID		BIT(0)	/* xAPIC only */
#define IPI_WRITE_LDR_DFR	BIT(1)	/* xAPIC only */
#define IPI_WRITE_SPIV		BIT(2)
#define IPI_WRITE_TPR		BIT(3)
#define IPI_WRITE_LVTT		BIT(4)	/* TSC-deadline timer on IPI_TIMER_VECTOR */
#define IPI_WRITE_ALL		(BIT(5) - 1)

/* Byte offset of ipi_mailbox.x2apic, for the interrupt stubs. */
#define IPI_MAILBOX_X2APIC	(IPI_NR_SLOTS * 4)

/* The vCPUs' state in one batch. */
struct ipi_cpu_state {
	enum apic_mode mode;		/* XAPIC, X2APIC or DISABLED */
	bool sw_enabled;
	uint8_t xapic_id;		/* xAPIC mode */
	uint32_t ldr;			/* xAPIC mode (x2APIC: derived from the ID) */
	uint32_t dfr;			/* xAPIC mode */
	uint8_t tpr;
};

/* Who writes the state: the guest itself, or the host through KVM_SET_LAPIC. */
enum ipi_state_writer {
	IPI_STATE_BY_GUEST,
	IPI_STATE_BY_HOST,
};

struct ipi_engine;

/*
 * How the receivers wait: halted (woken by the interrupt: KVM's kick of a
 * blocked vCPU, AVIC's "target not running" path), or spinning with
 * interrupts enabled (a running target).
 */
enum ipi_wait_style {
	IPI_TARGETS_HALTED,
	IPI_TARGETS_SPINNING,
};

struct ipi_result {
	unsigned int irqs;		/* interrupts sent */
	unsigned int checks;		/* (interrupt, vCPU) pairs compared with the model */
	unsigned int deliveries;	/* acceptances the model required, and seen */
	unsigned int lost;
	unsigned int spurious;
	unsigned int known;		/* mismatches a known KVM deviation explains */
	unsigned int known_kinds;	/* BIT(enum kvm_deviation): which ones */
	unsigned int kvm_choice;	/* interrupts whose expectation is KVM's choice */
	unsigned int by_path[2];	/* interrupts by enum kvm_route_path (kvm_routing.h) */
	uint64_t ns;			/* time spent running batches */
};

/*
 * A VM with @nr_vcpus vCPUs at @vcpu_ids (NULL: 0..nr-1), KVM_CAP_X2APIC_API
 * flags @x2apic_api enabled if non-zero, every vCPU on its own thread
 * running the engine's agent.  The state starts as identity xAPIC (ID =
 * vCPU ID mod 256, software-enabled, flat DFR, LDR 0).
 */
struct ipi_engine *ipi_engine_create(unsigned int nr_vcpus, const uint32_t *vcpu_ids,
				     uint64_t x2apic_api);

struct ipi_engine_options {
	uint64_t x2apic_api;		/* KVM_CAP_X2APIC_API flags to enable, or 0 */
	/*
	 * Hyper-V: its CPUID leaves, hypercalls enabled (guest OS ID and
	 * hypercall page MSRs, written by the guest): synthetic IPIs.  SKIPs
	 * where KVM has no KVM_CAP_HYPERV_SEND_IPI.
	 */
	bool hyperv;
	const uint32_t *vp_index;	/* with hyperv: each vCPU's VP index; NULL: KVM's */
};

/* The same with more options. */
struct ipi_engine *ipi_engine_create_opts(unsigned int nr_vcpus, const uint32_t *vcpu_ids,
					  const struct ipi_engine_options *opts);
void ipi_engine_free(struct ipi_engine *eng);

struct kvm_vm *ipi_engine_vm(struct ipi_engine *eng);
unsigned int ipi_engine_nr_vcpus(struct ipi_engine *eng);
uint32_t ipi_engine_vcpu_id(struct ipi_engine *eng, unsigned int cpu);

/* The state every vCPU has with identity IDs in @mode, software-enabled. */
struct ipi_cpu_state ipi_identity_state(uint32_t vcpu_id, enum apic_mode mode);

/*
 * Use @states (one per vCPU) from the next batch on.  The first batch
 * after this checks that the vCPUs' APICs really have that state
 * (guest readback and KVM_GET_LAPIC) before any interrupt is sent.
 */
void ipi_engine_set_state(struct ipi_engine *eng, const struct ipi_cpu_state *states,
			  enum ipi_state_writer writer);
const struct ipi_cpu_state *ipi_engine_state(struct ipi_engine *eng);
/* The model's view of vCPU @cpu in the current state. */
struct apic_model_cpu ipi_engine_model_cpu(struct ipi_engine *eng, unsigned int cpu);

/*
 * Send @irqs[0..nr-1], each from the vCPU index in its .sender, or from
 * the host with KVM_SIGNAL_MSI where .sender is APIC_MODEL_FROM_MSI, and
 * compare what arrived with the model.  The interrupts are grouped by
 * sender (keeping their order per sender) into batches of up to
 * IPI_MAX_BATCH.  With IPI_TARGETS_SPINNING, at most one vCPU fewer than
 * the host has CPUs spins at a time (the rest halt) and each batch is sent
 * again until every vCPU has spun through it.  The engine assigns vectors
 * and fills in .x2apic_api; interrupts the model calls invalid are
 * skipped.  Every mismatch is printed with @label, the interrupt, the
 * vCPU, the model's source and @seed; the counts are added to @res.  A
 * mismatch that a known deviation of this host's KVM explains exactly
 * (kvm_deviations.h) is printed as KNOWN and counted in @res->known
 * instead.  Returns the number of other mismatches.
 */
unsigned int ipi_engine_run(struct ipi_engine *eng, const char *label, uint64_t seed,
			    const struct apic_model_irq *irqs, unsigned int nr,
			    enum ipi_wait_style wait, struct ipi_result *res);

/*
 * Like ipi_engine_run(), with exactly the vCPUs whose entry in @spinners
 * is true spinning and the others halted.
 */
unsigned int ipi_engine_run_spinners(struct ipi_engine *eng, const char *label,
				     uint64_t seed, const struct apic_model_irq *irqs,
				     unsigned int nr, const bool *spinners,
				     struct ipi_result *res);

/*
 * Round-trip times: while set, every interrupt that completed has its time
 * from the ICR write (the KVM_SIGNAL_MSI call) to the last acceptance
 * waited for, in TSC cycles, appended to @cycles[0..cap-1] (*nr counts).
 */
struct ipi_timing {
	uint64_t *cycles;
	unsigned int cap;
	unsigned int nr;
};
void ipi_engine_set_timing(struct ipi_engine *eng, struct ipi_timing *timing);
uint64_t ipi_engine_tsc_khz(struct ipi_engine *eng);

/*
 * vCPUs from index @first on are bystanders: with IPI_TARGETS_SPINNING
 * they still wait halted (they only shape KVM's routing, e.g. by aliased
 * IDs, and take what reaches them).
 */
void ipi_engine_set_bystanders(struct ipi_engine *eng, unsigned int first);

/* Per-interrupt wait bound inside the guest and for MSIs (default 2000 ms). */
void ipi_engine_set_timeout_ms(struct ipi_engine *eng, unsigned int ms);

#endif /* SELFTEST_KVM_IPI_ENGINE_H */
