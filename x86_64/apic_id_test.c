// SPDX-License-Identifier: GPL-2.0-only
/*
 * apic_id_test: every way a vCPU's APIC ID and its vCPU ID can come apart,
 * and what KVM must do about it.
 *
 * Each case prints the source of its expectation ("# source: ...") and
 * reports its own KTAP line.  Where the architecture leaves a choice (a
 * writable xAPIC ID, what re-enabling an APIC resets), the source says so
 * and names KVM's choice.
 */
#include "kvm_test_harness.h"
#include "apic.h"
#include "kvm_deviations.h"
#include "kvm_host.h"

#define SRC_DEFAULT_IDS								\
	"KVM's documented choice (Documentation/virt/kvm/api.rst, "		\
	"KVM_CREATE_VCPU, KVM_CAP_X2APIC_API): the APIC ID is the vCPU ID, "	\
	"xAPIC ID = its low 8 bits"
#define SRC_RESET_STATE								\
	"SDM vol. 3A 'Local APIC State After Power-Up or Reset': "		\
	"LDR 0, DFR all 1s, SVR 0xFF"
#define SRC_X2APIC_LDR								\
	"SDM vol. 3A 'Deriving Logical x2APIC ID from the Local x2APIC ID': "	\
	"LDR = (x2APIC ID[19:4] << 16) | (1 << x2APIC ID[3:0])"
#define SRC_CPUID								\
	"SDM vol. 2A CPUID leaf 01H EBX[31:24] 'Initial APIC ID', leaf 0BH "	\
	"EDX 'x2APIC ID'; KVM reports what userspace set with KVM_SET_CPUID2 "	\
	"and does not route interrupts by it"
#define SRC_SET_LAPIC								\
	"Documentation/virt/kvm/api.rst KVM_SET_LAPIC: in xAPIC mode the ID "	\
	"register is taken as given (kvm_apic_set_state)"
#define SRC_XAPIC_ID_WRITE							\
	"SDM vol. 3A 'Local APIC ID': whether software may change the xAPIC "	\
	"ID is model specific; KVM's choice: it may (kvm_lapic_reg_write)"
#define SRC_X2APIC_ID_RO							\
	"SDM vol. 3A 'x2APIC Register Address Space': the x2APIC ID register "	\
	"(MSR 802H) is read-only; WRMSR to a read-only register raises #GP"
#define SRC_X2APIC_SET_LAPIC							\
	"Documentation/virt/kvm/api.rst KVM_CAP_X2APIC_API and "		\
	"kvm_apic_state_fixup(): the x2APIC ID is read-only; with "		\
	"USE_32BIT_IDS a different ID is refused (-EINVAL), without it the "	\
	"value is ignored (6.11+, and 6.6.y/6.10.y backports; stored before)"
#define SRC_X2APIC_LDR_SET_LAPIC						\
	"Documentation/virt/kvm/api.rst KVM_SET_LAPIC and "			\
	"kvm_apic_state_fixup(): in x2APIC mode KVM derives the LDR from the "	\
	"x2APIC ID, whatever LDR userspace passes"
#define SRC_HOST_X2APIC_TO_XAPIC						\
	"SDM vol. 3A 'x2APIC State Transitions': x2APIC -> xAPIC is not a "	\
	"valid transition for software (#GP); userspace may force it with "	\
	"KVM_SET_MSRS, and KVM's choice is to reset the xAPIC ID to the vCPU "	\
	"ID (__kvm_apic_set_base, since v6.3: 052c3b99cbc8)"
#define SRC_X2APIC_ENTRY							\
	"SDM vol. 3A 'x2APIC State Transitions': entering x2APIC mode keeps "	\
	"the physical x2APIC ID set at reset and initializes the logical one"
#define SRC_INIT								\
	"SDM vol. 3A 'Local APIC State After an INIT Reset (Wait-for-SIPI "	\
	"State)': like power-up except the APIC ID is not affected"
#define SRC_REENABLE								\
	"SDM vol. 3A 'Enabling or Disabling the Local APIC': after a global "	\
	"disable the APIC may return to its power-up state; KVM's choice: it "	\
	"does, and the xAPIC ID is the vCPU ID again (__kvm_apic_set_base)"
#define SRC_BOOT_CPU								\
	"Documentation/virt/kvm/api.rst KVM_SET_BOOT_CPU_ID: selects the BSP "	\
	"(IA32_APIC_BASE.BSP, SDM vol. 3A 'Local APIC Status and Location'); "	\
	"APIC IDs are not involved"

static void print_source(const char *source)
{
	ksft_print_msg("source: %s\n", source);
}

static uint32_t x2apic_ldr_of(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* Defaults for sparse vCPU IDs */

enum { REPORT_XAPIC, REPORT_X2APIC };

static void guest_report_defaults(void)
{
	uint32_t vcpu_id = guest_vcpu_id(), eax, ebx, ecx, edx, max_leaf;

	/* xAPIC mode, as after RESET. */
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, vcpu_id & 0xff);
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_LDR), 0);
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_DFR), APIC_DFR_FLAT);
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_SPIV), APIC_SPURIOUS_VECTOR);
	GUEST_SYNC(REPORT_XAPIC, xapic_read_reg(APIC_ID) >> 24);

	/* CPUID's view: whatever the host put there (the vCPU ID here). */
	cpuid_count(0, 0, &max_leaf, &ebx, &ecx, &edx);
	cpuid_count(1, 0, &eax, &ebx, &ecx, &edx);
	GUEST_ASSERT_EQ(ebx >> 24, vcpu_id & 0xff);
	if (max_leaf >= 0xb) {
		cpuid_count(0xb, 0, &eax, &ebx, &ecx, &edx);
		GUEST_ASSERT_EQ(edx, vcpu_id);
	}

	x2apic_enable();
	GUEST_ASSERT_EQ(x2apic_read_reg(APIC_ID), vcpu_id);
	GUEST_ASSERT_EQ(x2apic_read_reg(APIC_LDR), x2apic_ldr_of(vcpu_id));
	GUEST_SYNC(REPORT_X2APIC, x2apic_read_reg(APIC_ID), x2apic_read_reg(APIC_LDR));
	GUEST_DONE();
}

static void check_defaults(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], REPORT_XAPIC);
	TEST_ASSERT_EQ(uc.args[1], vcpu->id & 0xff);
	/* KVM_GET_LAPIC agrees with what the guest read. */
	TEST_ASSERT_EQ(vcpu_lapic_get_id(vcpu), vcpu->id & 0xff);

	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], REPORT_X2APIC);
	TEST_ASSERT_EQ(uc.args[1], vcpu->id);
	TEST_ASSERT_EQ(uc.args[2], x2apic_ldr_of(vcpu->id));
	TEST_ASSERT_EQ(vcpu_apic_mode(vcpu), APIC_MODE_X2APIC);
	TEST_ASSERT_EQ(vcpu_lapic_get_reg(vcpu, APIC_LDR), x2apic_ldr_of(vcpu->id));
	vcpu_run_to_done(vcpu);
}

KVM_TEST(sparse_vcpu_ids_get_default_apic_ids)
{
	static const uint32_t wanted[] = { 0, 3, 200, 255, 256, 511, 4095 };
	uint32_t limit = kvm_max_vcpu_id(), ids[ARRAY_SIZE(wanted)];
	struct kvm_vcpu *vcpus[ARRAY_SIZE(wanted)];
	unsigned int n = 0;
	struct kvm_vm *vm;

	print_source(SRC_DEFAULT_IDS);
	print_source(SRC_RESET_STATE);
	print_source(SRC_X2APIC_LDR);
	print_source(SRC_CPUID);
	for (unsigned int i = 0; i < ARRAY_SIZE(wanted); i++) {
		if (wanted[i] < limit)
			ids[n++] = wanted[i];
		else
			ksft_print_msg("vCPU ID %u left out: host allows IDs below %u\n",
				       wanted[i], limit);
	}
	vm = vm_create_with_vcpu_ids(n, ids, guest_report_defaults, vcpus);
	for (unsigned int i = 0; i < n; i++)
		check_defaults(vcpus[i]);
	kvm_vm_free(vm);
}

/* CPUID's initial APIC ID is the host's to choose */

#define CPUID_ID_SKEW	0x5a

static void guest_cpuid_vs_apic_id(void)
{
	uint32_t vcpu_id = guest_vcpu_id(), eax, ebx, ecx, edx;

	cpuid_count(1, 0, &eax, &ebx, &ecx, &edx);
	GUEST_SYNC(ebx >> 24);
	cpuid_count(0xb, 0, &eax, &ebx, &ecx, &edx);
	GUEST_SYNC(edx);
	/* The APIC itself still has the vCPU ID. */
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, vcpu_id & 0xff);
	x2apic_enable();
	GUEST_ASSERT_EQ(x2apic_read_reg(APIC_ID), vcpu_id);
	GUEST_DONE();
}

KVM_TEST(cpuid_initial_apic_id_is_what_the_host_set)
{
	uint32_t vcpu_id = 300, cpuid_id = vcpu_id ^ CPUID_ID_SKEW;
	struct kvm_cpuid2 *cpuid;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	print_source(SRC_CPUID);
	vm = vm_create(1);
	vcpu = vm_vcpu_add(vm, vcpu_id, guest_cpuid_vs_apic_id);
	TEST_REQUIRE_MSG(cpuid_entry_find((struct kvm_cpuid2 *)kvm_get_supported_cpuid(),
					  0xb, 0), "host has no CPUID leaf 0xB");
	cpuid = vcpu_get_cpuid(vcpu);
	cpuid_set_initial_apic_id(cpuid, cpuid_id);
	vcpu_set_cpuid(vcpu, cpuid);
	free(cpuid);

	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] == (cpuid_id & 0xff),
		    "CPUID.1:EBX[31:24] = 0x%llx, the host set 0x%x",
		    (unsigned long long)uc.args[0], cpuid_id & 0xff);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] == cpuid_id, "CPUID.0BH:EDX = 0x%llx, the host set 0x%x",
		    (unsigned long long)uc.args[0], cpuid_id);
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

/* The xAPIC ID can be changed, by the host and by the guest */

#define NEW_XAPIC_ID	0x42

static void guest_read_xapic_id(void)
{
	GUEST_SYNC(xapic_read_reg(APIC_ID) >> 24);
	GUEST_DONE();
}

KVM_TEST(set_lapic_changes_xapic_id)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_read_xapic_id);
	struct ucall uc;

	print_source(SRC_SET_LAPIC);
	TEST_ASSERT_EQ(vcpu_apic_mode(vcpu), APIC_MODE_XAPIC);
	vcpu_lapic_set_id(vcpu, NEW_XAPIC_ID);
	TEST_ASSERT_EQ(vcpu_lapic_get_id(vcpu), NEW_XAPIC_ID);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], NEW_XAPIC_ID);
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

static void guest_write_xapic_id(uint32_t new_id)
{
	xapic_write_reg(APIC_ID, new_id << 24);
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, new_id);
	GUEST_SYNC(xapic_read_reg(APIC_ID) >> 24);
	GUEST_DONE();
}

KVM_TEST(guest_write_changes_xapic_id)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_write_xapic_id);
	struct ucall uc;

	print_source(SRC_XAPIC_ID_WRITE);
	vcpu_args_set(vcpu, 1, NEW_XAPIC_ID);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], NEW_XAPIC_ID);
	TEST_ASSERT_EQ(vcpu_lapic_get_id(vcpu), NEW_XAPIC_ID);
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

/* The x2APIC ID is read-only */

static void guest_write_x2apic_id(void)
{
	uint32_t vcpu_id = guest_vcpu_id();

	x2apic_enable();
	GUEST_ASSERT_EQ(x2apic_write_reg_safe(APIC_ID, vcpu_id + 1), GP_VECTOR);
	GUEST_ASSERT_EQ(x2apic_read_reg(APIC_ID), vcpu_id);
	GUEST_DONE();
}

KVM_TEST(guest_cannot_write_x2apic_id)
{
	struct kvm_vm *vm = vm_create(1);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, 257, guest_write_x2apic_id);

	print_source(SRC_X2APIC_ID_RO);
	vcpu_run_to_done(vcpu);
	TEST_ASSERT_EQ(vcpu_lapic_get_id(vcpu), 257 & 0xff);
	kvm_vm_free(vm);
}

static void guest_enter_x2apic_and_report(void)
{
	x2apic_enable();
	GUEST_SYNC(x2apic_read_reg(APIC_ID));
	GUEST_SYNC(x2apic_read_reg(APIC_ID), x2apic_read_reg(APIC_LDR));
	GUEST_DONE();
}

/*
 * KVM_SET_LAPIC with an x2APIC ID other than the vCPU ID, on a vCPU in
 * x2APIC mode, with or without KVM_X2APIC_API_USE_32BIT_IDS.
 */
static void set_lapic_other_x2apic_id(bool use_32bit_ids)
{
	uint32_t vcpu_id = 5, other = 9;
	struct kvm_lapic_state state;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	uint32_t stored, guest_id = vcpu_id;
	int ret;

	print_source(SRC_X2APIC_SET_LAPIC);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_X2APIC_API));
	vm = vm_create(1);
	if (use_32bit_ids)
		vm_enable_cap(vm, KVM_CAP_X2APIC_API, KVM_X2APIC_API_USE_32BIT_IDS);
	vcpu = vm_vcpu_add(vm, vcpu_id, guest_enter_x2apic_and_report);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], vcpu_id);

	ret = __vcpu_lapic_set_id(vcpu, other);
	vcpu_get_lapic(vcpu, &state);
	stored = lapic_state_get_reg(&state, APIC_ID);
	if (use_32bit_ids) {
		TEST_ASSERT(ret == -EINVAL,
			    "KVM_SET_LAPIC with x2APIC ID %u (vCPU ID %u) and USE_32BIT_IDS returned %d, expected -EINVAL",
			    other, vcpu_id, ret);
		TEST_ASSERT_EQ(stored, vcpu_id);
	} else {
		TEST_ASSERT(!ret, "KVM_SET_LAPIC without USE_32BIT_IDS failed: %d", ret);
		/* GET reports the ID in xAPIC format (bits 31:24) here. */
		if (stored >> 24 == vcpu_id)
			ksft_print_msg("the host's x2APIC ID %u was ignored: KVM 6.11+ behaviour\n",
				       other);
		else if (stored >> 24 == other)
			ksft_print_msg("the host's x2APIC ID %u was stored: KVM before 6.11 (without the 6.6.y/6.10.y backport); the guest then sees it\n",
				       other);
		else
			TEST_FAIL("KVM_GET_LAPIC ID 0x%x after setting x2APIC ID %u on vCPU %u: neither ignored nor stored",
				  stored, other, vcpu_id);
	}

	/*
	 * The guest sees the x2APIC ID KVM kept, and the LDR derived from it:
	 * the vCPU's since 6.11, the stored one before.
	 */
	if (!use_32bit_ids && stored >> 24 == other)
		guest_id = other;
	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], guest_id);
	TEST_ASSERT_EQ(uc.args[1], x2apic_ldr_of(guest_id));
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

KVM_TEST(set_lapic_other_x2apic_id_with_32bit_ids)
{
	set_lapic_other_x2apic_id(true);
}

KVM_TEST(set_lapic_other_x2apic_id_without_32bit_ids)
{
	set_lapic_other_x2apic_id(false);
}

#define BOGUS_X2APIC_LDR	0x00010001u	/* cluster 1, member 0: vCPU 16's */

/* KVM_SET_LAPIC cannot give an x2APIC-mode vCPU an LDR of its own */
KVM_TEST(set_lapic_recomputes_x2apic_ldr)
{
	uint32_t vcpu_id = 5;
	struct kvm_lapic_state state;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	print_source(SRC_X2APIC_LDR);
	print_source(SRC_X2APIC_LDR_SET_LAPIC);
	vm = vm_create(1);
	vcpu = vm_vcpu_add(vm, vcpu_id, guest_enter_x2apic_and_report);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(vcpu_apic_mode(vcpu), APIC_MODE_X2APIC);

	vcpu_get_lapic(vcpu, &state);
	lapic_state_set_reg(&state, APIC_LDR, BOGUS_X2APIC_LDR);
	vcpu_set_lapic(vcpu, &state);
	vcpu_get_lapic(vcpu, &state);
	TEST_ASSERT_EQ(lapic_state_get_reg(&state, APIC_LDR), x2apic_ldr_of(vcpu_id));

	TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], vcpu_id);
	TEST_ASSERT_EQ(uc.args[1], x2apic_ldr_of(vcpu_id));
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
}

/* The host forces x2APIC -> xAPIC: the xAPIC ID is the vCPU ID again */

static void guest_x2apic_then_read_xapic_id(void)
{
	x2apic_enable();
	GUEST_SYNC(x2apic_read_reg(APIC_ID));
	GUEST_SYNC(xapic_read_reg(APIC_ID) >> 24);
	GUEST_DONE();
}

KVM_TEST(host_forced_x2apic_to_xapic_resets_xapic_id)
{
	static const uint32_t ids[] = { 5, 300 };
	struct kvm_vcpu *vcpus[ARRAY_SIZE(ids)];
	unsigned int known = 0, failed = 0;
	struct kvm_vm *vm;
	struct ucall uc;

	print_source(SRC_HOST_X2APIC_TO_XAPIC);
	print_source(SRC_DEFAULT_IDS);
	vm = vm_create_with_vcpu_ids(ARRAY_SIZE(ids), ids, guest_x2apic_then_read_xapic_id,
				     vcpus);
	for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++) {
		struct kvm_vcpu *vcpu = vcpus[i];
		uint32_t at_host;
		uint64_t base;

		TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
		TEST_ASSERT_EQ(uc.args[0], ids[i]);
		base = vcpu_get_msr(vcpu, MSR_IA32_APICBASE);
		vcpu_set_msr(vcpu, MSR_IA32_APICBASE, base & ~MSR_IA32_APICBASE_EXTD);
		TEST_ASSERT_EQ(vcpu_apic_mode(vcpu), APIC_MODE_XAPIC);
		at_host = vcpu_lapic_get_id(vcpu);
		TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
		vcpu_run_to_done(vcpu);
		if (at_host == (ids[i] & 0xff) && uc.args[0] == (ids[i] & 0xff))
			continue;
		ksft_print_msg("vCPU %u forced to xAPIC: KVM_GET_LAPIC has xAPIC ID 0x%x, the guest reads 0x%llx, expected 0x%x\n",
			       ids[i], at_host, (unsigned long long)uc.args[0], ids[i] & 0xff);
		if (kvm_deviation_expected(KVM_DEV_X2APIC_TO_XAPIC_KEEPS_ID) &&
		    at_host == ids[i] >> 24 && uc.args[0] == ids[i] >> 24)
			known++;
		else
			failed++;
	}
	kvm_vm_free(vm);
	TEST_ASSERT(!failed, "%u vCPU(s) forced to xAPIC kept another xAPIC ID", failed);
	if (known)
		test_xfail("known deviation of %s %s: %s", kvm_backend(), host_kernel_release(),
			   kvm_deviation_what(KVM_DEV_X2APIC_TO_XAPIC_KEEPS_ID));
}

/* Entering x2APIC mode restores the ID */

static void guest_modify_then_enter_x2apic(void)
{
	uint32_t vcpu_id = guest_vcpu_id();

	xapic_write_reg(APIC_ID, (uint32_t)NEW_XAPIC_ID << 24);
	xapic_write_reg(APIC_LDR, 0x80u << 24);
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, NEW_XAPIC_ID);
	x2apic_enable();
	GUEST_ASSERT_EQ(x2apic_read_reg(APIC_ID), vcpu_id);
	GUEST_ASSERT_EQ(x2apic_read_reg(APIC_LDR), x2apic_ldr_of(vcpu_id));
	GUEST_DONE();
}

KVM_TEST(x2apic_entry_restores_vcpu_id_and_ldr)
{
	static const uint32_t ids[] = { 3, 300 };
	struct kvm_vcpu *vcpus[ARRAY_SIZE(ids)];
	struct kvm_vm *vm;

	print_source(SRC_X2APIC_ENTRY);
	print_source(SRC_X2APIC_LDR);
	vm = vm_create_with_vcpu_ids(ARRAY_SIZE(ids), ids, guest_modify_then_enter_x2apic,
				     vcpus);
	for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++) {
		vcpu_run_to_done(vcpus[i]);
		TEST_ASSERT_EQ(vcpu_apic_mode(vcpus[i]), APIC_MODE_X2APIC);
	}
	kvm_vm_free(vm);
}

/* INIT keeps a modified ID; a disable/enable cycle resets it */

static void guest_target_modifies_id(void)
{
	xapic_enable();
	xapic_write_reg(APIC_ID, (uint32_t)NEW_XAPIC_ID << 24);
	GUEST_SYNC(xapic_read_reg(APIC_ID) >> 24);
	/* Parked until the sender's INIT arrives; the host never resumes this. */
	for (;;)
		safe_halt();
}

static void guest_sender_sends_init(void)
{
	struct apic_ipi init = {
		.delivery_mode = APIC_DELIVERY_INIT,
		.dest = NEW_XAPIC_ID,
	};

	xapic_enable();
	apic_send_ipi(&init);
	GUEST_DONE();
}

static void guest_target_after_init(void)
{
	uint32_t vcpu_id = guest_vcpu_id();

	/* The INIT reset left the ID alone... */
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, NEW_XAPIC_ID);
	GUEST_SYNC(xapic_read_reg(APIC_ID) >> 24);

	/* ... a global disable and re-enable does not. */
	apic_disable();
	GUEST_ASSERT_EQ(apic_get_mode(), APIC_MODE_DISABLED);
	xapic_enable();
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, vcpu_id & 0xff);
	GUEST_SYNC(xapic_read_reg(APIC_ID) >> 24);
	GUEST_DONE();
}

KVM_TEST(init_keeps_modified_xapic_id_reenable_resets_it)
{
	static const uint32_t ids[] = { 0, 260 };	/* sender, target */
	struct kvm_vcpu *vcpus[ARRAY_SIZE(ids)], *sender, *target;
	struct kvm_vm *vm;
	struct ucall uc;
	uint32_t mp_state;

	print_source(SRC_INIT);
	print_source(SRC_REENABLE);
	vm = vm_create_with_vcpu_ids(ARRAY_SIZE(ids), ids, guest_target_modifies_id, vcpus);
	sender = vcpus[0];
	target = vcpus[1];
	vcpu_set_entry(sender, guest_sender_sends_init);

	TEST_ASSERT_EQ(vcpu_run_until_ucall(target, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], NEW_XAPIC_ID);
	vcpu_run_to_done(sender);

	/* KVM_GET_MP_STATE takes the pending INIT: the target now waits for SIPI. */
	mp_state = vcpu_get_mp_state(target);
	TEST_ASSERT(mp_state == KVM_MP_STATE_INIT_RECEIVED,
		    "target vCPU %u is %s after the INIT IPI, expected INIT received",
		    target->id, mp_state_name(mp_state));
	TEST_ASSERT_EQ(vcpu_lapic_get_id(target), NEW_XAPIC_ID);

	vcpu_restart(target, guest_target_after_init);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(target, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], NEW_XAPIC_ID);
	TEST_ASSERT_EQ(vcpu_run_until_ucall(target, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], target->id & 0xff);
	TEST_ASSERT_EQ(vcpu_lapic_get_id(target), target->id & 0xff);
	vcpu_run_to_done(target);
	kvm_vm_free(vm);
}

/* KVM_SET_BOOT_CPU_ID picks the BSP, nothing else */

static void guest_report_bsp(void)
{
	GUEST_SYNC(!!(rdmsr(MSR_IA32_APICBASE) & MSR_IA32_APICBASE_BSP),
		   xapic_read_reg(APIC_ID) >> 24);
	GUEST_DONE();
}

KVM_TEST(set_boot_cpu_id_picks_bsp_only)
{
	static const uint32_t ids[] = { 0, 1, 3, 7 };
	const uint32_t boot_id = 3;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	int ret;

	print_source(SRC_BOOT_CPU);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_BOOT_CPU_ID));
	vm = vm_create(ARRAY_SIZE(ids));
	vm_ioctl(vm, KVM_SET_BOOT_CPU_ID, (void *)(unsigned long)boot_id);
	for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++)
		vm_vcpu_add(vm, ids[i], guest_report_bsp);

	ret = __vm_ioctl(vm, KVM_SET_BOOT_CPU_ID, (void *)0ul);
	TEST_ASSERT(ret == -1 && errno == EBUSY,
		    "KVM_SET_BOOT_CPU_ID after vCPUs exist returned %d (errno %d), expected EBUSY",
		    ret, errno);

	for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++) {
		bool bsp = ids[i] == boot_id;

		vcpu = vm->vcpus[i];
		TEST_ASSERT(!!(vcpu_get_msr(vcpu, MSR_IA32_APICBASE) & MSR_IA32_APICBASE_BSP) == bsp,
			    "vCPU %u: IA32_APIC_BASE.BSP is %s, boot CPU is %u", vcpu->id,
			    bsp ? "clear" : "set", boot_id);
		TEST_ASSERT_EQ(vcpu_run_until_ucall(vcpu, &uc), UCALL_SYNC);
		TEST_ASSERT_EQ(uc.args[0], bsp);
		TEST_ASSERT_EQ(uc.args[1], vcpu->id);
		TEST_ASSERT_EQ(vcpu_lapic_get_id(vcpu), vcpu->id);
		vcpu_run_to_done(vcpu);
	}
	kvm_vm_free(vm);
}

KVM_TEST_HARNESS_MAIN
