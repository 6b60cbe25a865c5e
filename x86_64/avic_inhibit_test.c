// SPDX-License-Identifier: GPL-2.0-only
/*
 * avic_inhibit_test: when KVM inhibits APICv / AVIC because APIC IDs are
 * not vCPU IDs, seen through kvm:kvm_apicv_inhibit_changed
 * (lib/x86_64/apicv_inhibit.c).
 *
 * Expected (kvm_recalculate_apic_map() in arch/x86/kvm/lapic.c, run after
 * every change of an APIC ID, LDR, DFR, SPIV or mode):
 * - APIC_ID_MODIFIED while an xAPIC-mode vCPU's ID differs from its vCPU
 *   ID truncated to 8 bits (a change by KVM_SET_LAPIC or by a guest write
 *   to APIC_ID alike); cleared again once the IDs are restored, since 6.3
 *   ("Allow APICv APIC ID inhibit to be cleared"; sticky before).
 * - PHYSICAL_ID_ALIASED while two vCPUs have the same physical ID (the
 *   optimized map is then dropped, which also sets LOGICAL_ID_ALIASED).
 * - LOGICAL_ID_ALIASED while two software-enabled xAPICs share a logical
 *   ID, an LDR has more than one bit set, or flat and cluster DFRs mix.
 * - None of them for identity IDs, also not for vCPU IDs >= 256 whose
 *   8-bit xAPIC ID collides with no other vCPU's.
 * Which reasons count depends on the vendor: AVIC_REQUIRED_APICV_INHIBITS
 * (svm.h) has all three, VMX_REQUIRED_APICV_INHIBITS (vmx/main.c) has no
 * LOGICAL_ID_ALIASED; __kvm_set_or_clear_apicv_inhibit() (x86.c) drops
 * the others without tracing them.  With APICv off for the whole host,
 * kvm_set_or_clear_apicv_inhibit() returns before anything is traced: only
 * the VM's creation event (DISABLED, kvm_apicv_init()) is seen, which the
 * tests check for real before they SKIP the inhibit checks.
 *
 * In every case the guests keep running and a fixed IPI between two vCPUs
 * still reaches its target while KVM has the inhibit set (SDM vol. 3A,
 * "Local APIC": physical destination = the target's APIC ID).
 */
#include "kvm_test_harness.h"
#include "apic.h"
#include "apicv_inhibit.h"
#include "compiler.h"

#define IPI_VECTOR		0x42
#define MAX_TEST_VCPUS		4
/* A lost IPI leaves the receiver halted: its watchdog ends the test. */
#define IPI_WAIT_TIMEOUT_S	10

/* Guest code */

static uint32_t ipi_count[MAX_TEST_VCPUS];	/* by creation index */

static void guest_ipi_handler(struct ex_regs *regs)
{
	uint32_t *count = &ipi_count[guest_vcpu_index()];

	WRITE_ONCE(*count, READ_ONCE(*count) + 1);
	xapic_eoi();
}

static void guest_done(void)
{
	GUEST_DONE();
}

/* One fixed IPI to physical xAPIC ID @dest. */
static void guest_send_ipi(uint32_t dest)
{
	struct apic_ipi ipi = {
		.vector = IPI_VECTOR,
		.delivery_mode = APIC_DELIVERY_FIXED,
		.dest = dest,
	};

	xapic_write_icr(apic_ipi_to_icr(&ipi, false));
	GUEST_ASSERT(xapic_wait_icr_idle(1000));
	GUEST_DONE();
}

/* Take the IPI that is already pending: it ends the first HLT. */
static void guest_take_ipi(void)
{
	while (!READ_ONCE(ipi_count[guest_vcpu_index()]))
		safe_halt();
	cli();
	GUEST_ASSERT_EQ(READ_ONCE(ipi_count[guest_vcpu_index()]), 1);
	GUEST_DONE();
}

/* The guest changes its own xAPIC ID (kvm_lapic_reg_write(), case APIC_ID). */
static void guest_write_xapic_id(uint32_t id)
{
	xapic_write_reg(APIC_ID, id << 24);
	GUEST_SYNC(xapic_read_reg(APIC_ID) >> 24);
	GUEST_DONE();
}

/* Host side: the VM under observation */

struct inhibit_ctx {
	struct apicv_observer *obs;
	struct apicv_host host;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[MAX_TEST_VCPUS];
	unsigned int nr_vcpus;
	unsigned int creation_events;	/* 1, or 2 before 6.11 with APICv off */
	unsigned int checked;		/* events already checked */
	bool logical_known;		/* LOGICAL_ID_ALIASED's bit is certain */
	bool before_6_3;		/* a kernel whose inhibits these are not */
};

static void observer_open_or_skip(struct inhibit_ctx *c)
{
	char why[256];

	c->obs = apicv_observer_open(why, sizeof(why));
	TEST_REQUIRE_MSG(c->obs, "%s", why);
}

static void observer_fail(struct inhibit_ctx *c, const char *what)
{
	apicv_observer_dump(c->obs, 0);
	TEST_FAIL("%s", what);
}

static void check_observer_clean(struct inhibit_ctx *c)
{
	if (c->obs->malformed || c->obs->lost)
		observer_fail(c, "the observer read lines it could not parse, or lost events");
}

static const char *apic_id_modified_behaviour(const struct inhibit_ctx *c)
{
	return c->before_6_3 ? "APIC_ID_MODIFIED is sticky before 6.3" :
	       "APIC_ID_MODIFIED clears when the IDs are restored (since 6.3)";
}

/*
 * What KVM_CREATE_VM and KVM_CREATE_IRQCHIP must have traced, in this
 * process: kvm_apicv_init() sets DISABLED when APICv is off, ABSENT when it
 * is on (before 6.11: ABSENT, then DISABLED too); KVM_CREATE_IRQCHIP clears
 * ABSENT (kvm_arch_vm_ioctl(), x86.c) when it is on.
 */
static void check_creation(struct inhibit_ctx *c)
{
	struct apicv_observer *obs = c->obs;
	const struct apicv_inhibit_event *ev;
	unsigned int n;

	apicv_observer_poll(obs);
	check_observer_clean(c);
	if (obs->creations != 1)
		observer_fail(c, "expected exactly one VM creation event, this VM's");
	ev = &obs->events[0];
	if (!apicv_event_is_creation(ev) || ev->pid != getpid())
		observer_fail(c, "the first event is not this process's VM creation");

	n = 1 + (obs->nr_events > 1 && apicv_event_is_creation(&obs->events[1]));
	c->creation_events = n;
	apicv_host_probe(&c->host, obs);

	if (!c->host.enabled) {
		TEST_ASSERT(obs->events[n - 1].reason == APICV_INHIBIT_DISABLED &&
			    (obs->mask & APICV_INHIBIT(DISABLED)),
			    "APICv off: the creation must set DISABLED");
		if (obs->nr_events != n)
			observer_fail(c, "APICv is off, yet KVM traced more than the creation (kvm_set_or_clear_apicv_inhibit() returns early when enable_apicv is off)");
	} else {
		if (obs->nr_events <= n || obs->events[n].set ||
		    obs->events[n].reason != APICV_INHIBIT_ABSENT)
			observer_fail(c, "APICv on: KVM_CREATE_IRQCHIP must clear ABSENT next");
		c->before_6_3 = c->host.kver_major < 6 ||
				(c->host.kver_major == 6 && c->host.kver_minor < 3);
		/* 6.11+ prints names; before, the bit after SEV was not always 11. */
		c->logical_known = c->host.kver_major > 6 ||
				   (c->host.kver_major == 6 && c->host.kver_minor >= 11);
		ksft_print_msg("APICv/AVIC enabled (%s); kernel %u.%u: %s\n",
			       c->host.backend, c->host.kver_major, c->host.kver_minor,
			       apic_id_modified_behaviour(c));
	}
	c->checked = n;
}

/* Create the VM (observer already open) with vCPUs at @ids, APICs enabled. */
static void create_vm(struct inhibit_ctx *c, const uint32_t *ids, unsigned int nr)
{
	TEST_ASSERT(nr <= MAX_TEST_VCPUS, "at most %u vCPUs", MAX_TEST_VCPUS);
	c->vm = vm_create(nr);
	c->nr_vcpus = nr;
	for (unsigned int i = 0; i < nr; i++) {
		int ret = __vm_vcpu_add(c->vm, ids[i], guest_done, &c->vcpus[i]);

		if (!ret)
			continue;
		apicv_observer_poll(c->obs);
		apicv_host_probe(&c->host, c->obs);
		if (c->host.enabled && c->host.vendor == APICV_VENDOR_SVM && ids[i] > 254)
			test_skip("KVM_CREATE_VCPU(%u) failed (%s): with AVIC enabled, avic_init_backing_page() refuses vCPU IDs above 254 (xAVIC) or 511 (x2AVIC) in 6.12; newer kernels create the vCPU and set PHYSICAL_ID_TOO_BIG",
				  ids[i], strerror(-ret));
		TEST_FAIL("KVM_CREATE_VCPU(%u) failed: %s", ids[i], strerror(-ret));
	}
	check_creation(c);

	/* Software-enabled, so they accept fixed IPIs (__apic_accept_irq()). */
	for (unsigned int i = 0; i < nr; i++)
		vcpu_lapic_set_svr(c->vcpus[i], APIC_SPIV_APIC_ENABLED | APIC_SPURIOUS_VECTOR);
	vm_install_exception_handler(c->vm, IPI_VECTOR, guest_ipi_handler);
}

/*
 * After a change (or its undoing): the APIC map inhibits must be @want, of
 * those the vendor honours.  With APICv off: no event at all.
 */
static void expect_inhibits(struct inhibit_ctx *c, unsigned long want, const char *what)
{
	struct apicv_observer *obs = c->obs;
	unsigned long relevant = APICV_INHIBITS_APIC_MAP & c->host.honoured;
	char got_s[128], want_s[128];

	apicv_observer_poll(obs);
	check_observer_clean(c);
	if (!c->host.enabled) {
		if (obs->nr_events != c->creation_events) {
			ksft_print_msg("after %s:\n", what);
			observer_fail(c, "APICv is off, yet KVM traced inhibit changes");
		}
		return;
	}
	if (c->before_6_3)
		test_skip("kernel %u.%u is older than 6.3: no PHYSICAL_ID_ALIASED or LOGICAL_ID_ALIASED inhibits, APIC_ID_MODIFIED is sticky and the reasons are numbered differently",
			  c->host.kver_major, c->host.kver_minor);
	/* APICv (VMX): never LOGICAL_ID_ALIASED, not even "cleared". */
	for (unsigned int i = c->checked; i < obs->nr_events; i++)
		if (c->host.vendor != APICV_VENDOR_NONE &&
		    (APICV_INHIBITS_APIC_MAP & ~c->host.honoured &
		     (1ul << obs->events[i].reason))) {
			ksft_print_msg("after %s: event %u:\n", what, i);
			observer_fail(c, "KVM traced a reason the vendor does not honour (__kvm_set_or_clear_apicv_inhibit() drops those)");
		}
	c->checked = obs->nr_events;
	if (!c->logical_known)
		relevant &= ~APICV_INHIBIT(LOGICAL_ID_ALIASED);

	if ((obs->mask & relevant) != (want & relevant)) {
		apicv_observer_dump(obs, 0);
		TEST_FAIL("after %s: APIC map inhibits %s, expected %s (%s honours %s)", what,
			  apicv_inhibit_mask_str(obs->mask & relevant, got_s, sizeof(got_s)),
			  apicv_inhibit_mask_str(want & relevant, want_s, sizeof(want_s)),
			  c->host.backend,
			  c->host.vendor == APICV_VENDOR_SVM ? "all three (AVIC)" :
			  "no LOGICAL_ID_ALIASED (APICv)");
	}
	ksft_print_msg("after %s: %s\n", what,
		       apicv_inhibit_mask_str(obs->mask, got_s, sizeof(got_s)));
}

static bool irr_has(struct kvm_vcpu *vcpu, uint8_t vector)
{
	return vcpu_lapic_get_reg(vcpu, APIC_IRR + (vector / 32) * 0x10) & BIT(vector % 32);
}

/*
 * vCPU @from sends a fixed IPI to xAPIC ID @dest; it must reach vCPU @to
 * and no other vCPU.  The sender runs first, so the IPI is pending when the
 * target runs.
 */
static void check_ipi(struct inhibit_ctx *c, unsigned int from, unsigned int to, uint32_t dest)
{
	struct kvm_vcpu *src = c->vcpus[from], *dst = c->vcpus[to];

	for (unsigned int i = 0; i < MAX_TEST_VCPUS; i++)
		write_guest_global(c->vm, ipi_count[i], 0);

	vcpu_set_entry(src, guest_send_ipi);
	vcpu_args_set(src, 1, dest);
	vcpu_run_to_done(src);

	for (unsigned int i = 0; i < c->nr_vcpus; i++)
		TEST_ASSERT(i == to || !irr_has(c->vcpus[i], IPI_VECTOR),
			    "IPI from vCPU %u to xAPIC ID 0x%x is also pending in vCPU %u",
			    src->id, dest, c->vcpus[i]->id);
	TEST_ASSERT(irr_has(dst, IPI_VECTOR),
		    "IPI from vCPU %u to xAPIC ID 0x%x is not pending in vCPU %u",
		    src->id, dest, dst->id);

	vcpu_set_entry(dst, guest_take_ipi);
	vcpu_set_timeout(dst, IPI_WAIT_TIMEOUT_S);
	vcpu_run_to_done(dst);
	TEST_ASSERT_EQ(read_guest_global(c->vm, ipi_count[to]), 1);
}

static void set_xapic_id_by_guest(struct inhibit_ctx *c, unsigned int idx, uint32_t id)
{
	struct kvm_vcpu *vcpu = c->vcpus[idx];
	struct ucall uc;

	vcpu_set_entry(vcpu, guest_write_xapic_id);
	vcpu_args_set(vcpu, 1, id);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] == id, "vCPU %u wrote xAPIC ID 0x%x, reads 0x%llx",
		    vcpu->id, id, (unsigned long long)uc.args[0]);
	vcpu_run_to_done(vcpu);
}

static void set_xapic_id_by_host(struct inhibit_ctx *c, unsigned int idx, uint32_t id)
{
	vcpu_lapic_set_id(c->vcpus[idx], id);
	TEST_ASSERT_EQ(vcpu_lapic_get_id(c->vcpus[idx]), id);
}

/* LDR and DFR of one vCPU in one KVM_SET_LAPIC. */
static void set_logical(struct inhibit_ctx *c, unsigned int idx, uint32_t dfr, uint32_t ldr)
{
	struct kvm_lapic_state s;

	vcpu_get_lapic(c->vcpus[idx], &s);
	lapic_state_set_reg(&s, APIC_DFR, dfr);
	lapic_state_set_reg(&s, APIC_LDR, ldr);
	vcpu_set_lapic(c->vcpus[idx], &s);
}

/* The inhibit part could not be checked: say why (the rest passed). */
static void finish(struct inhibit_ctx *c)
{
	if (!c->host.enabled) {
		ksft_print_msg("observer: only this VM's %s creation event, as KVM must trace with APICv off; IPIs arrived\n",
			       apicv_inhibit_name(c->obs->creation_reason));
		test_skip("%s", c->host.why_off);
	}
}

#define ID_MOD		APICV_INHIBIT(APIC_ID_MODIFIED)
#define PHYS_ALIAS	APICV_INHIBIT(PHYSICAL_ID_ALIASED)
#define LOG_ALIAS	APICV_INHIBIT(LOGICAL_ID_ALIASED)
/* kvm_recalculate_apic_map() drops the whole map: both aliasing reasons. */
#define MAP_DROPPED	(PHYS_ALIAS | LOG_ALIAS)

FIXTURE(inhibit) {
	struct inhibit_ctx c;
};

FIXTURE_SETUP(inhibit)
{
	kvm_harness_bind(_metadata);
	memset(&self->c, 0, sizeof(self->c));
	observer_open_or_skip(&self->c);
}

FIXTURE_TEARDOWN(inhibit)
{
	kvm_vm_free(self->c.vm);
	apicv_observer_close(self->c.obs);
}

/* KVM_SET_LAPIC copies the xAPIC ID (kvm_apic_set_state()). */
TEST_F(inhibit, apic_id_modified_by_host)
{
	struct inhibit_ctx *c = &self->c;

	create_vm(c, (uint32_t[]){ 0, 1 }, 2);
	expect_inhibits(c, 0, "creating vCPUs 0 and 1");
	set_xapic_id_by_host(c, 1, 0x11);
	expect_inhibits(c, ID_MOD, "KVM_SET_LAPIC: vCPU 1's xAPIC ID = 0x11");
	check_ipi(c, 0, 1, 0x11);
	set_xapic_id_by_host(c, 1, 1);
	expect_inhibits(c, 0, "KVM_SET_LAPIC: vCPU 1's xAPIC ID back to 1");
	check_ipi(c, 0, 1, 1);
	finish(c);
}

/* A guest write to APIC_ID takes the same path (kvm_lapic_reg_write()). */
TEST_F(inhibit, apic_id_modified_by_guest)
{
	struct inhibit_ctx *c = &self->c;

	create_vm(c, (uint32_t[]){ 0, 1 }, 2);
	expect_inhibits(c, 0, "creating vCPUs 0 and 1");
	set_xapic_id_by_guest(c, 1, 0x23);
	expect_inhibits(c, ID_MOD, "vCPU 1 writes xAPIC ID 0x23");
	check_ipi(c, 0, 1, 0x23);
	set_xapic_id_by_guest(c, 1, 1);
	expect_inhibits(c, 0, "vCPU 1 writes xAPIC ID 1 back");
	check_ipi(c, 1, 0, 0);
	finish(c);
}

/* Two vCPUs with one physical ID: kvm_recalculate_phys_map() -EINVAL. */
TEST_F(inhibit, physical_id_aliased)
{
	struct inhibit_ctx *c = &self->c;

	create_vm(c, (uint32_t[]){ 0, 1, 2 }, 3);
	expect_inhibits(c, 0, "creating vCPUs 0, 1 and 2");
	set_xapic_id_by_host(c, 2, 1);
	expect_inhibits(c, MAP_DROPPED | ID_MOD, "KVM_SET_LAPIC: vCPU 2's xAPIC ID = 1");
	check_ipi(c, 1, 0, 0);
	set_xapic_id_by_host(c, 2, 2);
	expect_inhibits(c, 0, "KVM_SET_LAPIC: vCPU 2's xAPIC ID back to 2");
	check_ipi(c, 0, 2, 2);
	finish(c);
}

/*
 * Logical IDs (kvm_recalculate_logical_map()): two software-enabled xAPICs
 * in flat mode with LDRs 0x01 and 0x02 (bits 31:24) are fine; the change
 * under test makes the logical map unusable, the undo restores it.
 */
static void logical_case(struct inhibit_ctx *c, uint32_t dfr1, uint32_t ldr1,
			 const char *what)
{
	create_vm(c, (uint32_t[]){ 0, 1 }, 2);
	set_logical(c, 0, APIC_DFR_FLAT, 0x01u << 24);
	set_logical(c, 1, APIC_DFR_FLAT, 0x02u << 24);
	expect_inhibits(c, 0, "flat LDRs 0x01 and 0x02");
	if (c->host.enabled && !c->logical_known)
		test_skip("kernel %u.%u prints no reason names and the bit number of LOGICAL_ID_ALIASED before 6.11 is not certain",
			  c->host.kver_major, c->host.kver_minor);
	set_logical(c, 1, dfr1, ldr1);
	expect_inhibits(c, LOG_ALIAS, what);
	check_ipi(c, 0, 1, 1);
	set_logical(c, 1, APIC_DFR_FLAT, 0x02u << 24);
	expect_inhibits(c, 0, "vCPU 1 back to flat LDR 0x02");
	check_ipi(c, 1, 0, 0);
	finish(c);
}

TEST_F(inhibit, logical_id_aliased_same_ldr)
{
	logical_case(&self->c, APIC_DFR_FLAT, 0x01u << 24, "vCPU 1's flat LDR = 0x01 too");
}

TEST_F(inhibit, logical_id_aliased_ldr_with_two_bits)
{
	logical_case(&self->c, APIC_DFR_FLAT, 0x06u << 24, "vCPU 1's flat LDR = 0x06");
}

TEST_F(inhibit, logical_id_aliased_flat_and_cluster)
{
	logical_case(&self->c, APIC_DFR_CLUSTER, 0x12u << 24,
		     "vCPU 1 in cluster mode, LDR 0x12, vCPU 0 flat");
}

/*
 * Sets of vCPU IDs in xAPIC mode, where the xAPIC ID is the vCPU ID mod 256
 * (kvm_lapic_reset(), kvm_apic_set_xapic_id()).  A truncated ID is no
 * APIC_ID_MODIFIED (the check in kvm_recalculate_phys_map() truncates on
 * purpose); it is PHYSICAL_ID_ALIASED only if it lands on another vCPU's.
 */
FIXTURE(xapic_ids) {
	struct inhibit_ctx c;
};

FIXTURE_VARIANT(xapic_ids) {
	unsigned int nr;
	uint32_t ids[MAX_TEST_VCPUS];
	bool aliased;
};

FIXTURE_VARIANT_ADD(xapic_ids, identity_0_to_3) { 4, { 0, 1, 2, 3 }, false };
FIXTURE_VARIANT_ADD(xapic_ids, id_256_without_0) { 2, { 1, 256 }, false };
FIXTURE_VARIANT_ADD(xapic_ids, id_257_without_1) { 2, { 0, 257 }, false };
FIXTURE_VARIANT_ADD(xapic_ids, ids_1_and_257_collide) { 2, { 1, 257 }, true };
FIXTURE_VARIANT_ADD(xapic_ids, ids_0_and_256_collide) { 2, { 0, 256 }, true };

FIXTURE_SETUP(xapic_ids)
{
	kvm_harness_bind(_metadata);
	memset(&self->c, 0, sizeof(self->c));
	observer_open_or_skip(&self->c);
}

FIXTURE_TEARDOWN(xapic_ids)
{
	kvm_vm_free(self->c.vm);
	apicv_observer_close(self->c.obs);
}

TEST_F(xapic_ids, inhibited_only_when_truncated_ids_collide)
{
	struct inhibit_ctx *c = &self->c;
	unsigned int last = variant->nr - 1;
	uint32_t last_id = variant->ids[last] & 0xff;

	create_vm(c, variant->ids, variant->nr);
	for (unsigned int i = 0; i < variant->nr; i++)
		TEST_ASSERT_EQ(vcpu_lapic_get_id(c->vcpus[i]), variant->ids[i] & 0xff);

	if (!variant->aliased) {
		/* Distinct flat LDRs too: the logical map stays usable. */
		for (unsigned int i = 0; i < variant->nr; i++)
			set_logical(c, i, APIC_DFR_FLAT, (1u << i) << 24);
		expect_inhibits(c, 0, "creating vCPUs whose 8-bit IDs differ");
		check_ipi(c, 0, last, last_id);
		expect_inhibits(c, 0, "the IPI");
		finish(c);
		return;
	}

	expect_inhibits(c, MAP_DROPPED, "creating vCPUs whose 8-bit IDs collide");
	/* Undo the collision: a free ID, which is a modified one. */
	set_xapic_id_by_host(c, last, 0x20);
	expect_inhibits(c, ID_MOD, "KVM_SET_LAPIC: the second vCPU's xAPIC ID = 0x20");
	check_ipi(c, 0, last, 0x20);
	set_xapic_id_by_host(c, last, last_id);
	expect_inhibits(c, MAP_DROPPED, "KVM_SET_LAPIC: its truncated ID back");
	finish(c);
}

KVM_TEST_HARNESS_MAIN
