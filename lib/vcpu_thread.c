// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU threads.  A failure in any thread ends the whole test process, as
 * TEST_ASSERT() exits; there is no partial result to collect.
 */
#include "vcpu_thread.h"

/* Small stacks: a VM can have a thousand vCPU threads. */
#define VCPU_THREAD_STACK	(256ul << 10)

static void *vcpu_thread_main(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	if (vcpu->thread_fn)
		vcpu->thread_fn(vcpu);
	else
		vcpu_run_to_done(vcpu);
	return NULL;
}

void vcpu_thread_start(struct kvm_vcpu *vcpu, vcpu_thread_fn fn)
{
	pthread_attr_t attr;
	int ret;

	TEST_ASSERT(!vcpu->thread_started, "vCPU %u already has a thread", vcpu->id);
	vcpu->thread_fn = fn;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_THREAD_STACK);
	ret = pthread_create(&vcpu->thread, &attr, vcpu_thread_main, vcpu);
	pthread_attr_destroy(&attr);
	errno = ret;
	TEST_ASSERT(!ret, "pthread_create for vCPU %u failed", vcpu->id);
	vcpu->thread_started = true;
}

void vcpu_thread_join(struct kvm_vcpu *vcpu)
{
	int ret;

	TEST_ASSERT(vcpu->thread_started, "vCPU %u has no thread", vcpu->id);
	ret = pthread_join(vcpu->thread, NULL);
	errno = ret;
	TEST_ASSERT(!ret, "pthread_join for vCPU %u failed", vcpu->id);
	vcpu->thread_started = false;
}

void vm_vcpu_threads_start(struct kvm_vm *vm, vcpu_thread_fn fn)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_thread_start(vm->vcpus[i], fn);
}

void vm_vcpu_threads_join(struct kvm_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_thread_join(vm->vcpus[i]);
}
