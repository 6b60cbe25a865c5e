/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kselftest_harness fixtures for "a VM with N vCPUs at these vCPU IDs".
 *
 *	static void guest_code(void) { ... GUEST_DONE(); }
 *
 *	KVM_VM_FIXTURE(sparse, guest_code);
 *	KVM_VM_FIXTURE_VARIANT(sparse, low_and_high, 0, 3, 200, 4095);
 *
 *	TEST_F(sparse, runs)
 *	{
 *		for (unsigned int i = 0; i < self->nr_vcpus; i++)
 *			vcpu_run_to_done(self->vcpus[i]);
 *	}
 *
 * Every TEST_F runs in its own child process with a fresh VM and reports
 * its own KTAP line ("fixture.variant.test").  A TEST_REQUIRE() that fails,
 * in the setup or the test, makes that line "# SKIP <reason>".
 */
#ifndef SELFTEST_KVM_TEST_HARNESS_H
#define SELFTEST_KVM_TEST_HARNESS_H

#include "kselftest_harness.h"
#include "kvm_util.h"

#define KVM_FIXTURE_MAX_VCPUS	64

/* Route test_skip()/test_xfail() reasons into this case's KTAP line. */
#define kvm_harness_bind(metadata)						\
	test_bind_result_reason((metadata)->results->reason,			\
				sizeof((metadata)->results->reason))

#define KVM_VM_FIXTURE(fixture, guest_code)					\
	FIXTURE(fixture) {							\
		struct kvm_vm *vm;						\
		unsigned int nr_vcpus;						\
		struct kvm_vcpu *vcpus[KVM_FIXTURE_MAX_VCPUS];			\
	};									\
	FIXTURE_VARIANT(fixture) {						\
		unsigned int nr_vcpus;						\
		uint32_t vcpu_ids[KVM_FIXTURE_MAX_VCPUS];			\
	};									\
	FIXTURE_SETUP(fixture)							\
	{									\
		kvm_harness_bind(_metadata);					\
		self->nr_vcpus = variant->nr_vcpus;				\
		self->vm = vm_create_with_vcpu_ids(variant->nr_vcpus,		\
						   variant->vcpu_ids,		\
						   guest_code, self->vcpus);	\
	}									\
	FIXTURE_TEARDOWN(fixture)						\
	{									\
		kvm_vm_free(self->vm);						\
	}

/* A set of vCPU IDs for the fixture; the vCPUs are created in this order. */
#define KVM_VM_FIXTURE_VARIANT(fixture, name, ...)				\
	FIXTURE_VARIANT_ADD(fixture, name) {					\
		.nr_vcpus = sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t), \
		.vcpu_ids = { __VA_ARGS__ },					\
	}

/*
 * A plain test case (no fixture) whose skips carry their reason, with the
 * harness's default timeout or @seconds.
 */
#define KVM_TEST(name) KVM_TEST_TIMEOUT(name, TEST_TIMEOUT_DEFAULT)

#define KVM_TEST_TIMEOUT(name, seconds)						\
	static void kvm_test_body_##name(struct __test_metadata *_metadata);	\
	TEST(name)								\
	{									\
		kvm_harness_bind(_metadata);					\
		kvm_test_body_##name(_metadata);				\
	}									\
	static void __attribute__((constructor(KSELFTEST_PRIO_TEST + 10)))	\
	kvm_test_timeout_##name(void)						\
	{									\
		_##name##_object.timeout = (seconds);				\
	}									\
	static void kvm_test_body_##name(					\
		struct __test_metadata __attribute__((unused)) *_metadata)

/*
 * TEST_HARNESS_MAIN for tests that need /dev/kvm: without it the whole
 * binary SKIPs (exit 4) with the reason, instead of every case one by one;
 * listing the cases (-l) and the usage (-h) work anywhere.
 */
#define KVM_TEST_HARNESS_MAIN							\
	int main(int argc, char **argv)						\
	{									\
		if (!kvm_harness_only_lists(argc, argv))			\
			kvm_require_dev_kvm();					\
		return test_harness_run(argc, argv);				\
	}

/* Whether the command line only asks for the list of cases or the usage. */
static inline bool kvm_harness_only_lists(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

#endif /* SELFTEST_KVM_TEST_HARNESS_H */
