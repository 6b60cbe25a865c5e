// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 ucall transport: a one-byte port write to UCALL_PIO_PORT.
 */
#include "kvm_util.h"
#include "ucall_arch.h"

void ucall_arch_do_ucall(void)
{
	__asm__ __volatile__("outb %%al, %%dx"
			     :: "a"(0), "d"(UCALL_PIO_PORT) : "memory");
}

bool ucall_arch_exit_is_ucall(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	return run->exit_reason == KVM_EXIT_IO &&
	       run->io.port == UCALL_PIO_PORT &&
	       run->io.direction == KVM_EXIT_IO_OUT;
}
