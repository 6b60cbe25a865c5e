/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the generic ucall code needs from the architecture.
 */
#ifndef SELFTEST_KVM_UCALL_ARCH_H
#define SELFTEST_KVM_UCALL_ARCH_H

#include "kvm_util.h"

/* Whether the vCPU's last exit is a ucall. */
bool ucall_arch_exit_is_ucall(struct kvm_vcpu *vcpu);
/* Describe an UCALL_UNHANDLED ucall (vector, error code, RIP). */
void ucall_arch_describe_unhandled(const struct ucall *uc, char *buf, size_t len);

#endif /* SELFTEST_KVM_UCALL_ARCH_H */
