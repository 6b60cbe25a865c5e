/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IPI engine's interrupt handlers: count the interrupt in this vCPU's
 * mailbox (found through %gs), signal EOI the way the APIC's current mode
 * wants, return.  Kept to a few instructions: on some hosts every guest
 * instruction is emulated.
 */
#include "ipi_stub_layout.h"

	.text
	.balign 16
	.globl ipi_vector_stubs
ipi_vector_stubs:
	.set vector, 0
	.rept 256
	.balign IPI_STUB_SIZE
	pushq %rax
	movl $(vector * 4), %eax
	jmp ipi_count_and_eoi
	.set vector, vector + 1
	.endr

ipi_count_and_eoi:
	addq %gs:IPI_STUB_PERCPU_MAILBOX, %rax
	incl (%rax)
	movq %gs:IPI_STUB_PERCPU_MAILBOX, %rax
	cmpl $0, IPI_STUB_MAILBOX_X2APIC(%rax)
	jne 1f
	movl $IPI_STUB_XAPIC_EOI, %eax
	movl $0, (%rax)
	popq %rax
	iretq
1:	pushq %rcx
	pushq %rdx
	movl $IPI_STUB_X2APIC_EOI_MSR, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	popq %rdx
	popq %rcx
	popq %rax
	iretq

/* NMI: count it; there is no EOI. */
	.globl ipi_nmi_stub
ipi_nmi_stub:
	pushq %rax
	movq %gs:IPI_STUB_PERCPU_MAILBOX, %rax
	incl IPI_STUB_MAILBOX_NMI(%rax)
	popq %rax
	iretq

	.section .note.GNU-stack, "", @progbits
