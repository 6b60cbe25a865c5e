/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host-side test plumbing: assertions that end the test with a report,
 * skips that say why, and the kselftest exit codes (0 pass, 1 fail, 4 skip).
 */
#ifndef SELFTEST_KVM_TEST_UTIL_H
#define SELFTEST_KVM_TEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "compiler.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))


/*
 * Report a failed host-side check and exit with KSFT_FAIL.  @expr is the
 * stringified condition (NULL for an unconditional failure); errno at the
 * time of the failure is printed with its text when it is non-zero.
 */
void __noreturn __printf(4, 5)
test_assert_fail(const char *file, unsigned int line, const char *expr,
		 const char *fmt, ...);

/* Print the reason and exit with KSFT_SKIP (4). */
void __noreturn __printf(1, 2) test_skip(const char *fmt, ...);

/*
 * Print the reason and exit with KSFT_XFAIL: a known deviation of the
 * host from the expectation, keyed to the exact condition by the caller.
 */
void __noreturn __printf(1, 2) test_xfail(const char *fmt, ...);

/*
 * Where a kselftest_harness test case is running, its result text
 * (the "# SKIP reason" of the KTAP line) lives in shared memory that the
 * harness hands each case; kvm_test_harness.h binds it here so that
 * test_skip() and test_xfail() fill it in.  Each case starts here: with
 * KVM_SELFTEST_FAIL_FAST=FILE, it skips once an earlier case failed.
 */
void test_bind_result_reason(char *buf, size_t len);

#define TEST_ASSERT(cond, fmt, ...)						\
do {										\
	if (!(cond))								\
		test_assert_fail(__FILE__, __LINE__, #cond, fmt, ##__VA_ARGS__);\
} while (0)

#define TEST_FAIL(fmt, ...) \
	test_assert_fail(__FILE__, __LINE__, NULL, fmt, ##__VA_ARGS__)

/* Compare two integers; on failure both values are printed. */
#define __TEST_ASSERT_CMP(a, op, b)						\
do {										\
	__typeof__(a) __lhs = (a);						\
	__typeof__(b) __rhs = (b);						\
										\
	if (!(__lhs op __rhs))							\
		test_assert_fail(__FILE__, __LINE__, #a " " #op " " #b,	\
				 "0x%llx vs 0x%llx (%lld vs %lld)",		\
				 (unsigned long long)__lhs,			\
				 (unsigned long long)__rhs,			\
				 (long long)__lhs, (long long)__rhs);		\
} while (0)

#define TEST_ASSERT_EQ(a, b)	__TEST_ASSERT_CMP(a, ==, b)
#define TEST_ASSERT_NE(a, b)	__TEST_ASSERT_CMP(a, !=, b)

/* Skip the test, with the unmet condition as the reason. */
#define TEST_REQUIRE(cond)							\
do {										\
	if (!(cond))								\
		test_skip("requires %s", #cond);				\
} while (0)

/* Skip the test with a reason of the caller's wording. */
#define TEST_REQUIRE_MSG(cond, fmt, ...)					\
do {										\
	if (!(cond))								\
		test_skip(fmt, ##__VA_ARGS__);					\
} while (0)

/* Like TEST_ASSERT(ret == 0) for a syscall wrapper returning -1/errno. */
#define TEST_ASSERT_SYSCALL(ret, name)						\
	TEST_ASSERT((ret) == 0, "%s failed, rc: %lld", name, (long long)(ret))

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t now_ns(void);

/*
 * Fork; the child runs @child(@arg), which must exec or exit (returning
 * exits 127), with stdout and stderr on a pipe.  The parent keeps up to
 * @len - 1 bytes of that output in @buf, NUL-terminated, kills the child
 * if it outlives @timeout_ms, and returns its exit code, or -signal.
 */
int run_child_capture(void (*child)(void *arg), void *arg, char *buf, size_t len,
		      unsigned int timeout_ms);
/* Whether a line of @text matches extended regex @pattern (+ REG_* @cflags). */
bool text_matches(const char *text, const char *pattern, int cflags);

/* Parse an unsigned number (decimal or 0x-hex); false on junk or overflow. */
bool parse_u64(const char *s, uint64_t *out);

/*
 * Split a test binary's command line: each of its own options, getopt()
 * letters in @own (e.g. "s:n:x"), goes to @handle, which returns false for
 * a bad value; kselftest_harness's options (-h -l -t -T -v -V -f -F -r)
 * are collected, with their arguments, in @harness_argv (up to @max
 * entries, argv[0] first, NULL last) for test_harness_run().  Returns the
 * harness's argc, or -1 for an unknown option, a bad value or a stray
 * argument (the caller prints its usage).
 */
int test_split_options(int argc, char **argv, const char *own,
		       bool (*handle)(int opt, const char *arg), char **harness_argv, int max);

/* Read a small text file (sysfs, procfs) into @buf; -errno on failure. */
int read_text_file(const char *path, char *buf, size_t len);

/* A module parameter as text ("Y", "1", ...); false if it does not exist. */
bool read_module_param(const char *module, const char *param, char *buf, size_t len);

#endif /* SELFTEST_KVM_TEST_UTIL_H */
