// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel log during a test (see kmsg.h).
 */
#include <fcntl.h>
#include <unistd.h>

#include "kmsg.h"
#include "test_util.h"

static const char *const kmsg_patterns[] = {
	"WARNING:", "BUG:", "kernel BUG", "Call Trace",
};

int kmsg_watch_start(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		ksft_print_msg("dmesg not readable (/dev/kmsg: %s): new kernel warnings are not checked\n",
			       strerror(errno));
		return -1;
	}
	if (lseek(fd, 0, SEEK_END) < 0) {
		ksft_print_msg("dmesg: cannot seek /dev/kmsg to its end (%s): new kernel warnings are not checked\n",
			       strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

unsigned int kmsg_watch_end(int fd)
{
	unsigned int records = 0, bad = 0;
	char rec[8192];		/* more than a record can hold: a read takes one */

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *text, *eol;

		if (n < 0 && errno == EPIPE) {
			ksft_print_msg("dmesg: records overwritten while the test ran\n");
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = '\0';
		records++;
		/* "prio,seq,time,flags;text\n" then " KEY=value" lines. */
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		eol = strchr(text, '\n');
		if (eol)
			*eol = '\0';
		for (unsigned int i = 0; i < ARRAY_SIZE(kmsg_patterns); i++) {
			if (strstr(text, kmsg_patterns[i])) {
				ksft_print_msg("dmesg: %s\n", text);
				bad++;
				break;
			}
		}
	}
	close(fd);
	ksft_print_msg("dmesg: %u new record(s) during the case, %u with WARNING:/BUG:/kernel BUG/Call Trace\n",
		       records, bad);
	return bad;
}
