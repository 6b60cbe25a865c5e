// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IPI engine's verdict on a batch: what every vCPU accepted (its
 * handler's count, plus what is still latched in IRR or pending as an NMI)
 * against the model, interrupt by interrupt.  A missing acceptance is
 * LOST, an extra one SPURIOUS; one that a known deviation of this host's
 * KVM explains exactly (kvm_deviations.h) is KNOWN instead.
 */
#include <stdarg.h>

#include "apic.h"
#include "ipi_engine_int.h"
#include "kvm_deviations.h"
#include "kvm_routing.h"

/* KNOWN lines printed per engine; the rest are counted, not printed. */
#define KNOWN_LINES_MAX		40

/* One batch being compared. */
struct verdict {
	struct ipi_engine *eng;
	const char *label;
	uint64_t seed;
	const struct batch_plan *plan;
	struct ipi_result *res;
	struct ipi_compare_scratch *s;
	unsigned int mismatches;
	/* NMIs are counted per vCPU, not per interrupt: what they add up to. */
	unsigned int expect_nmi[IPI_MAX_CPUS];
	unsigned int nmi_may_lose[IPI_MAX_CPUS];
	unsigned int nmi_kinds[IPI_MAX_CPUS];
	bool used[256];			/* vectors the batch sent */
};

/* Known deviations, and reports */

unsigned int ipi_known_loss(const struct apic_model_cpu *cpus, unsigned int nr,
			    const struct apic_model_irq *irq, unsigned int cpu)
{
	unsigned int kinds = 0;

	if (kvm_deviation_expected(KVM_DEV_LOGICAL_NMI_SW_DISABLED) &&
	    kvm_drops_logical_nmi_to_sw_disabled(cpus, nr, irq, cpu))
		kinds |= BIT(KVM_DEV_LOGICAL_NMI_SW_DISABLED);
	if (kvm_deviation_expected(KVM_DEV_ALIASED_IDS_BEFORE_6_3) &&
	    kvm_aliased_id_may_lose(cpus, nr, irq, cpu))
		kinds |= BIT(KVM_DEV_ALIASED_IDS_BEFORE_6_3);
	if (kvm_deviation_expected(KVM_DEV_PV_IPI_NEEDS_MAP) &&
	    kvm_pv_ipi_without_map(cpus, nr, irq))
		kinds |= BIT(KVM_DEV_PV_IPI_NEEDS_MAP);
	return kinds;
}

void ipi_print_known(unsigned int kinds)
{
	for (unsigned int d = 0; d < NR_KVM_DEVIATIONS; d++)
		if (kinds & BIT(d))
			ksft_print_msg("  known: %s\n", kvm_deviation_what(d));
}

/* A mismatch that known deviations @kinds explain: counted, printed a few times. */
void ipi_known(struct ipi_engine *eng, struct ipi_result *res, unsigned int kinds,
	       const char *fmt, ...)
{
	va_list ap;

	res->known++;
	res->known_kinds |= kinds;
	if (eng->known_lines++ >= KNOWN_LINES_MAX)
		return;
	va_start(ap, fmt);
	printf("# KNOWN: ");
	vprintf(fmt, ap);
	va_end(ap);
	ipi_print_known(kinds);
	if (eng->known_lines == KNOWN_LINES_MAX)
		ksft_print_msg("(further KNOWN mismatches are counted, not printed)\n");
}

/* LOST (@lost) or SPURIOUS: counted against the case. */
static void __printf(3, 4) mismatch(struct verdict *v, bool lost, const char *fmt, ...)
{
	va_list ap;

	printf("# %s: ", lost ? "LOST" : "SPURIOUS");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (lost)
		v->res->lost++;
	else
		v->res->spurious++;
	v->mismatches++;
}

static void describe_cpu(struct ipi_engine *eng, unsigned int cpu, char *buf, size_t len)
{
	struct apic_model_cpu m = ipi_engine_model_cpu(eng, cpu);

	snprintf(buf, len, "vCPU %u (index %u, %s ID 0x%x, LDR 0x%x%s)",
		 ipi_engine_vcpu_id(eng, cpu), cpu, apic_mode_name(m.mode), m.id, m.ldr,
		 m.sw_enabled ? "" : ", software-disabled");
}

/* The interrupt and the way KVM routes it, for reports. */
void ipi_describe_irq(const struct apic_model_irq *irq, const struct apic_model_cpu *cpus,
		      unsigned int nr, char *buf, size_t len)
{
	size_t n;

	apic_model_irq_str(irq, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, " (KVM's %s)",
		 kvm_route_path_name(kvm_route_path(cpus, nr, irq)));
}

/* What a vCPU accepted */

/* Accepted = counted by the handler, or latched in IRR / as a pending NMI. */
static unsigned int accepted(struct verdict *v, unsigned int cpu, unsigned int slot)
{
	const struct kvm_vcpu_events *ev = &v->s->events[cpu];
	unsigned int n = v->eng->mailbox[cpu]->count[slot];

	if (slot == IPI_SLOT_NMI)
		return n + ev->nmi.pending + ev->nmi.injected;
	if (lapic_state_get_reg(&v->s->lapic[cpu], APIC_IRR + (slot / 32) * 0x10) &
	    BIT(slot % 32))
		n++;
	return n;
}

/* Where accepted() found vector @slot: handler runs, IRR and ISR bits. */
static const char *how_taken(struct verdict *v, unsigned int cpu, unsigned int slot,
			     char *buf, size_t len)
{
	const struct kvm_lapic_state *lapic = &v->s->lapic[cpu];
	unsigned int reg = (slot / 32) * 0x10;
	uint32_t bit = BIT(slot % 32);

	snprintf(buf, len, "handler ran %u time(s), IRR %u, ISR %u",
		 v->eng->mailbox[cpu]->count[slot],
		 !!(lapic_state_get_reg(lapic, APIC_IRR + reg) & bit),
		 !!(lapic_state_get_reg(lapic, APIC_ISR + reg) & bit));
	return buf;
}

/* One interrupt */

/* Tallies of one fixed or lowest-priority interrupt over the vCPUs. */
struct tally {
	unsigned int got_total;		/* acceptances by candidates */
	unsigned int takers;		/* candidates that accepted */
	bool stray;			/* accepted where not wanted, or twice */
	bool doubled;			/* a known extra copy */
};

/*
 * vCPU @cpu and interrupt @k: a mismatch is known (a known loss, or
 * QEMU TCG's extra copies of an interrupt that was delivered) or not.
 */
static void compare_vcpu(struct verdict *v, unsigned int k, unsigned int cpu, const char *what,
			 struct tally *t)
{
	const struct apic_model_result *r = &v->plan->expect[k];
	const struct apic_model_irq *irq = &v->plan->irq[k];
	unsigned int slot = v->plan->slot[k], got = accepted(v, cpu, slot), loss;
	bool may = apic_model_accepts(r, cpu);
	unsigned int want = may && !r->exactly_one;
	char who[128], taken[96];

	v->res->checks++;
	if (may) {
		t->got_total += got;
		t->takers += !!got;
	}
	t->stray |= (!may && got) || got > 1;
	if (may && !r->exactly_one && got == 1)
		v->res->deliveries++;
	/* A lowest-priority candidate may take it once: judged over all of them. */
	if (got == want || (may && r->exactly_one && got <= 1))
		return;
	describe_cpu(v->eng, cpu, who, sizeof(who));
	loss = ipi_known_loss(v->s->cpus, v->eng->nr, irq, cpu);
	if (got < want && loss) {
		ipi_known(v->eng, v->res, loss, "%s #%u %s: %s did not accept it [%s: %s]; seed 0x%llx\n",
			  v->label, k, what, who,
			  apic_model_basis_name(r->basis),
			  r->source, (unsigned long long)v->seed);
		return;
	}
	/* An extra copy of an interrupt that was delivered, to a recipient or another. */
	if (((may && got > 1) || (!may && r->nr_accept)) &&
	    kvm_deviation_expected(KVM_DEV_TCG_SVM_DOUBLE_INJECTION)) {
		ipi_known(v->eng, v->res, BIT(KVM_DEV_TCG_SVM_DOUBLE_INJECTION),
			  "%s #%u %s: %s accepted it %u time(s) (%s), expected %s; seed 0x%llx\n",
			  v->label, k, what, who, got,
			  how_taken(v, cpu, slot, taken, sizeof(taken)),
			  !may ? "none" : r->exactly_one ? "at most once" : "once",
			  (unsigned long long)v->seed);
		t->doubled = true;
		return;
	}
	mismatch(v, got < want, "%s #%u %s: %s accepted it %u time(s) (%s), expected %u [%s: %s]%s; seed 0x%llx\n",
		 v->label, k, what, who, got,
		 how_taken(v, cpu, slot, taken, sizeof(taken)), want,
		 apic_model_basis_name(r->basis), r->source,
		 v->eng->batch->timed_out[k] ? "; the sender's wait timed out" : "",
		 (unsigned long long)v->seed);
}

/* Lowest priority: exactly one of the candidates (KVM's choice for IPIs). */
static void compare_lowest(struct verdict *v, unsigned int k, const char *what,
			   const struct tally *t)
{
	const struct apic_model_result *r = &v->plan->expect[k];
	const struct apic_model_irq *irq = &v->plan->irq[k];
	unsigned int kinds = 0;

	if (t->got_total == 1 || (t->doubled && t->takers == 1)) {
		v->res->deliveries++;
		return;
	}
	if (kvm_deviation_expected(KVM_DEV_LOWEST_SHORTHAND_DEST) &&
	    t->got_total == r->nr_accept && !t->stray &&
	    kvm_lowest_priority_shorthand_becomes_fixed(irq)) {
		ipi_known(v->eng, v->res, BIT(KVM_DEV_LOWEST_SHORTHAND_DEST),
			  "%s #%u %s: all %u candidates accepted it, the model says one [%s]; seed 0x%llx\n",
			  v->label, k, what, t->got_total, r->source,
			  (unsigned long long)v->seed);
		return;
	}
	for (unsigned int cpu = 0; !t->got_total && !t->stray && cpu < v->eng->nr; cpu++)
		if (apic_model_accepts(r, cpu))
			kinds |= ipi_known_loss(v->s->cpus, v->eng->nr, irq, cpu);
	if (kinds) {
		ipi_known(v->eng, v->res, kinds, "%s #%u %s: none of the %u lowest-priority candidates accepted it [%s]; seed 0x%llx\n",
			  v->label, k, what,
			  r->nr_accept, r->source, (unsigned long long)v->seed);
		return;
	}
	mismatch(v, !t->got_total, "%s #%u %s: the %u lowest-priority candidates accepted it %u time(s) in all, expected exactly once [%s: %s]; seed 0x%llx\n",
		 v->label, k,
		 what, r->nr_accept, t->got_total, apic_model_basis_name(r->basis), r->source,
		 (unsigned long long)v->seed);
}

/* NMIs add up per vCPU (one counter): note what this one adds. */
static void expect_nmi(struct verdict *v, unsigned int k)
{
	const struct apic_model_result *r = &v->plan->expect[k];

	for (unsigned int cpu = 0; cpu < v->eng->nr; cpu++) {
		unsigned int kinds;

		if (!apic_model_accepts(r, cpu))
			continue;
		kinds = ipi_known_loss(v->s->cpus, v->eng->nr, &v->plan->irq[k], cpu);
		v->expect_nmi[cpu]++;
		v->nmi_may_lose[cpu] += !!kinds;
		v->nmi_kinds[cpu] |= kinds;
	}
	v->res->checks += v->eng->nr;
	v->res->deliveries += r->nr_accept;
}

static void compare_irq(struct verdict *v, unsigned int k)
{
	const struct apic_model_result *r = &v->plan->expect[k];
	const struct apic_model_irq *irq = &v->plan->irq[k];
	struct tally t = { 0 };
	char what[192];

	v->res->irqs++;
	v->res->by_path[kvm_route_path(v->s->cpus, v->eng->nr, irq)]++;
	v->res->kvm_choice += r->basis == APIC_MODEL_KVM_CHOICE;
	v->mismatches += ipi_doors_check_return(v->eng, v->label, v->seed, v->plan, k,
						v->s->cpus, v->res);
	if (v->plan->slot[k] == IPI_SLOT_NMI) {
		expect_nmi(v, k);
		return;
	}
	v->used[v->plan->slot[k]] = true;
	ipi_describe_irq(irq, v->s->cpus, v->eng->nr, what, sizeof(what));
	for (unsigned int cpu = 0; cpu < v->eng->nr; cpu++)
		compare_vcpu(v, k, cpu, what, &t);
	if (r->exactly_one)
		compare_lowest(v, k, what, &t);
}

/* Per vCPU: NMIs, and vectors nothing sent */

static void compare_nmis(struct verdict *v, unsigned int cpu, const char *who)
{
	unsigned int got = accepted(v, cpu, IPI_SLOT_NMI), want = v->expect_nmi[cpu];

	if (got < want && got + v->nmi_may_lose[cpu] >= want) {
		ipi_known(v->eng, v->res, v->nmi_kinds[cpu], "%s: %s accepted %u NMI(s), the architecture says %u; %u of them can be lost as known; seed 0x%llx\n",
			  v->label, who, got, want, v->nmi_may_lose[cpu],
			  (unsigned long long)v->seed);
	} else if (got != want) {
		mismatch(v, got < want, "%s: %s accepted %u NMI(s), expected %u; seed 0x%llx\n",
			 v->label, who, got, want, (unsigned long long)v->seed);
	}
}

static void compare_unsent(struct verdict *v, unsigned int cpu, const char *who)
{
	for (unsigned int vec = IPI_FIRST_VECTOR; vec < IPI_WAKE_VECTOR; vec++) {
		unsigned int got = v->used[vec] ? 0 : accepted(v, cpu, vec);

		if (!got)
			continue;
		mismatch(v, false, "%s: %s accepted vector 0x%x %u time(s), which nothing sent; seed 0x%llx\n",
			 v->label, who, vec, got, (unsigned long long)v->seed);
	}
}

/*
 * Interrupts accepted but not yet taken when the batch ended have been
 * counted; drop them so that the next batch does not count them again.
 */
static void discard_pending(struct verdict *v)
{
	for (unsigned int cpu = 0; cpu < v->eng->nr; cpu++) {
		struct kvm_vcpu *vcpu = v->eng->vm->vcpus[cpu];
		struct kvm_lapic_state *lapic = &v->s->lapic[cpu];
		struct kvm_vcpu_events *ev = &v->s->events[cpu];
		bool irr = false;

		for (unsigned int reg = 0; reg < 8; reg++) {
			unsigned int off = APIC_IRR + reg * 0x10;

			if (lapic_state_get_reg(lapic, off)) {
				lapic_state_set_reg(lapic, off, 0);
				irr = true;
			}
		}
		if (irr)
			ipi_engine_set_lapic(v->eng, cpu, lapic, v->res);
		if (ev->nmi.pending || ev->nmi.injected) {
			ev->nmi.pending = 0;
			ev->nmi.injected = 0;
			ev->flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
			vcpu_ioctl(vcpu, KVM_SET_VCPU_EVENTS, ev);
		}
	}
}

static void print_states(struct verdict *v)
{
	char who[128];

	ksft_print_msg("%s: the vCPUs' APIC state in this batch:\n", v->label);
	for (unsigned int cpu = 0; cpu < v->eng->nr; cpu++) {
		describe_cpu(v->eng, cpu, who, sizeof(who));
		ksft_print_msg("  %s, DFR 0x%x, TPR 0x%x\n", who, v->s->cpus[cpu].dfr,
			       v->s->cpus[cpu].tpr);
	}
}

unsigned int ipi_compare_batch(struct ipi_engine *eng, const char *label, uint64_t seed,
			       const struct batch_plan *plan, struct ipi_result *res)
{
	struct verdict *v = calloc(1, sizeof(*v));
	unsigned int mismatches;
	char who[128];

	TEST_ASSERT(v, "out of memory");
	*v = (struct verdict){ .eng = eng, .label = label, .seed = seed, .plan = plan,
			       .res = res, .s = &eng->scratch };
	for (unsigned int i = 0; i < eng->nr; i++) {
		vcpu_get_lapic(eng->vm->vcpus[i], &v->s->lapic[i]);
		vcpu_ioctl(eng->vm->vcpus[i], KVM_GET_VCPU_EVENTS, &v->s->events[i]);
		v->s->cpus[i] = ipi_engine_model_cpu(eng, i);
	}
	if (eng->state_dirty)
		ipi_check_state_applied(eng, label, v->s->lapic);
	eng->state_dirty = false;

	for (unsigned int k = 0; k < plan->nr; k++)
		compare_irq(v, k);
	for (unsigned int cpu = 0; cpu < eng->nr; cpu++) {
		describe_cpu(eng, cpu, who, sizeof(who));
		compare_nmis(v, cpu, who);
		compare_unsent(v, cpu, who);
	}
	discard_pending(v);
	if (v->mismatches)
		print_states(v);
	mismatches = v->mismatches;
	free(v);
	return mismatches;
}
