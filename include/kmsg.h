/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel log during a test: what KVM (or anything else) reported while
 * the test ran, through /dev/kmsg.
 */
#ifndef SELFTEST_KVM_KMSG_H
#define SELFTEST_KVM_KMSG_H

/*
 * Start watching: /dev/kmsg positioned at its end, or -1 when it cannot be
 * read (said in a diagnostic line; nothing is checked then).
 */
int kmsg_watch_start(void);

/*
 * The records logged since kmsg_watch_start(), each printed that carries
 * "WARNING:", "BUG:", "kernel BUG" or "Call Trace"; returns how many did.
 * Closes @fd.
 */
unsigned int kmsg_watch_end(int fd);

#endif /* SELFTEST_KVM_KMSG_H */
