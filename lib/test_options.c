// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test binary's own options beside the harness's (see test_util.h).
 */
#include <getopt.h>

#include "test_util.h"

/* kselftest_harness's options, those with an argument followed by ':'. */
#define HARNESS_OPTIONS "hlt:T:v:V:f:F:r:"

int test_split_options(int argc, char **argv, const char *own,
		       bool (*handle)(int opt, const char *arg), char **harness_argv, int max)
{
	char optstring[64];
	int opt, n = 0;

	snprintf(optstring, sizeof(optstring), "%s%s", own, HARNESS_OPTIONS);
	harness_argv[n++] = argv[0];
	opterr = 1;
	while ((opt = getopt(argc, argv, optstring)) != -1) {
		if (opt == '?')
			return -1;
		if (strchr(own, opt)) {
			if (!handle(opt, optarg))
				return -1;
			continue;
		}
		if (n + 3 > max)
			return -1;
		harness_argv[n] = malloc(3);
		TEST_ASSERT(harness_argv[n], "out of memory");
		snprintf(harness_argv[n++], 3, "-%c", opt);
		if (optarg)
			harness_argv[n++] = optarg;
	}
	if (optind != argc)
		return -1;
	harness_argv[n] = NULL;
	/* The harness parses its options with getopt() again. */
	optind = 1;
	return n;
}
