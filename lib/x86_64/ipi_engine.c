// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IPI engine's host side: the VM and its agent threads, batches, and
 * the comparison of what arrived with the reference model.
 */
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "apic.h"
#include "guest_memory.h"
#include "ipi_agent.h"
#include "hyperv.h"
#include "ipi_engine_int.h"
#include "ipi_stub_layout.h"
#include "kvm_deviations.h"
#include "kvm_routing.h"
#include "vcpu_thread.h"

_Static_assert(offsetof(struct guest_percpu, test_data) == IPI_STUB_PERCPU_MAILBOX,
	       "ipi_handlers.S finds the mailbox at %gs:IPI_STUB_PERCPU_MAILBOX");
_Static_assert(offsetof(struct ipi_mailbox, count[IPI_SLOT_NMI]) == IPI_STUB_MAILBOX_NMI,
	       "ipi_handlers.S counts NMIs at IPI_STUB_MAILBOX_NMI");
_Static_assert(offsetof(struct ipi_mailbox, x2apic) == IPI_STUB_MAILBOX_X2APIC,
	       "ipi_handlers.S reads the EOI mode at IPI_STUB_MAILBOX_X2APIC");
_Static_assert(IPI_FIRST_VECTOR + IPI_MAX_BATCH <= IPI_WAKE_VECTOR,
	       "batch vectors must stay below the wake vector");

#define IPI_TIMEOUT_MS_DEFAULT	2000
/* Waits for interrupts a known deviation may lose: this part of the timeout. */
#define IPI_SETTLE_DIVISOR	20
/* All of a batch's waits together, well below the vCPU watchdog. */
#define IPI_BATCH_WAIT_MS	(VCPU_RUN_TIMEOUT_S_DEFAULT * 1000 / 3)
/* Known deviations that always lose what they lose: not waited for at all. */
#define IPI_CERTAIN_LOSSES	(BIT(KVM_DEV_LOGICAL_NMI_SW_DISABLED) | \
				 BIT(KVM_DEV_PV_IPI_NEEDS_MAP))

/* Agent threads */

static void agent_thread(struct kvm_vcpu *vcpu)
{
	struct ipi_engine *eng = vcpu->priv;
	uint64_t seen = 0;
	uint64_t cmd;

	for (;;) {
		pthread_mutex_lock(&eng->lock);
		while (eng->generation == seen)
			pthread_cond_wait(&eng->cond, &eng->lock);
		seen = eng->generation;
		pthread_mutex_unlock(&eng->lock);

		cmd = vcpu_run_until_ucall(vcpu, NULL);

		pthread_mutex_lock(&eng->lock);
		eng->parked++;
		pthread_cond_broadcast(&eng->cond);
		pthread_mutex_unlock(&eng->lock);
		if (cmd == UCALL_DONE)
			return;
	}
}

static void agents_go(struct ipi_engine *eng)
{
	pthread_mutex_lock(&eng->lock);
	eng->parked = 0;
	eng->generation++;
	pthread_cond_broadcast(&eng->cond);
	pthread_mutex_unlock(&eng->lock);
}

/* Every vCPU's watchdog bounds this wait: a stuck vCPU fails the test. */
static void agents_wait_parked(struct ipi_engine *eng)
{
	pthread_mutex_lock(&eng->lock);
	while (eng->parked < eng->nr)
		pthread_cond_wait(&eng->cond, &eng->lock);
	pthread_mutex_unlock(&eng->lock);
}

/* Engine lifecycle */

struct ipi_cpu_state ipi_identity_state(uint32_t vcpu_id, enum apic_mode mode)
{
	struct ipi_cpu_state s = {
		.mode = mode,
		.sw_enabled = true,
		.xapic_id = vcpu_id & 0xff,
		.ldr = 0,
		.dfr = APIC_DFR_FLAT,
		.tpr = 0,
	};

	return s;
}

static void install_handlers(struct kvm_vm *vm)
{
	for (unsigned int v = IPI_FIRST_VECTOR; v < 256; v++)
		vm_set_idt_gate(vm, v, (vm_vaddr_t)ipi_vector_stubs + v * IPI_STUB_SIZE);
	vm_set_idt_gate(vm, NMI_VECTOR, (vm_vaddr_t)ipi_nmi_stub);
}

/* Hyper-V: CPUID and VP index per vCPU, a hypercall page and input slots. */
static void setup_hyperv(struct ipi_engine *eng, const struct ipi_engine_options *opts)
{
	for (unsigned int i = 0; i < eng->nr; i++) {
		struct kvm_vcpu *vcpu = eng->vm->vcpus[i];

		vcpu_set_hyperv_cpuid(vcpu);
		if (opts->vp_index) {
			vcpu_set_vp_index(vcpu, opts->vp_index[i]);
			eng->vp_index[i] = opts->vp_index[i];
		}
	}
	eng->hv_page = ALIGN_UP(vm_vaddr_alloc(eng->vm, 2 * GUEST_PAGE_SIZE), GUEST_PAGE_SIZE);
	eng->hv_inputs = ALIGN_UP(vm_vaddr_alloc(eng->vm, (IPI_MAX_BATCH + 1) * IPI_HV_INPUT_SIZE),
				  IPI_HV_INPUT_SIZE);
}

struct ipi_engine *ipi_engine_create(unsigned int nr_vcpus, const uint32_t *vcpu_ids,
				     uint64_t x2apic_api)
{
	struct ipi_engine_options opts = { .x2apic_api = x2apic_api };

	return ipi_engine_create_opts(nr_vcpus, vcpu_ids, &opts);
}

struct ipi_engine *ipi_engine_create_opts(unsigned int nr_vcpus, const uint32_t *vcpu_ids,
					  const struct ipi_engine_options *opts)
{
	struct ipi_engine *eng = calloc(1, sizeof(*eng));
	uint64_t x2apic_api = opts->x2apic_api;
	vm_vaddr_t batch_gva;
	struct kvm_vm *vm;

	TEST_ASSERT(eng, "out of memory");
	TEST_ASSERT(nr_vcpus && nr_vcpus <= IPI_MAX_CPUS, "%u vCPUs: the engine takes 1..%u",
		    nr_vcpus, IPI_MAX_CPUS);
	TEST_REQUIRE_MSG(nr_vcpus <= kvm_max_vcpus(), "the host allows %u vCPUs, %u needed",
			 kvm_max_vcpus(), nr_vcpus);
	pthread_mutex_init(&eng->lock, NULL);
	pthread_cond_init(&eng->cond, NULL);
	eng->nr = nr_vcpus;
	eng->nr_spinners = nr_vcpus;
	eng->timeout_ms = IPI_TIMEOUT_MS_DEFAULT;
	eng->x2apic_api = x2apic_api;

	if (opts->hyperv)
		TEST_REQUIRE_MSG(kvm_has_hyperv_ipis(), "KVM has no Hyper-V synthetic IPIs (KVM_CAP_HYPERV_SEND_IPI; CONFIG_KVM_HYPERV)");
	vm = __vm_create(nr_vcpus, sizeof(struct ipi_batch) + 4 * GUEST_PAGE_SIZE +
			 (IPI_MAX_BATCH + 1) * IPI_HV_INPUT_SIZE +
			 nr_vcpus * ALIGN_UP(sizeof(struct ipi_mailbox), GUEST_PAGE_SIZE));
	eng->vm = vm;
	if (x2apic_api) {
		TEST_REQUIRE(kvm_has_cap(KVM_CAP_X2APIC_API));
		vm_enable_cap(vm, KVM_CAP_X2APIC_API, x2apic_api);
	}
	install_handlers(vm);

	batch_gva = vm_vaddr_alloc(vm, sizeof(struct ipi_batch));
	eng->batch = addr_gva2hva(vm, batch_gva);
	write_guest_global(vm, ipi_agent_batch, (struct ipi_batch *)batch_gva);

	for (unsigned int i = 0; i < nr_vcpus; i++) {
		uint32_t id = vcpu_ids ? vcpu_ids[i] : i;
		struct kvm_vcpu *vcpu = vm_vcpu_add(vm, id, ipi_agent_main);
		vm_vaddr_t mb = vm_vaddr_alloc(vm, sizeof(struct ipi_mailbox));

		vcpu->percpu->test_data = mb;
		vcpu->priv = eng;
		eng->mailbox[i] = addr_gva2hva(vm, mb);
		eng->batch->mailbox[i] = mb;
		eng->state[i] = ipi_identity_state(id, APIC_MODE_XAPIC);
		eng->vp_index[i] = i;
	}
	if (opts->hyperv)
		setup_hyperv(eng, opts);
	eng->tsc_deadline = kvm_has_tsc_deadline_timer();
	eng->tsc_khz = ioctl(vm->vcpus[0]->fd, KVM_GET_TSC_KHZ, 0);
	TEST_ASSERT((int64_t)eng->tsc_khz > 0, "KVM_GET_TSC_KHZ failed");
	eng->writer = IPI_STATE_BY_GUEST;
	eng->state_dirty = true;
	vm_vcpu_threads_start(vm, agent_thread);
	return eng;
}

void ipi_engine_free(struct ipi_engine *eng)
{
	if (!eng)
		return;
	for (unsigned int i = 0; i < eng->nr; i++)
		eng->mailbox[i]->cmd.exit = 1;
	agents_go(eng);
	vm_vcpu_threads_join(eng->vm);
	ipi_doors_release(eng);
	kvm_vm_free(eng->vm);
	free(eng);
}

struct kvm_vm *ipi_engine_vm(struct ipi_engine *eng)
{
	return eng->vm;
}

unsigned int ipi_engine_nr_vcpus(struct ipi_engine *eng)
{
	return eng->nr;
}

uint32_t ipi_engine_vcpu_id(struct ipi_engine *eng, unsigned int cpu)
{
	return eng->vm->vcpus[cpu]->id;
}

void ipi_engine_set_timeout_ms(struct ipi_engine *eng, unsigned int ms)
{
	eng->timeout_ms = ms;
}

void ipi_engine_set_bystanders(struct ipi_engine *eng, unsigned int first)
{
	TEST_ASSERT(first <= eng->nr, "bystanders from index %u of %u vCPUs", first, eng->nr);
	eng->nr_spinners = first;
}

void ipi_engine_set_state(struct ipi_engine *eng, const struct ipi_cpu_state *states,
			  enum ipi_state_writer writer)
{
	memcpy(eng->state, states, eng->nr * sizeof(*states));
	eng->writer = writer;
	eng->state_dirty = true;
}

const struct ipi_cpu_state *ipi_engine_state(struct ipi_engine *eng)
{
	return eng->state;
}

static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

struct apic_model_cpu ipi_engine_model_cpu(struct ipi_engine *eng, unsigned int cpu)
{
	const struct ipi_cpu_state *s = &eng->state[cpu];
	uint32_t vcpu_id = ipi_engine_vcpu_id(eng, cpu);
	struct apic_model_cpu m = {
		.mode = s->mode,
		.sw_enabled = s->sw_enabled,
		.tpr = s->tpr,
		.vcpu_id = vcpu_id,
		.vp_index = eng->vp_index[cpu],
	};

	if (s->mode == APIC_MODE_X2APIC) {
		m.id = vcpu_id;
		m.ldr = x2apic_ldr(vcpu_id);
	} else if (s->mode == APIC_MODE_XAPIC) {
		m.id = s->xapic_id;
		m.ldr = s->ldr;
		m.dfr = s->dfr;
	}
	return m;
}

/* Applying the state */

/*
 * An x2APIC ID is read-only (SDM vol. 3A 'x2APIC Register Availability'):
 * after KVM_SET_LAPIC, IA32_X2APIC_APICID must still read the vCPU ID.
 * KVM_DEV_SET_LAPIC_TRUNCATES_X2APIC_ID: some KVMs take the ID from the
 * state, as its low 8 bits; that is reported, then undone by leaving and
 * re-entering x2APIC mode, which sets the ID and LDR from the vCPU ID.
 */
static void check_x2apic_id_kept(struct ipi_engine *eng, unsigned int cpu,
				 struct ipi_result *res)
{
	struct kvm_vcpu *vcpu = eng->vm->vcpus[cpu];
	uint32_t vcpu_id = ipi_engine_vcpu_id(eng, cpu);
	uint32_t id = vcpu_get_msr(vcpu, x2apic_msr(APIC_ID));
	uint64_t base = vcpu_get_msr(vcpu, MSR_IA32_APICBASE);
	enum kvm_deviation d = KVM_DEV_SET_LAPIC_TRUNCATES_X2APIC_ID;

	if (id == vcpu_id)
		return;
	TEST_ASSERT(kvm_deviation_expected(d) && id == (vcpu_id & 0xff) &&
		    !(eng->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS),
		    "KVM_SET_LAPIC changed vCPU %u's x2APIC ID to 0x%x", vcpu_id, id);
	printf("# KNOWN: KVM_SET_LAPIC set vCPU %u's x2APIC ID to 0x%x: %s\n",
	       vcpu_id, id, kvm_deviation_what(d));
	res->known++;
	res->known_kinds |= BIT(d);
	vcpu_set_msr(vcpu, MSR_IA32_APICBASE,
		     base & ~(MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_EXTD));
	vcpu_set_msr(vcpu, MSR_IA32_APICBASE, base & ~MSR_IA32_APICBASE_EXTD);
	vcpu_set_msr(vcpu, MSR_IA32_APICBASE, base);
	id = vcpu_get_msr(vcpu, x2apic_msr(APIC_ID));
	TEST_ASSERT(id == vcpu_id, "vCPU %u's x2APIC ID is 0x%x after re-entering x2APIC mode",
		    vcpu_id, id);
}

/* KVM_SET_LAPIC on vCPU @cpu; an x2APIC vCPU must keep its x2APIC ID. */
void ipi_engine_set_lapic(struct ipi_engine *eng, unsigned int cpu,
			  struct kvm_lapic_state *ls, struct ipi_result *res)
{
	struct kvm_vcpu *vcpu = eng->vm->vcpus[cpu];

	vcpu_set_lapic(vcpu, ls);
	if (vcpu_apic_mode(vcpu) == APIC_MODE_X2APIC)
		check_x2apic_id_kept(eng, cpu, res);
}

/* KVM_SET_LAPIC (and IA32_APIC_BASE) while every vCPU is parked in the host. */
static void host_write_state(struct ipi_engine *eng, struct ipi_result *res)
{
	for (unsigned int i = 0; i < eng->nr; i++) {
		const struct ipi_cpu_state *s = &eng->state[i];
		struct kvm_vcpu *vcpu = eng->vm->vcpus[i];
		struct kvm_lapic_state ls;
		uint64_t base = vcpu_get_msr(vcpu, MSR_IA32_APICBASE);
		uint32_t spiv = APIC_SPURIOUS_VECTOR |
				(s->sw_enabled ? APIC_SPIV_APIC_ENABLED : 0);

		if (apic_mode_from_base(base) != s->mode) {
			uint64_t other = base & ~(MSR_IA32_APICBASE_ENABLE |
						  MSR_IA32_APICBASE_EXTD);

			/* The host may set any mode directly; go through disabled anyway. */
			vcpu_set_msr(vcpu, MSR_IA32_APICBASE, other);
			if (s->mode == APIC_MODE_XAPIC)
				vcpu_set_msr(vcpu, MSR_IA32_APICBASE,
					     other | MSR_IA32_APICBASE_ENABLE);
			else if (s->mode == APIC_MODE_X2APIC)
				vcpu_set_msr(vcpu, MSR_IA32_APICBASE, other |
					     MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_EXTD);
		}
		if (s->mode == APIC_MODE_DISABLED)
			continue;

		vcpu_get_lapic(vcpu, &ls);
		if (s->mode == APIC_MODE_XAPIC) {
			lapic_state_set_reg(&ls, APIC_ID, (uint32_t)s->xapic_id << 24);
			lapic_state_set_reg(&ls, APIC_DFR, s->dfr);
			lapic_state_set_reg(&ls, APIC_LDR, s->ldr);
		}
		lapic_state_set_reg(&ls, APIC_SPIV, spiv);
		lapic_state_set_reg(&ls, APIC_TASKPRI, s->tpr);
		lapic_state_set_reg(&ls, APIC_LVTT,
				    APIC_LVT_TIMER_TSCDEADLINE | IPI_TIMER_VECTOR);
		ipi_engine_set_lapic(eng, i, &ls, res);
		eng->applied[i] = *s;
		eng->applied_valid[i] = true;
	}
}

/* The registers the guest must write to go from what it has to @s. */
static uint8_t guest_writes(struct ipi_engine *eng, unsigned int cpu)
{
	const struct ipi_cpu_state *s = &eng->state[cpu], *a = &eng->applied[cpu];
	uint8_t w = 0;

	/* A mode change resets registers (ID on re-enable, LDR on x2APIC entry). */
	if (!eng->applied_valid[cpu] || a->mode != s->mode)
		return IPI_WRITE_ALL;
	if (a->xapic_id != s->xapic_id)
		w |= IPI_WRITE_ID;
	if (a->ldr != s->ldr || a->dfr != s->dfr)
		w |= IPI_WRITE_LDR_DFR;
	if (a->sw_enabled != s->sw_enabled)
		w |= IPI_WRITE_SPIV;
	if (a->tpr != s->tpr)
		w |= IPI_WRITE_TPR;
	return w;
}

/*
 * After a batch: the guest's readback and KVM_GET_LAPIC must both show the
 * state the batch was meant to run with.
 */
void ipi_check_state_applied(struct ipi_engine *eng, const char *label,
			     const struct kvm_lapic_state *lapic)
{
	for (unsigned int i = 0; i < eng->nr; i++) {
		struct apic_model_cpu want = ipi_engine_model_cpu(eng, i);
		const struct ipi_agent_readback *rb = &eng->mailbox[i]->readback;
		uint32_t vcpu_id = ipi_engine_vcpu_id(eng, i);
		enum apic_mode mode = apic_mode_from_base(rb->apic_base_lo);
		uint32_t kvm_id, kvm_ldr, spiv, tpr, dfr;

		TEST_ASSERT(mode == want.mode,
			    "%s: vCPU %u is in %s mode, wanted %s", label, vcpu_id,
			    apic_mode_name(mode), apic_mode_name(want.mode));
		if (want.mode == APIC_MODE_DISABLED)
			continue;
		spiv = lapic_state_get_reg(&lapic[i], APIC_SPIV);
		tpr = lapic_state_get_reg(&lapic[i], APIC_TASKPRI);
		dfr = lapic_state_get_reg(&lapic[i], APIC_DFR);
		TEST_ASSERT(rb->id == want.id && !!(spiv & APIC_SPIV_APIC_ENABLED) == want.sw_enabled &&
			    tpr == want.tpr && (want.mode == APIC_MODE_X2APIC || dfr == want.dfr),
			    "%s: vCPU %u reads APIC ID 0x%x, KVM_GET_LAPIC has SPIV 0x%x TPR 0x%x DFR 0x%x; wanted ID 0x%x %s TPR 0x%x DFR 0x%x",
			    label, vcpu_id,
			    rb->id, spiv, tpr, dfr, want.id,
			    want.sw_enabled ? "enabled" : "disabled", want.tpr, want.dfr);

		kvm_id = lapic_state_get_reg(&lapic[i], APIC_ID);
		kvm_ldr = lapic_state_get_reg(&lapic[i], APIC_LDR);
		if (want.mode == APIC_MODE_XAPIC ||
		    !(eng->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS))
			kvm_id >>= 24;
		/* Without USE_32BIT_IDS, KVM_GET_LAPIC shows an x2APIC ID mod 256. */
		if (want.mode == APIC_MODE_X2APIC &&
		    !(eng->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS))
			TEST_ASSERT(kvm_id == (want.id & 0xff) && kvm_ldr == want.ldr,
				    "%s: KVM_GET_LAPIC of vCPU %u: ID 0x%x LDR 0x%x, wanted 0x%x 0x%x",
				    label, vcpu_id, kvm_id, kvm_ldr,
				    want.id & 0xff, want.ldr);
		else
			TEST_ASSERT(kvm_id == want.id && kvm_ldr == want.ldr,
				    "%s: KVM_GET_LAPIC of vCPU %u: ID 0x%x LDR 0x%x, wanted 0x%x 0x%x",
				    label, vcpu_id, kvm_id, kvm_ldr, want.id,
				    want.ldr);
	}
}

/* One batch */

/*
 * The vCPUs the host's wake (ipi_host_wake(): MSIs to physical 0xff, and
 * 0xffffffff with 32-bit IDs) surely reaches, as the model routes those
 * MSIs; the others spin instead of halting.  With the broadcast quirk
 * disabled, for instance, 0xff is no broadcast for x2APIC vCPUs.
 */
static void host_wake_targets(struct ipi_engine *eng, bool *reached)
{
	static struct apic_model_cpu cpus[IPI_MAX_CPUS];
	struct apic_model_irq wake = {
		.delivery_mode = APIC_DELIVERY_FIXED,
		.sender = APIC_MODEL_FROM_MSI,
		.x2apic_api = eng->x2apic_api,
	};
	struct apic_model_result res;

	for (unsigned int i = 0; i < eng->nr; i++) {
		cpus[i] = ipi_engine_model_cpu(eng, i);
		reached[i] = false;
	}
	wake.kvm_map_off = !kvm_has_apic_map(cpus, eng->nr, eng->x2apic_api);
	for (int pass = 0; pass < 2; pass++) {
		wake.dest = pass ? X2APIC_BROADCAST : XAPIC_BROADCAST;
		if (pass && !(eng->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS))
			break;
		apic_model_route(cpus, eng->nr, &wake, &res);
		if (res.basis == APIC_MODEL_INVALID)
			continue;
		for (unsigned int i = 0; i < eng->nr; i++)
			reached[i] |= apic_model_accepts(&res, i);
	}
}

static bool can_take_wake(struct ipi_engine *eng, unsigned int cpu, const bool *host_wake)
{
	const struct ipi_cpu_state *s = &eng->state[cpu];

	if (s->mode != APIC_MODE_XAPIC && s->mode != APIC_MODE_X2APIC)
		return false;
	if (!s->sw_enabled)
		return false;
	return !host_wake || host_wake[cpu];
}

static void fill_commands(struct ipi_engine *eng, bool from_host, const bool *spins)
{
	bool host_wake[IPI_MAX_CPUS];

	if (from_host)
		host_wake_targets(eng, host_wake);
	for (unsigned int i = 0; i < eng->nr; i++) {
		const struct ipi_cpu_state *s = &eng->state[i];
		struct ipi_agent_cmd *c = &eng->mailbox[i]->cmd;

		memset(c, 0, sizeof(*c));
		c->wait_halted = !spins[i] && can_take_wake(eng, i, from_host ? host_wake : NULL);
		c->mode = s->mode;
		c->sw_enabled = s->sw_enabled;
		c->apply = eng->state_dirty;
		if (eng->state_dirty && eng->writer == IPI_STATE_BY_GUEST) {
			c->write_regs = guest_writes(eng, i);
			eng->applied[i] = *s;
			eng->applied_valid[i] = true;
		}
		c->tpr = s->tpr;
		c->xapic_id = s->xapic_id;
		c->ldr = s->ldr;
		c->dfr = s->dfr;
		memset((void *)eng->mailbox[i]->count, 0, sizeof(eng->mailbox[i]->count));
	}
}

/* Script the plan: ICR values in each sender's mode, what to wait for. */
static void fill_script(struct ipi_engine *eng, const struct batch_plan *plan, bool from_host)
{
	static struct apic_model_cpu cpus[IPI_MAX_CPUS];
	struct ipi_batch *b = eng->batch;
	uint16_t nmi_seen[IPI_MAX_CPUS] = { 0 };
	uint32_t w = 0;

	for (unsigned int i = 0; i < eng->nr; i++)
		cpus[i] = ipi_engine_model_cpu(eng, i);
	b->ready = 0;
	b->done = 0;
	b->next_step = 0;
	/* The host sends MSIs itself: no vCPU ever has the turn. */
	b->turn = from_host ? ~0u : (uint32_t)plan->irq[0].sender;
	b->nr_cpus = eng->nr;
	b->nr_steps = from_host ? 0 : plan->nr;
	b->nr_steps_planned = plan->nr;
	b->timeout_tsc = eng->timeout_ms * eng->tsc_khz;
	b->batch_tsc = IPI_BATCH_WAIT_MS * eng->tsc_khz;
	b->tsc_deadline = eng->tsc_deadline;
	b->settle_tsc = b->timeout_tsc / IPI_SETTLE_DIVISOR;
	memset(b->timed_out, 0, sizeof(b->timed_out));

	for (unsigned int k = 0; k < plan->nr; k++) {
		const struct apic_model_result *r = &plan->expect[k];
		const struct apic_model_irq *irq = &plan->irq[k];
		struct ipi_step *st = &b->steps[k];
		struct apic_ipi ipi = {
			.vector = irq->vector,
			.delivery_mode = irq->delivery_mode,
			.shorthand = irq->shorthand,
			.logical = irq->logical,
			.dest = irq->dest,
		};

		st->sender = from_host ? 0 : irq->sender;
		st->sender_x2apic = !from_host &&
				    eng->state[irq->sender].mode == APIC_MODE_X2APIC;
		st->icr = apic_ipi_to_icr(&ipi, st->sender_x2apic);
		ipi_doors_fill_step(eng, irq, k);
		st->slot = plan->slot[k];
		st->any_one = r->exactly_one && r->nr_accept > 1;
		st->first_wait = w;
		st->nr_waits = 0;
		st->nr_maybe = 0;
		/* The waits for sure recipients first, then the maybe-lost ones. */
		for (int maybe = 0; maybe < 2; maybe++) {
			for (unsigned int cpu = 0; cpu < eng->nr; cpu++) {
				unsigned int loss;

				if (!apic_model_accepts(r, cpu))
					continue;
				/* A deterministic loss is not waited for at all. */
				loss = ipi_known_loss(cpus, eng->nr, irq, cpu);
				if ((loss && !(loss & ~IPI_CERTAIN_LOSSES)) || !!loss != maybe)
					continue;
				TEST_ASSERT(w < IPI_MAX_WAITS, "too many waits in one batch");
				b->waits[w].cpu = cpu;
				b->waits[w].count = 1;
				if (st->slot == IPI_SLOT_NMI)
					b->waits[w].count = maybe ? nmi_seen[cpu] + 1 : ++nmi_seen[cpu];
				w++;
				if (maybe)
					st->nr_maybe++;
				else
					st->nr_waits++;
			}
		}
	}
}

/* How many of the @nr waits from @first on are met, read by the host. */
static unsigned int host_waits_met(struct ipi_engine *eng, const struct ipi_step *st,
				   unsigned int first, unsigned int nr)
{
	const struct ipi_wait *w = &eng->batch->waits[first];
	unsigned int got = 0;

	for (unsigned int j = 0; j < nr; j++)
		got += READ_ONCE(eng->mailbox[w[j].cpu]->count[st->slot]) >= w[j].count;
	return got;
}

/* The host as sender: the same script, from KVM_SIGNAL_MSI. */
static void host_run_script(struct ipi_engine *eng, const struct batch_plan *plan)
{
	struct ipi_batch *b = eng->batch;
	uint64_t deadline = now_ns() + eng->timeout_ms * 1000000ull;
	struct timespec pause = { .tv_nsec = 20000 };

	while (__atomic_load_n(&b->ready, __ATOMIC_ACQUIRE) < eng->nr) {
		TEST_ASSERT(now_ns() < deadline, "only %u of %u vCPUs applied their state in time",
			    READ_ONCE(b->ready), eng->nr);
		nanosleep(&pause, NULL);
	}

	for (unsigned int k = 0; k < plan->nr; k++) {
		const struct ipi_step *st = &b->steps[k];
		uint64_t start = rdtsc(), sent = now_ns(), settled;
		bool ok = false;

		ipi_doors_host_send(eng, plan, k);
		deadline = sent + eng->timeout_ms * 1000000ull;
		while (!ok && now_ns() < deadline) {
			unsigned int got = host_waits_met(eng, st, st->first_wait, st->nr_waits);

			ok = st->any_one ? got >= 1 || !st->nr_waits : got == st->nr_waits;
			if (!ok)
				sched_yield();
		}
		b->timed_out[k] = !ok;
		b->step_cycles[k] = rdtsc() - start;

		/* As the guest senders do (ipi_agent.c settle_maybe()). */
		settled = sent + eng->timeout_ms * 1000000ull / IPI_SETTLE_DIVISOR;
		while (host_waits_met(eng, st, st->first_wait + st->nr_waits, st->nr_maybe) <
		       st->nr_maybe && now_ns() < settled)
			sched_yield();
		for (unsigned int j = 0; j < st->nr_maybe && st->slot == IPI_SLOT_NMI; j++) {
			const struct ipi_wait *w = &b->waits[st->first_wait + st->nr_waits + j];

			if (READ_ONCE(eng->mailbox[w->cpu]->count[st->slot]) >= w->count)
				ipi_batch_nmi_arrived(b, k, w->cpu);
		}
	}

	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	ipi_host_wake(eng);
}

static bool plan_add(struct ipi_engine *eng, struct batch_plan *plan,
		     const struct apic_model_irq *irq)
{
	static struct apic_model_cpu cpus[IPI_MAX_CPUS];
	unsigned int k = plan->nr;

	for (unsigned int i = 0; i < eng->nr; i++)
		cpus[i] = ipi_engine_model_cpu(eng, i);
	plan->irq[k] = *irq;
	plan->irq[k].x2apic_api = eng->x2apic_api;
	plan->irq[k].kvm_map_off = !kvm_has_apic_map(cpus, eng->nr, eng->x2apic_api);
	if (irq->delivery_mode == APIC_DELIVERY_NMI) {
		plan->irq[k].vector = 0;
		plan->slot[k] = IPI_SLOT_NMI;
	} else {
		plan->irq[k].vector = IPI_FIRST_VECTOR + k;
		plan->slot[k] = plan->irq[k].vector;
	}
	apic_model_route(cpus, eng->nr, &plan->irq[k], &plan->expect[k]);
	if (plan->expect[k].basis == APIC_MODEL_INVALID)
		return false;
	plan->nr++;
	return true;
}

static void record_timing(struct ipi_engine *eng, const struct batch_plan *plan)
{
	struct ipi_timing *t = eng->timing;

	for (unsigned int k = 0; t && k < plan->nr && t->nr < t->cap; k++)
		if (!eng->batch->timed_out[k])
			t->cycles[t->nr++] = eng->batch->step_cycles[k];
}

void ipi_engine_set_timing(struct ipi_engine *eng, struct ipi_timing *timing)
{
	eng->timing = timing;
}

uint64_t ipi_engine_tsc_khz(struct ipi_engine *eng)
{
	return eng->tsc_khz;
}

static unsigned int run_batch(struct ipi_engine *eng, const char *label, uint64_t seed,
			      const struct batch_plan *plan, const bool *spins,
			      struct ipi_result *res)
{
	bool from_host = plan->irq[0].sender == APIC_MODEL_FROM_MSI;
	uint64_t start;

	if (eng->state_dirty && eng->writer == IPI_STATE_BY_HOST)
		host_write_state(eng, res);
	fill_commands(eng, from_host, spins);
	fill_script(eng, plan, from_host);
	ipi_doors_prepare(eng, plan);

	start = now_ns();
	agents_go(eng);
	if (from_host)
		host_run_script(eng, plan);
	agents_wait_parked(eng);
	res->ns += now_ns() - start;
	record_timing(eng, plan);

	return ipi_compare_batch(eng, label, seed, plan, res);
}

/*
 * Spinning: at most one vCPU fewer than the host has CPUs spins at a time,
 * so the senders are not starved; the batch is repeated until every vCPU
 * has spun through it once.  Halted: one run, every vCPU halted.
 */
static unsigned int run_plan(struct ipi_engine *eng, const char *label, uint64_t seed,
			     const struct batch_plan *plan, enum ipi_wait_style wait,
			     const bool *spinners, struct ipi_result *res)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int per_group = online > 2 ? online - 1 : 1, mismatches = 0;
	unsigned int next = 0;
	bool spins[IPI_MAX_CPUS];

	if (spinners)
		return run_batch(eng, label, seed, plan, spinners, res);
	do {
		memset(spins, 0, sizeof(spins));
		for (unsigned int n = 0; wait == IPI_TARGETS_SPINNING &&
		     next < eng->nr_spinners && n < per_group; n++)
			spins[next++] = true;
		mismatches += run_batch(eng, label, seed, plan, spins, res);
	} while (wait == IPI_TARGETS_SPINNING && next < eng->nr_spinners);
	return mismatches;
}

static int cmp_sender(const void *a, const void *b)
{
	const struct apic_model_irq *x = *(const struct apic_model_irq * const *)a;
	const struct apic_model_irq *y = *(const struct apic_model_irq * const *)b;

	if (x->sender != y->sender)
		return x->sender < y->sender ? -1 : 1;
	/* Keep each sender's order: the pointers are in list order. */
	return x < y ? -1 : x > y;
}

static unsigned int run_irqs(struct ipi_engine *eng, const char *label, uint64_t seed,
			     const struct apic_model_irq *irqs, unsigned int nr,
			     enum ipi_wait_style wait, const bool *spinners,
			     struct ipi_result *res)
{
	static struct batch_plan plan;
	const struct apic_model_irq **order;
	unsigned int mismatches = 0;

	order = malloc(nr * sizeof(*order));
	TEST_ASSERT(order || !nr, "out of memory");
	for (unsigned int i = 0; i < nr; i++) {
		int sender = irqs[i].sender;

		TEST_ASSERT(sender == APIC_MODEL_FROM_MSI ||
			    (sender >= 0 && (unsigned int)sender < eng->nr),
			    "%s: bad sender %d", label, sender);
		TEST_ASSERT(sender == APIC_MODEL_FROM_MSI ||
			    eng->state[sender].mode == APIC_MODE_XAPIC ||
			    eng->state[sender].mode == APIC_MODE_X2APIC,
			    "%s: the sender's APIC must be enabled", label);
		order[i] = &irqs[i];
	}
	qsort(order, nr, sizeof(*order), cmp_sender);

	plan.nr = 0;
	for (unsigned int i = 0; i < nr; i++) {
		bool last = i == nr - 1;

		plan_add(eng, &plan, order[i]);
		/*
		 * A batch comes from the host or from vCPUs, through one door,
		 * one vector per step, an IOAPIC pin per IOAPIC step.
		 */
		if (plan.nr && (plan.nr == IPI_MAX_BATCH || last ||
				(order[i + 1]->sender == APIC_MODEL_FROM_MSI) !=
				(order[i]->sender == APIC_MODEL_FROM_MSI) ||
				order[i + 1]->door != order[i]->door ||
				(order[i]->door == APIC_DOOR_IOAPIC &&
				 plan.nr == IPI_IOAPIC_PINS))) {
			mismatches += run_plan(eng, label, seed, &plan, wait, spinners, res);
			plan.nr = 0;
		}
	}
	free(order);
	return mismatches;
}

unsigned int ipi_engine_run(struct ipi_engine *eng, const char *label, uint64_t seed,
			    const struct apic_model_irq *irqs, unsigned int nr,
			    enum ipi_wait_style wait, struct ipi_result *res)
{
	return run_irqs(eng, label, seed, irqs, nr, wait, NULL, res);
}

unsigned int ipi_engine_run_spinners(struct ipi_engine *eng, const char *label,
				     uint64_t seed, const struct apic_model_irq *irqs,
				     unsigned int nr, const bool *spinners,
				     struct ipi_result *res)
{
	return run_irqs(eng, label, seed, irqs, nr, IPI_TARGETS_SPINNING, spinners, res);
}
