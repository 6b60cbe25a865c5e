// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IPI engine's doors besides a vCPU's ICR: KVM_SIGNAL_MSI, irqfds on
 * MSI routes and IOAPIC entries (sent by the host), KVM's PV send-IPI and
 * Hyper-V's synthetic IPI hypercalls (sent by a vCPU), and what each
 * returns against its documentation.
 */
#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hyperv.h"
#include "ioapic.h"
#include "ipi_engine_int.h"
#include "kvm_deviations.h"
#include "kvm_routing.h"
#include "processor.h"

/* The MSI for @irq at @vector (api.rst KVM_SIGNAL_MSI, KVM_SET_GSI_ROUTING). */
static struct kvm_msi msi_message(struct ipi_engine *eng, const struct apic_model_irq *irq,
				  uint8_t vector)
{
	struct kvm_msi msi = {
		.address_lo = 0xfee00000u | ((irq->dest & 0xff) << 12) |
			      (irq->logical ? BIT(2) : 0) | (irq->redirect_hint ? BIT(3) : 0),
		.address_hi = (eng->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS) ?
			      (irq->dest & 0xffffff00u) : 0,
		.data = vector | ((uint32_t)irq->delivery_mode << 8),
	};

	return msi;
}

static int signal_msi(struct ipi_engine *eng, const struct apic_model_irq *irq, uint8_t vector)
{
	struct kvm_msi msi = msi_message(eng, irq, vector);

	errno = 0;
	return ioctl(eng->vm->fd, KVM_SIGNAL_MSI, &msi);
}

/* The end of a host-sent batch: an MSI to every vCPU that can take it. */
void ipi_host_wake(struct ipi_engine *eng)
{
	struct apic_model_irq wake = { .dest = XAPIC_BROADCAST, .sender = APIC_MODEL_FROM_MSI };

	signal_msi(eng, &wake, IPI_WAKE_VECTOR);
	if (eng->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS) {
		wake.dest = X2APIC_BROADCAST;
		signal_msi(eng, &wake, IPI_WAKE_VECTOR);
	}
}

/* Filling in a step */

static void fill_hyperv_input(struct ipi_engine *eng, const struct apic_model_irq *irq,
			      unsigned int k)
{
	vm_vaddr_t gva = eng->hv_inputs + k * IPI_HV_INPUT_SIZE;
	struct hv_send_ipi *in = addr_gva2hva(eng->vm, gva);
	struct hv_send_ipi_ex *ex = (void *)in;
	unsigned int bank = 0;

	memset(in, 0, IPI_HV_INPUT_SIZE);
	eng->batch->steps[k].hv_input = gva;
	if (!(irq->door_flags & APIC_DOOR_HV_EX)) {
		in->vector = irq->vector;
		in->cpu_mask = irq->bitmap[0];
		return;
	}
	ex->vector = irq->vector;
	if (irq->door_flags & APIC_DOOR_HV_ALL) {
		ex->format = HV_GENERIC_SET_ALL;
		return;
	}
	ex->format = HV_GENERIC_SET_SPARSE_4K;
	for (unsigned int i = 0; i < 2; i++) {
		if (!irq->bitmap[i])
			continue;
		ex->valid_bank_mask |= BIT_ULL(i);
		ex->bank_contents[bank++] = irq->bitmap[i];
	}
}

static uint64_t ioapic_rte(const struct apic_model_irq *irq)
{
	return IOAPIC_RTE_VECTOR(irq->vector) | IOAPIC_RTE_DELIVERY(irq->delivery_mode) |
	       (irq->logical ? IOAPIC_RTE_LOGICAL : 0) | IOAPIC_RTE_DEST(irq->dest) |
	       (irq->masked ? IOAPIC_RTE_MASKED : 0);
}

void ipi_doors_fill_step(struct ipi_engine *eng, const struct apic_model_irq *irq,
			 unsigned int k)
{
	struct ipi_step *st = &eng->batch->steps[k];
	struct apic_ipi pv = {
		.vector = irq->vector,
		.delivery_mode = irq->delivery_mode,
	};

	st->door = irq->door;
	st->door_flags = irq->door_flags;
	st->bitmap[0] = irq->bitmap[0];
	st->bitmap[1] = irq->bitmap[1];
	switch (irq->door) {
	case APIC_DOOR_PV_IPI:
		st->icr = (uint32_t)apic_ipi_to_icr(&pv, true);
		st->pv_min = irq->dest;
		break;
	case APIC_DOOR_HYPERV:
		st->icr = irq->vector;
		fill_hyperv_input(eng, irq, k);
		break;
	case APIC_DOOR_IOAPIC:
		TEST_ASSERT(k < IPI_IOAPIC_PINS, "IOAPIC step %u: only %u pins", k,
			    IPI_IOAPIC_PINS);
		eng->batch->ioapic_rte[k] = ioapic_rte(irq);
		break;
	default:
		break;
	}
}

/* Before a batch */

/* Routes: the IOAPIC's pins as KVM sets them up, then an MSI per step. */
static void set_irqfd_routes(struct ipi_engine *eng, const struct batch_plan *plan)
{
	unsigned int nr = IOAPIC_NR_PINS + IPI_MAX_BATCH;
	struct kvm_irq_routing *r = calloc(1, sizeof(*r) + nr * sizeof(r->entries[0]));

	TEST_ASSERT(r, "out of memory");
	r->nr = nr;
	for (unsigned int i = 0; i < IOAPIC_NR_PINS; i++) {
		r->entries[i].gsi = i;
		r->entries[i].type = KVM_IRQ_ROUTING_IRQCHIP;
		r->entries[i].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		r->entries[i].u.irqchip.pin = i;
	}
	for (unsigned int k = 0; k < IPI_MAX_BATCH; k++) {
		struct kvm_irq_routing_entry *e = &r->entries[IOAPIC_NR_PINS + k];
		struct apic_model_irq none = { .dest = 0 };
		struct kvm_msi msi = msi_message(eng, k < plan->nr ? &plan->irq[k] : &none,
						 k < plan->nr ? plan->irq[k].vector : 0);

		e->gsi = IPI_IRQFD_FIRST_GSI + k;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = msi.address_lo;
		e->u.msi.address_hi = msi.address_hi;
		e->u.msi.data = msi.data;
	}
	vm_ioctl(eng->vm, KVM_SET_GSI_ROUTING, r);
	free(r);
}

static void bind_irqfds(struct ipi_engine *eng)
{
	for (unsigned int k = 0; k < IPI_MAX_BATCH; k++) {
		struct kvm_irqfd irqfd = { .gsi = IPI_IRQFD_FIRST_GSI + k };

		eng->irqfd[k] = eventfd(0, EFD_CLOEXEC);
		TEST_ASSERT(eng->irqfd[k] >= 0, "eventfd");
		irqfd.fd = eng->irqfd[k];
		vm_ioctl(eng->vm, KVM_IRQFD, &irqfd);
	}
	eng->irqfds_bound = true;
}

void ipi_doors_prepare(struct ipi_engine *eng, const struct batch_plan *plan)
{
	struct ipi_batch *b = eng->batch;
	uint8_t door = plan->irq[0].door;

	b->vmmcall = kvm_cpu_vendor_is_amd();
	b->hv_hypercall_page = eng->hv_page;
	b->nr_ioapic_pins = door == APIC_DOOR_IOAPIC ? plan->nr : 0;
	if (door != APIC_DOOR_IRQFD)
		return;
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IRQFD));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IRQ_ROUTING));
	set_irqfd_routes(eng, plan);
	if (!eng->irqfds_bound)
		bind_irqfds(eng);
}

void ipi_doors_release(struct ipi_engine *eng)
{
	for (unsigned int k = 0; eng->irqfds_bound && k < IPI_MAX_BATCH; k++)
		close(eng->irqfd[k]);
}

/* Sending from the host */

void ipi_doors_host_send(struct ipi_engine *eng, const struct batch_plan *plan, unsigned int k)
{
	const struct apic_model_irq *irq = &plan->irq[k];
	uint64_t one = 1;

	switch (irq->door) {
	case APIC_DOOR_IRQFD:
		TEST_ASSERT(write(eng->irqfd[k], &one, sizeof(one)) == sizeof(one),
			    "writing irqfd %u", k);
		break;
	case APIC_DOOR_IOAPIC:
		/* An edge: the line up, then down again. */
		kvm_irq_line(eng->vm, IPI_IOAPIC_FIRST_PIN + k, 1);
		kvm_irq_line(eng->vm, IPI_IOAPIC_FIRST_PIN + k, 0);
		break;
	default:
		eng->msi_ret[k] = signal_msi(eng, irq, irq->vector);
		eng->msi_errno[k] = errno;
		break;
	}
}

/* What each door returned */

static bool may_lose_some(struct ipi_engine *eng, const struct apic_model_result *r,
			  const struct apic_model_irq *irq, const struct apic_model_cpu *cpus,
			  unsigned int deviation)
{
	for (unsigned int cpu = 0; cpu < eng->nr; cpu++)
		if (apic_model_accepts(r, cpu) &&
		    (ipi_known_loss(cpus, eng->nr, irq, cpu) & ~BIT(deviation)))
			return true;
	return false;
}

static unsigned int known_return(struct ipi_engine *eng, struct ipi_result *res,
				 const char *label, unsigned int k, const char *what,
				 const char *how, uint64_t seed, enum kvm_deviation d)
{
	ipi_known(eng, res, BIT(d), "%s #%u %s: %s; seed 0x%llx\n", label, k, what, how,
		  (unsigned long long)seed);
	return 0;
}

/*
 * api.rst KVM_SIGNAL_MSI: ">0 on delivery, 0 if guest blocked the MSI";
 * hypercalls.rst KVM_HC_SEND_IPI: "the number of CPUs to which the IPIs
 * were delivered successfully"; Hyper-V TLFS: HV_STATUS_SUCCESS.
 */
unsigned int ipi_doors_check_return(struct ipi_engine *eng, const char *label, uint64_t seed,
				    const struct batch_plan *plan, unsigned int k,
				    const struct apic_model_cpu *cpus, struct ipi_result *res)
{
	const struct apic_model_result *r = &plan->expect[k];
	const struct apic_model_irq *irq = &plan->irq[k];
	int64_t want = r->exactly_one ? !!r->nr_accept : r->nr_accept, got;
	const char *call;
	char what[192];

	switch (irq->door) {
	case APIC_DOOR_PV_IPI:
		got = (int64_t)eng->batch->step_ret[k];
		call = "KVM_HC_SEND_IPI";
		break;
	case APIC_DOOR_HYPERV:
		got = eng->batch->step_ret[k] & 0xffff;
		want = HV_STATUS_SUCCESS;
		call = "HvCallSendSyntheticClusterIpi";
		break;
	case APIC_DOOR_DEFAULT:
		if (irq->sender != APIC_MODEL_FROM_MSI)
			return 0;
		got = eng->msi_ret[k] < 0 ? -eng->msi_errno[k] : eng->msi_ret[k];
		call = "KVM_SIGNAL_MSI";
		break;
	default:
		return 0;
	}
	if (got == want || may_lose_some(eng, r, irq, cpus, KVM_DEV_PV_IPI_NEEDS_MAP))
		return 0;
	ipi_describe_irq(irq, cpus, eng->nr, what, sizeof(what));
	if (irq->door == APIC_DOOR_DEFAULT && !want && got == -EPERM &&
	    kvm_deviation_expected(KVM_DEV_MSI_TO_NOBODY_FAILS) &&
	    kvm_msi_to_nobody_fails(cpus, eng->nr, irq))
		return known_return(eng, res, label, k, what, "KVM_SIGNAL_MSI returned -1 (EPERM), delivered to nobody",
				    seed, KVM_DEV_MSI_TO_NOBODY_FAILS);
	if (irq->door == APIC_DOOR_PV_IPI && got == -EOPNOTSUPP &&
	    kvm_deviation_expected(KVM_DEV_PV_IPI_NEEDS_MAP) &&
	    kvm_pv_ipi_without_map(cpus, eng->nr, irq))
		return known_return(eng, res, label, k, what, "KVM_HC_SEND_IPI returned -EOPNOTSUPP",
				    seed, KVM_DEV_PV_IPI_NEEDS_MAP);
	ksft_print_msg("WRONG RETURN: %s #%u %s: %s returned %lld, expected %lld; seed 0x%llx\n",
		       label, k, what, call, (long long)got, (long long)want,
		       (unsigned long long)seed);
	return 1;
}
