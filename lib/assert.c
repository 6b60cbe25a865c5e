// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-side failure, skip and expected-failure reports.
 *
 * Every line goes to stdout with the KTAP diagnostic prefix "# ", so a test
 * run directly and a test run by the kselftest runner print the same thing.
 */
#include <fcntl.h>
#include <unistd.h>

#include "test_util.h"

static char *result_reason;
static size_t result_reason_len;

/*
 * KVM_SELFTEST_FAIL_FAST=FILE, for the planted-bug runs: the first failure
 * creates FILE, and every case that starts after it skips, so a run that
 * has found its bug does not wait out the bounds of every case after it.
 */
static const char *fail_fast_file(void)
{
	const char *path = getenv("KVM_SELFTEST_FAIL_FAST");

	return path && *path ? path : NULL;
}

static void fail_fast_mark(void)
{
	const char *path = fail_fast_file();
	int fd;

	if (!path)
		return;
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

void test_bind_result_reason(char *buf, size_t len)
{
	const char *path = fail_fast_file();

	result_reason = buf;
	result_reason_len = len;
	if (path && !access(path, F_OK))
		test_skip("an earlier case failed (KVM_SELFTEST_FAIL_FAST=%s)", path);
}

/* Print "# " before every line of a possibly multi-line message. */
static void print_diagnostic(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		printf("# %.*s\n", n, p);
		p += n + (nl ? 1 : 0);
	}
}

void test_assert_fail(const char *file, unsigned int line, const char *expr,
		      const char *fmt, ...)
{
	int saved_errno = errno;
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	fflush(stdout);
	printf("# ==== Test assertion failure ====\n");
	if (expr)
		printf("# %s:%u: %s\n", file, line, expr);
	else
		printf("# %s:%u:\n", file, line);
	print_diagnostic(msg);
	if (saved_errno)
		printf("# errno = %d (%s)\n", saved_errno, strerror(saved_errno));
	fflush(stdout);
	fail_fast_mark();
	exit(KSFT_FAIL);
}

static void __noreturn finish_with_reason(int code, const char *tag,
					  const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (result_reason)
		snprintf(result_reason, result_reason_len, "%s", msg);
	printf("# %s: %s\n", tag, msg);
	fflush(stdout);
	exit(code);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish_with_reason(KSFT_SKIP, "SKIP", fmt, ap);
}

void test_xfail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish_with_reason(KSFT_XFAIL, "XFAIL", fmt, ap);
}
