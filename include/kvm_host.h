/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which KVM this is: the backend module and the kernel version.  Tests key
 * expectations that differ by kernel, and known deviations of a backend
 * (XFAIL), on these.
 */
#ifndef SELFTEST_KVM_HOST_H
#define SELFTEST_KVM_HOST_H

#include <stdbool.h>

/*
 * The KVM backend module in use: "kvm_intel", "kvm_amd", or another
 * /sys/module/kvm_* (e.g. "kvm_pvm"); "unknown" if none is visible.
 */
const char *kvm_backend(void);

/*
 * The host CPU's model name (/proc/cpuinfo), e.g. "QEMU TCG CPU version
 * 2.5+" when the host is itself a QEMU TCG guest; "unknown" if unread.
 */
const char *host_cpu_model(void);
/* The host firmware's vendor (DMI bios_vendor); "unknown" if unread. */
const char *host_bios_vendor(void);
/* The running kernel's release string (uname -r). */
const char *host_kernel_release(void);
/* Its major.minor; false if the release does not parse. */
bool host_kernel_version(unsigned int *major, unsigned int *minor);
/* Whether the running kernel is at least major.minor. */
bool host_kernel_at_least(unsigned int major, unsigned int minor);

#endif /* SELFTEST_KVM_HOST_H */
