/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kselftest_harness for KVM tests: skips and expected failures from the
 * library carry their reason into the case's KTAP line; plain cases with a
 * timeout of their own; a main() that skips the whole binary without
 * /dev/kvm.  Every case runs in its own child process and reports its own
 * KTAP line; a TEST_REQUIRE() that fails makes it "# SKIP <reason>".
 */
#ifndef SELFTEST_KVM_TEST_HARNESS_H
#define SELFTEST_KVM_TEST_HARNESS_H

#include "kselftest_harness.h"
#include "kvm_util.h"

/*
 * Route test_skip()/test_xfail() reasons into this case's KTAP line.  The
 * harness fills results->reason only from SKIP() in the test's own body;
 * the library's skips and expected failures come from deep inside it, so
 * FIXTURE_SETUP() and KVM_TEST() hand it the buffer.
 */
#define kvm_harness_bind(metadata)						\
	test_bind_result_reason((metadata)->results->reason,			\
				sizeof((metadata)->results->reason))

/*
 * A plain test case (no fixture) whose skips carry their reason, with the
 * harness's default timeout or @seconds.  The harness has TEST_F_TIMEOUT()
 * for fixtures but no timeout form of TEST(): KVM_TEST_TIMEOUT() sets the
 * timeout of the object TEST() declares, before the harness runs it.
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
		struct __test_metadata __maybe_unused *_metadata)

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
