// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small host-side helpers: time, number parsing, sysfs/procfs reads.
 */
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && !*end;
}

int read_text_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

bool read_module_param(const char *module, const char *param, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	return read_text_file(path, buf, len) == 0;
}

int run_child_capture(void (*child)(void *arg), void *arg, char *buf, size_t len,
		      unsigned int timeout_ms)
{
	uint64_t deadline;
	size_t used = 0;
	int pipefd[2], status;
	pid_t pid;

	TEST_ASSERT(len > 0 && !pipe(pipefd), "pipe");
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		child(arg);
		_exit(127);
	}
	close(pipefd[1]);

	deadline = now_ns() + timeout_ms * 1000000ull;
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		int64_t left = (int64_t)(deadline - now_ns()) / 1000000;
		ssize_t n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		n = read(pipefd[0], buf + used, len - 1 - used);
		if (n <= 0)
			break;
		used += n;
	}
	buf[used] = '\0';
	close(pipefd[0]);
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

bool text_matches(const char *text, const char *pattern, int cflags)
{
	regex_t re;
	bool match;

	TEST_ASSERT(!regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE | REG_NOSUB | cflags),
		    "bad pattern: %s", pattern);
	match = !regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	return match;
}
