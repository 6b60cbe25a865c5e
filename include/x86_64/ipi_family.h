/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Families of interrupts for the IPI engine (ipi_engine.h): a topology of
 * vCPUs and APIC states, and lists of interrupts sent through it with the
 * targets halted and then spinning, each checked against the model.  A
 * family is one test case; it prints what it checked ("cases checked: N",
 * the rates, KVM's paths) and fails with the count of LOST and SPURIOUS
 * interrupts, or ends as XFAIL when known KVM deviations explain every
 * mismatch (kvm_deviations.h).
 *
 * A family can add vCPUs of its own (bystanders: never senders, always
 * halted, taking whatever the model says reaches them) to steer KVM's
 * routing (enum family_routing).  Each family prints, beside KVM's paths,
 * whether APICv / AVIC was active or inhibited when it sent (apicv_watch.h).
 */
#ifndef SELFTEST_KVM_IPI_FAMILY_H
#define SELFTEST_KVM_IPI_FAMILY_H

#include "apicv_watch.h"
#include "ipi_engine.h"

#define FAMILY_MAX_IRQS		4096
#define FAMILY_MAX_VCPUS	16

enum family_routing {
	/* The family's vCPUs alone: KVM's optimized map if their IDs allow it. */
	FAMILY_AS_IS,
	/*
	 * One bystander whose xAPIC ID the host moved: the map is kept, and
	 * APICv / AVIC is inhibited (APIC_ID_MODIFIED, lapic.c
	 * kvm_recalculate_apic_map(), 6.3+) for interrupts that would
	 * otherwise go through it.
	 */
	FAMILY_ID_MOVED,
	/*
	 * Two bystanders sharing one physical APIC ID: KVM has no optimized
	 * map and routes every interrupt through its per-vCPU loop
	 * (kvm_routing.h); APICv / AVIC is inhibited (PHYSICAL_ID_ALIASED).
	 */
	FAMILY_MAP_OFF,
};

#define FAMILY_MAX_BYSTANDERS	2

struct family {
	const char *name;
	bool defer_verdict;		/* several families in one case: XFAIL at the end */
	enum family_routing routing;
	unsigned int nr_vcpus;		/* the family's own vCPUs, indexes 0..nr_vcpus-1 */
	unsigned int nr_bystanders;	/* indexes nr_vcpus.. */
	uint8_t bystander_ids[FAMILY_MAX_BYSTANDERS];	/* their xAPIC IDs */
	struct apicv_watch apicv;
	struct ipi_engine *eng;
	struct ipi_result by_style[2];	/* targets halted, spinning */
	unsigned int mismatches;
	struct apic_model_irq irqs[FAMILY_MAX_IRQS];
	unsigned int nr;
};

/* The seed printed with every mismatch (the test's -s). */
extern uint64_t family_seed;

/*
 * Totals over every family of the process and its children (the harness
 * runs each case in a child): set up once in main(), printed at exit.
 */
void family_totals_init(void);
/* A case checked outside the engine: add it to the totals too. */
void family_count_cases(unsigned int irqs, unsigned int checks, unsigned int deliveries);

/*
 * A family of @nr_vcpus vCPUs at @vcpu_ids (NULL: 0..nr-1), with
 * KVM_CAP_X2APIC_API @x2apic_api, in identity xAPIC state, with the
 * bystanders @routing asks for (a SKIP where they cannot do what it says).
 */
struct family *family_start(const char *name, unsigned int nr_vcpus, const uint32_t *vcpu_ids,
			    uint64_t x2apic_api, enum family_routing routing);
/* The same with engine options (Hyper-V, VP indexes). */
struct family *family_start_opts(const char *name, unsigned int nr_vcpus,
				 const uint32_t *vcpu_ids, const struct ipi_engine_options *opts,
				 enum family_routing routing);
/* Count, print, check and free the family (fails the case on a mismatch). */
void family_finish(struct family *f);

/* The states of the family's own vCPUs (the bystanders keep theirs). */
void family_state(struct family *f, const struct ipi_cpu_state *states,
		  enum ipi_state_writer writer);
const struct ipi_cpu_state *family_states(struct family *f);
uint32_t family_vcpu_id(struct family *f, unsigned int cpu);
struct apic_model_cpu family_model_cpu(struct family *f, unsigned int cpu);

struct ipi_cpu_state xapic_state(uint8_t id, uint32_t ldr, uint32_t dfr);
struct ipi_cpu_state x2apic_state(void);

/* Building the list: one interrupt as it is (any door), ... */
void family_add(struct family *f, const struct apic_model_irq *irq);
/*
 * ... one through a vCPU's ICR, or the host's MSI (returned, for the fields
 * not named here); each destination in each delivery mode.
 */
struct apic_model_irq *add_irq(struct family *f, uint8_t dm, bool logical, uint8_t shorthand,
			       uint32_t dest);
void add_dests(struct family *f, bool logical, const uint32_t *dests, unsigned int n);
/* Every shorthand in each delivery mode. */
void add_shorthands(struct family *f);

/* Send the list from vCPU index @sender (or APIC_MODEL_FROM_MSI). */
void family_send(struct family *f, const char *what, int sender);
/* Send the list from each of the family's vCPUs that can send. */
void family_send_from_each(struct family *f, const char *what);
/* Send @irqs (senders set) with the targets halted, then spinning. */
void family_run(struct family *f, const char *what, const struct apic_model_irq *irqs,
		unsigned int nr);

/* XFAIL the case if known deviations explained every mismatch so far. */
void family_known_verdict(void);

#endif /* SELFTEST_KVM_IPI_FAMILY_H */
