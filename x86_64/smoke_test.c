// SPDX-License-Identifier: GPL-2.0-only
/*
 * smoke_test: the library's basic promises, on real KVM.
 *
 * - vCPUs at sparse IDs, up to the host's largest vCPU ID, run guest code,
 *   ucall back and read their own APIC ID in xAPIC and x2APIC mode.
 *   Expected: xAPIC ID = vCPU ID mod 256, x2APIC ID = vCPU ID.  Source:
 *   KVM's documented choice (Documentation/virt/kvm/api.rst, KVM_CREATE_VCPU
 *   and KVM_CAP_X2APIC_API: the APIC ID is the vCPU ID, the xAPIC ID its low
 *   8 bits); the x2APIC ID is read-only (SDM vol. 3A, "x2APIC ID").
 * - A VM with KVM's maximum number of vCPUs runs every vCPU to GUEST_DONE.
 * - vCPU threads, guest exception handlers, fault fixups and a self-IPI.
 */
#include "kvm_test_harness.h"
#include "apic.h"
#include "vcpu_thread.h"

static void guest_report_apic_ids(void)
{
	uint32_t vcpu_id = guest_vcpu_id();

	GUEST_ASSERT_EQ(apic_get_mode(), APIC_MODE_XAPIC);
	GUEST_SYNC(xapic_read_reg(APIC_ID) >> 24);
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, vcpu_id & 0xff);

	x2apic_enable();
	GUEST_SYNC(x2apic_read_reg(APIC_ID));
	GUEST_ASSERT_EQ(x2apic_read_reg(APIC_ID), vcpu_id);
	GUEST_DONE();
}

static void check_apic_ids(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] == (vcpu->id & 0xff),
		    "vCPU %u: xAPIC ID 0x%llx, expected vCPU ID mod 256 = 0x%x",
		    vcpu->id, (unsigned long long)uc.args[0], vcpu->id & 0xff);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] == vcpu->id,
		    "vCPU %u: x2APIC ID 0x%llx, expected the vCPU ID",
		    vcpu->id, (unsigned long long)uc.args[0]);
	vcpu_run_to_done(vcpu);
}

#define MAX_IDS		5

/* Fixed sets of vCPU IDs, created in this order, one VM each. */
FIXTURE(ids) {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[MAX_IDS];
};

FIXTURE_VARIANT(ids) {
	unsigned int nr;
	uint32_t vcpu_ids[MAX_IDS];
};

FIXTURE_VARIANT_ADD(ids, low) {
	.nr = 3,
	.vcpu_ids = { 0, 1, 7 },
};

FIXTURE_VARIANT_ADD(ids, truncating) {
	.nr = 3,
	.vcpu_ids = { 255, 256, 1023 },
};

FIXTURE_VARIANT_ADD(ids, descending) {
	.nr = 5,
	.vcpu_ids = { 1023, 256, 7, 1, 0 },
};

FIXTURE_SETUP(ids)
{
	kvm_harness_bind(_metadata);
	self->vm = vm_create_with_vcpu_ids(variant->nr, variant->vcpu_ids,
					   guest_report_apic_ids, self->vcpus);
}

FIXTURE_TEARDOWN(ids)
{
	kvm_vm_free(self->vm);
}

TEST_F(ids, read_own_apic_ids)
{
	for (unsigned int i = 0; i < variant->nr; i++)
		check_apic_ids(self->vcpus[i]);
}

/* The host's largest vCPU ID, KVM_CAP_MAX_VCPU_ID - 1 (4095 by default). */
KVM_TEST(largest_vcpu_id_reads_its_apic_ids)
{
	unsigned int max_id = kvm_max_vcpu_id() - 1;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	TEST_REQUIRE_MSG(max_id > 1023, "host allows vCPU IDs only up to %u", max_id);
	vm = vm_create(1);
	vcpu = vm_vcpu_add(vm, max_id, guest_report_apic_ids);
	check_apic_ids(vcpu);
	ksft_print_msg("largest vCPU ID: %u\n", max_id);
	kvm_vm_free(vm);
}

static void guest_check_xapic_id_and_finish(void)
{
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, guest_vcpu_id() & 0xff);
	GUEST_DONE();
}

/*
 * KVM_CAP_MAX_VCPUS vCPUs (1024 on current x86 KVM), each run to DONE:
 * about 35 s in the embedded VM under QEMU and 100 s under Bochs.
 */
KVM_TEST_TIMEOUT(max_vcpus_run_to_done, 240)
{
	unsigned int nr = kvm_max_vcpus();
	struct kvm_vm *vm;

	vm = vm_create_with_vcpus(nr, guest_check_xapic_id_and_finish, NULL);
	for (unsigned int i = 0; i < nr; i++)
		vcpu_run_to_done(vm->vcpus[i]);
	ksft_print_msg("%u vCPUs ran to GUEST_DONE\n", nr);
	kvm_vm_free(vm);
}

/* The same guest, 64 vCPUs each on its own host thread at once. */
KVM_TEST(vcpu_threads_run_to_done)
{
	struct kvm_vm *vm = vm_create_with_vcpus(64, guest_check_xapic_id_and_finish, NULL);

	vm_vcpu_threads_start(vm, NULL);
	vm_vcpu_threads_join(vm);
	kvm_vm_free(vm);
}

static int ud_count;

static void guest_ud_handler(struct ex_regs *regs)
{
	ud_count++;
	regs->rip += 2;	/* skip UD2 */
}

static void guest_exceptions(void)
{
	uint64_t value;

	/* An installed handler runs and the guest resumes where it chose. */
	__asm__ __volatile__("ud2");
	GUEST_ASSERT_EQ(READ_ONCE(ud_count), 1);

	/*
	 * A fault fixup: x2APIC MSRs #GP outside x2APIC mode (SDM vol. 3A,
	 * "x2APIC Register Availability").
	 */
	GUEST_ASSERT_EQ(apic_get_mode(), APIC_MODE_XAPIC);
	GUEST_ASSERT_EQ(rdmsr_safe(x2apic_msr(APIC_ID), &value), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(x2apic_msr(APIC_TASKPRI), 0), GP_VECTOR);
	GUEST_DONE();
}

KVM_TEST(guest_exception_handler_and_fixup)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_exceptions);

	vm_install_exception_handler(vm, UD_VECTOR, guest_ud_handler);
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

#define SELF_IPI_VECTOR	0x40
#define BACKSTOP_VECTOR	0x41

static int self_ipi_count, backstop_fired;

static void guest_self_ipi_handler(struct ex_regs *regs)
{
	self_ipi_count++;
	xapic_eoi();
}

static void guest_backstop_handler(struct ex_regs *regs)
{
	backstop_fired = 1;
	xapic_eoi();
}

static void guest_self_ipi(uint64_t tsc_khz)
{
	struct apic_ipi ipi = {
		.vector = SELF_IPI_VECTOR,
		.delivery_mode = APIC_DELIVERY_FIXED,
		.shorthand = APIC_SHORTHAND_SELF,
	};

	xapic_enable();
	apic_send_ipi(&ipi);
	/* Interrupts are off: the IPI must be pending, not yet delivered. */
	GUEST_ASSERT_EQ(READ_ONCE(self_ipi_count), 0);
	/* A pending interrupt ends HLT; a timer 2 s out bounds the wait. */
	apic_arm_tsc_deadline(BACKSTOP_VECTOR, rdtsc() + 2000 * tsc_khz);
	while (!READ_ONCE(self_ipi_count) && !READ_ONCE(backstop_fired))
		safe_halt();
	cli();
	apic_arm_tsc_deadline(BACKSTOP_VECTOR, 0);
	__GUEST_ASSERT(READ_ONCE(self_ipi_count) == 1, "the self-IPI was taken %d times in 2 s",
		       READ_ONCE(self_ipi_count));
	GUEST_DONE();
}

KVM_TEST(self_ipi_reaches_handler)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_self_ipi);

	vm_install_exception_handler(vm, SELF_IPI_VECTOR, guest_self_ipi_handler);
	vm_install_exception_handler(vm, BACKSTOP_VECTOR, guest_backstop_handler);
	vcpu_args_set(vcpu, 1, vcpu_tsc_khz(vcpu));
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

KVM_TEST_HARNESS_MAIN
