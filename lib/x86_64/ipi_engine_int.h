/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IPI engine's host side, shared by its files: the engine itself
 * (ipi_engine.c) and the doors other than the ICR (ipi_doors.c).
 */
#ifndef SELFTEST_KVM_IPI_ENGINE_INT_H
#define SELFTEST_KVM_IPI_ENGINE_INT_H

#include <pthread.h>

#include "ipi_agent.h"

/* What a batch's verdict reads of every vCPU (ipi_compare.c). */
struct ipi_compare_scratch {
	struct kvm_lapic_state lapic[IPI_MAX_CPUS];
	struct kvm_vcpu_events events[IPI_MAX_CPUS];
	struct apic_model_cpu cpus[IPI_MAX_CPUS];
};

struct ipi_engine {
	struct kvm_vm *vm;
	unsigned int nr;
	unsigned int nr_spinners;	/* vCPUs from this index on always wait halted */
	struct ipi_mailbox *mailbox[IPI_MAX_CPUS];	/* host views */
	struct ipi_batch *batch;			/* host view */
	struct ipi_cpu_state state[IPI_MAX_CPUS];
	/* What each APIC holds now, as far as the engine wrote it. */
	struct ipi_cpu_state applied[IPI_MAX_CPUS];
	bool applied_valid[IPI_MAX_CPUS];
	enum ipi_state_writer writer;
	bool state_dirty;
	uint64_t x2apic_api;
	unsigned int timeout_ms;
	uint64_t tsc_khz;
	bool tsc_deadline;		/* the vCPUs' CPUID has TSC-deadline */
	struct ipi_timing *timing;
	/* What KVM_SIGNAL_MSI returned for each step of the batch, and errno. */
	int msi_ret[IPI_MAX_BATCH];
	int msi_errno[IPI_MAX_BATCH];

	/* Hyper-V: the hypercall page and the steps' inputs (64 bytes each). */
	vm_vaddr_t hv_page, hv_inputs;
	uint32_t vp_index[IPI_MAX_CPUS];
	/* irqfd: an eventfd per step, bound to GSI IPI_IRQFD_FIRST_GSI + step. */
	int irqfd[IPI_MAX_BATCH];
	bool irqfds_bound;

	struct ipi_compare_scratch scratch;
	unsigned int known_lines;	/* KNOWN lines printed so far */

	/* Agent threads: each runs its vCPU for one batch per generation. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t generation;
	unsigned int parked;
};

/* What a batch compares: the interrupts and the model's verdict on each. */
struct batch_plan {
	unsigned int nr;
	struct apic_model_irq irq[IPI_MAX_BATCH];
	struct apic_model_result expect[IPI_MAX_BATCH];
	uint16_t slot[IPI_MAX_BATCH];
};

/* irqfd routes follow the IOAPIC's 24 pins. */
#define IPI_IRQFD_FIRST_GSI	24
#define IPI_HV_INPUT_SIZE	64

/* Door steps: fill in what the guest needs, prepare the host's side. */
void ipi_doors_fill_step(struct ipi_engine *eng, const struct apic_model_irq *irq,
			 unsigned int k);
void ipi_doors_prepare(struct ipi_engine *eng, const struct batch_plan *plan);
/* Send step @k of a host-sent batch (MSI, irqfd, IOAPIC). */
void ipi_doors_host_send(struct ipi_engine *eng, const struct batch_plan *plan, unsigned int k);
/*
 * Check what step @k returned (KVM_SIGNAL_MSI, KVM_HC_SEND_IPI, Hyper-V
 * status) against the documented value; 1 for a mismatch, reported.
 */
unsigned int ipi_doors_check_return(struct ipi_engine *eng, const char *label, uint64_t seed,
				    const struct batch_plan *plan, unsigned int k,
				    const struct apic_model_cpu *cpus, struct ipi_result *res);
void ipi_doors_release(struct ipi_engine *eng);
/* The end of a host-sent batch: wake every vCPU that can take it. */
void ipi_host_wake(struct ipi_engine *eng);
/* KVM_SET_LAPIC, then check (and restore) an x2APIC vCPU's x2APIC ID. */
void ipi_engine_set_lapic(struct ipi_engine *eng, unsigned int cpu,
			  struct kvm_lapic_state *ls, struct ipi_result *res);

/* The verdict on a batch: the number of mismatches, each reported (ipi_compare.c). */
unsigned int ipi_compare_batch(struct ipi_engine *eng, const char *label, uint64_t seed,
			       const struct batch_plan *plan, struct ipi_result *res);
/* The guest's readback and KVM_GET_LAPIC show the state the batch was meant for. */
void ipi_check_state_applied(struct ipi_engine *eng, const char *label,
			     const struct kvm_lapic_state *lapic);

/* Known deviations: what they may lose; a mismatch they explain (counted, printed). */
unsigned int ipi_known_loss(const struct apic_model_cpu *cpus, unsigned int nr,
			    const struct apic_model_irq *irq, unsigned int cpu);
void ipi_print_known(unsigned int kinds);
void ipi_known(struct ipi_engine *eng, struct ipi_result *res, unsigned int kinds,
	       const char *fmt, ...) __printf(4, 5);
void ipi_describe_irq(const struct apic_model_irq *irq, const struct apic_model_cpu *cpus,
		      unsigned int nr, char *buf, size_t len);

#endif /* SELFTEST_KVM_IPI_ENGINE_INT_H */
