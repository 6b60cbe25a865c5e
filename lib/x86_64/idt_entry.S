/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest interrupt and exception entry.
 *
 * One stub per vector, 16 bytes apart (IDT_STUB_SIZE in arch_setup.h).  A
 * stub makes the frame uniform (a zero where the CPU pushes no error code),
 * pushes its vector and joins the common path, which saves the general
 * registers as a struct ex_regs, calls route_exception() and returns with
 * IRETQ.
 */

	.text
	.balign 16
	.globl idt_entry_stubs
idt_entry_stubs:
	.set vector, 0
	.rept 256
	.balign 16
	/* Vectors for which the CPU pushes an error code itself. */
	.if (vector == 8) || (vector >= 10 && vector <= 14) || (vector == 17) || \
	    (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq $0
	.endif
	pushq $vector
	jmp idt_entry_common
	.set vector, vector + 1
	.endr

idt_entry_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rbx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	/* RSP is 16-byte aligned here: 5 CPU words + 2 + 15 pushed. */
	movq %rsp, %rdi
	call route_exception
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
	/* Drop vector and error code. */
	addq $16, %rsp
	iretq

/*
 * The return address under a vCPU's entry function: realign the stack as a
 * call would and report the return.
 */
	.globl guest_entry_return
guest_entry_return:
	andq $-16, %rsp
	call guest_entry_returned
	ud2

	.section .note.GNU-stack, "", @progbits
