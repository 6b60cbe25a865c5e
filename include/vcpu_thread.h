/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A host thread per vCPU, for tests whose vCPUs must run at the same time.
 */
#ifndef SELFTEST_KVM_VCPU_THREAD_H
#define SELFTEST_KVM_VCPU_THREAD_H

#include "kvm_util.h"

/* What a vCPU thread runs; NULL means vcpu_run_to_done(). */
typedef void (*vcpu_thread_fn)(struct kvm_vcpu *vcpu);

void vcpu_thread_start(struct kvm_vcpu *vcpu, vcpu_thread_fn fn);
void vcpu_thread_join(struct kvm_vcpu *vcpu);

/* Start / join a thread for every vCPU of the VM. */
void vm_vcpu_threads_start(struct kvm_vm *vm, vcpu_thread_fn fn);
void vm_vcpu_threads_join(struct kvm_vm *vm);

#endif /* SELFTEST_KVM_VCPU_THREAD_H */
