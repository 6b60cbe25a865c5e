/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64 processor state for the tests: control-register and MSR bits,
 * guest instructions (CPUID, MSRs, interrupts on/off, HLT), faults that a
 * guest expects (the *_safe() helpers), guest exception handlers, and the
 * host's accessors for a vCPU's registers, MSRs and CPUID.
 */
#ifndef SELFTEST_KVM_PROCESSOR_H
#define SELFTEST_KVM_PROCESSOR_H

#include <stdint.h>

#include "kvm_util.h"

/* Control registers and EFER. */
#define X86_CR0_PE	BIT(0)
#define X86_CR0_MP	BIT(1)
#define X86_CR0_ET	BIT(4)
#define X86_CR0_NE	BIT(5)
#define X86_CR0_WP	BIT(16)
#define X86_CR0_PG	BIT(31)
#define X86_CR4_PAE	BIT(5)
#define X86_CR4_PGE	BIT(7)
#define X86_CR4_OSFXSR	BIT(9)
#define X86_CR4_OSXMMEXCPT BIT(10)
#define EFER_LME	BIT(8)
#define EFER_LMA	BIT(10)
#define EFER_NX		BIT(11)

#define X86_EFLAGS_FIXED BIT(1)
#define X86_EFLAGS_IF	BIT(9)

/* MSRs. */
#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_IA32_APICBASE_BSP	BIT(8)
#define MSR_IA32_APICBASE_EXTD	BIT(10)
#define MSR_IA32_APICBASE_ENABLE BIT(11)
#define MSR_IA32_APICBASE_BASE	0xfffff000ul
#define MSR_IA32_TSC_DEADLINE	0x000006e0
#define MSR_EFER		0xc0000080
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101

/* CPUID bits the tests look at. */
#define CPUID_1_ECX_X2APIC	BIT(21)
#define CPUID_1_EDX_APIC	BIT(9)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)
#define CPUID_1_ECX_HYPERVISOR	BIT(31)

/* Segment selectors of the guest GDT. */
#define GUEST_CS_SEL	0x08
#define GUEST_DS_SEL	0x10
#define GUEST_TSS_SEL	0x18

/*
 * Exception vectors: <asm/kvm.h> defines DE_VECTOR ... VE_VECTOR; these
 * are the ones it lacks.
 */
#ifndef NMI_VECTOR
#define NMI_VECTOR	2
#endif
#ifndef CP_VECTOR
#define CP_VECTOR	21
#endif

/* "#GP", "NMI", "vector 0x40" ... */
const char *exception_name(unsigned int vector, char *buf, size_t len);

/*
 * Guest register frame of an exception or interrupt, as the entry stubs
 * (lib/x86_64/idt_entry.S) lay it out: the general registers they push,
 * then vector and error code, then the CPU's interrupt frame.  A handler may
 * change any field; the stub restores them.
 */
struct ex_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

typedef void (*exception_handler_t)(struct ex_regs *regs);

/*
 * Install a C handler for @vector in the VM (all vCPUs); NULL removes it.
 * A vector without a handler ends the test as an unexpected exception.
 */
void vm_install_exception_handler(struct kvm_vm *vm, unsigned int vector,
				  exception_handler_t handler);

/*
 * Point the IDT gate of @vector straight at @entry, a guest address of
 * assembly that ends in IRETQ, bypassing the C dispatch.  For the hottest
 * interrupt paths; @entry must preserve every register it uses.
 */
void vm_set_idt_gate(struct kvm_vm *vm, unsigned int vector, vm_vaddr_t entry);

/* Guest instructions */

static inline void cpuid_count(uint32_t leaf, uint32_t subleaf, uint32_t *eax,
			       uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
			     : "a"(leaf), "c"(subleaf)
			     : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ __volatile__("wrmsr"
			     :: "c"(msr), "a"((uint32_t)value),
				"d"((uint32_t)(value >> 32))
			     : "memory");
}

/*
 * Fault fixups.  GUEST_EXTABLE_ENTRY records that the instruction at label
 * "insn" may fault; the exception dispatcher then resumes at "fixup" with
 * the vector in %r9 instead of treating the fault as unexpected.
 */
#define GUEST_EXTABLE_ENTRY(insn, fixup)					\
	".pushsection guest_extable, \"a\"\n\t"					\
	".balign 8\n\t"								\
	".quad " #insn ", " #fixup "\n\t"					\
	".popsection\n\t"

struct guest_extable_entry {
	uint64_t insn;
	uint64_t fixup;
};

/* WRMSR; returns 0, or the vector of the fault it raised. */
static inline uint8_t wrmsr_safe(uint32_t msr, uint64_t value)
{
	register uint64_t vector __asm__("r9") = 0;

	__asm__ __volatile__("1: wrmsr\n\t2:\n\t"
			     GUEST_EXTABLE_ENTRY(1b, 2b)
			     : "+r"(vector)
			     : "c"(msr), "a"((uint32_t)value),
			       "d"((uint32_t)(value >> 32))
			     : "memory");
	return vector;
}

/* RDMSR; returns 0 and the value in *value, or the vector of the fault. */
static inline uint8_t rdmsr_safe(uint32_t msr, uint64_t *value)
{
	register uint64_t vector __asm__("r9") = 0;
	uint32_t lo = 0, hi = 0;

	__asm__ __volatile__("1: rdmsr\n\t2:\n\t"
			     GUEST_EXTABLE_ENTRY(1b, 2b)
			     : "+r"(vector), "+a"(lo), "+d"(hi)
			     : "c"(msr)
			     : "memory");
	*value = lo | ((uint64_t)hi << 32);
	return vector;
}

/*
 * A KVM hypercall (KVM_HC_*, Documentation/virt/kvm/x86/hypercalls.rst):
 * number in RAX, arguments in RBX, RCX, RDX, RSI, result in RAX; VMMCALL
 * on AMD, VMCALL on Intel (KVM would otherwise patch the instruction in
 * guest memory).
 */
static inline uint64_t kvm_hypercall4(bool vmmcall, uint64_t nr, uint64_t a0, uint64_t a1,
				      uint64_t a2, uint64_t a3)
{
	uint64_t ret;

	if (vmmcall)
		__asm__ __volatile__("vmmcall"
				     : "=a"(ret)
				     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
				     : "memory");
	else
		__asm__ __volatile__("vmcall"
				     : "=a"(ret)
				     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
				     : "memory");
	return ret;
}

static inline void cli(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void sti(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

/* STI;HLT: the interrupt window opens only at the HLT, so no wakeup is lost. */
static inline void safe_halt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

static inline void hlt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((uint64_t)hi << 32);
}

static inline uint64_t read_rflags(void)
{
	uint64_t flags;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags));
	return flags;
}

/* Host side */

void vcpu_regs_get(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_regs_set(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_sregs_get(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);
void vcpu_sregs_set(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);
uint64_t vcpu_get_msr(struct kvm_vcpu *vcpu, uint32_t msr);
void vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t msr, uint64_t value);
/* KVM_SET_MSRS of one MSR: 1 if set, 0 if KVM refused it. */
int __vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t msr, uint64_t value);

/* KVM_GET_SUPPORTED_CPUID, read once per process. */
const struct kvm_cpuid2 *kvm_get_supported_cpuid(void);
/* Host: the CPU vendor KVM reports is AMD's or Hygon's (hypercalls use VMMCALL). */
bool kvm_cpu_vendor_is_amd(void);
/* The entry for @function/@index in @cpuid, or NULL. */
struct kvm_cpuid_entry2 *cpuid_entry_find(struct kvm_cpuid2 *cpuid,
					  uint32_t function, uint32_t index);
/* KVM offers the TSC-deadline timer; vCPUs' CPUID then has it too. */
bool kvm_has_tsc_deadline_timer(void);
/* A copy of the vCPU's CPUID table (free() it). */
struct kvm_cpuid2 *vcpu_get_cpuid(struct kvm_vcpu *vcpu);
void vcpu_set_cpuid(struct kvm_vcpu *vcpu, struct kvm_cpuid2 *cpuid);
/*
 * Write @apic_id into the CPUID fields that report a CPU's initial APIC ID
 * (leaf 1 EBX[31:24], leaves 0xB and 0x1F EDX, leaf 0x8000001E EAX).
 * vm_vcpu_add() sets them to the vCPU ID.
 */
void cpuid_set_initial_apic_id(struct kvm_cpuid2 *cpuid, uint32_t apic_id);

#endif /* SELFTEST_KVM_PROCESSOR_H */
