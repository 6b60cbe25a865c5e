// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86-64 VM and vCPU setup: descriptor tables, long mode, CPUID, entry
 * state; and the host's accessors for registers, MSRs and CPUID.
 */
#include "processor.h"
#include "apic.h"
#include "guest_memory.h"
#include "arch_setup.h"


struct gdt_descriptor {
	uint64_t code64;
	uint64_t data;
	uint64_t tss_low;
	uint64_t tss_high;
};

/* A 64-bit code segment (L=1), and a flat 4 GiB data segment. */
#define GDT_CODE64	0x00af9b000000ffffull
#define GDT_DATA	0x00cf93000000ffffull
#define TSS_SIZE	104
#define TSS_TYPE_BUSY	0xb

static uint64_t tss_descriptor_low(uint64_t base, uint32_t limit)
{
	return (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       ((uint64_t)TSS_TYPE_BUSY << 40) | (1ull << 47) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       (((base >> 24) & 0xff) << 56);
}

static void build_gdt(struct kvm_vm *vm)
{
	uint64_t *gdt;

	vm->gdt = vm_vaddr_alloc(vm, GUEST_PAGE_SIZE);
	vm->tss = vm_vaddr_alloc(vm, GUEST_PAGE_SIZE);
	gdt = addr_gva2hva(vm, vm->gdt);
	gdt[GUEST_CS_SEL / 8] = GDT_CODE64;
	gdt[GUEST_DS_SEL / 8] = GDT_DATA;
	gdt[GUEST_TSS_SEL / 8] = tss_descriptor_low(vm->tss, TSS_SIZE - 1);
	gdt[GUEST_TSS_SEL / 8 + 1] = vm->tss >> 32;
	/* I/O map base beyond the limit: no I/O permission bitmap. */
	*(uint16_t *)((uint8_t *)addr_gva2hva(vm, vm->tss) + 102) = TSS_SIZE;
}

void vm_set_idt_gate(struct kvm_vm *vm, unsigned int vector, vm_vaddr_t entry)
{
	uint64_t *gate;

	TEST_ASSERT(vector < 256, "bad vector %u", vector);
	gate = (uint64_t *)addr_gva2hva(vm, vm->idt) + vector * 2;
	/* Present, DPL 0, 64-bit interrupt gate (IF cleared on entry). */
	gate[0] = (entry & 0xffff) | ((uint64_t)GUEST_CS_SEL << 16) |
		  (0x8eull << 40) | (((entry >> 16) & 0xffff) << 48);
	gate[1] = entry >> 32;
}

static void build_idt(struct kvm_vm *vm)
{
	vm->idt = vm_vaddr_alloc(vm, GUEST_PAGE_SIZE);
	for (unsigned int v = 0; v < 256; v++)
		vm_set_idt_gate(vm, v, (vm_vaddr_t)idt_entry_stubs + v * IDT_STUB_SIZE);
}

void vm_arch_setup(struct kvm_vm *vm)
{
	vm->page_table_root = vm_build_identity_map(vm);
	build_gdt(vm);
	build_idt(vm);
}

static struct kvm_segment flat_segment(uint16_t selector, bool code)
{
	struct kvm_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = selector,
		.type = code ? 0xb : 0x3, .present = 1, .dpl = 0,
		.db = code ? 0 : 1, .s = 1, .l = code ? 1 : 0, .g = 1,
	};

	return s;
}

static void vcpu_setup_long_mode(struct kvm_vcpu *vcpu)
{
	struct kvm_vm *vm = vcpu->vm;
	struct kvm_sregs sregs;

	/* Read first: the APIC base and anything else KVM set stays as is. */
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		    X86_CR0_WP | X86_CR0_PG;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs.efer = EFER_LME | EFER_LMA;
	sregs.cr3 = vm->page_table_root;

	sregs.cs = flat_segment(GUEST_CS_SEL, true);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss =
		flat_segment(GUEST_DS_SEL, false);
	sregs.gs.base = vcpu->percpu_gva;

	sregs.tr = (struct kvm_segment) {
		.base = vm->tss, .limit = TSS_SIZE - 1, .selector = GUEST_TSS_SEL,
		.type = TSS_TYPE_BUSY, .present = 1,
	};
	sregs.ldt = (struct kvm_segment) { .type = 2, .unusable = 1 };
	sregs.gdt.base = vm->gdt;
	sregs.gdt.limit = sizeof(struct gdt_descriptor) + 8 - 1;
	sregs.idt.base = vm->idt;
	sregs.idt.limit = 256 * 16 - 1;
	vcpu_sregs_set(vcpu, &sregs);
}

void vcpu_set_entry(struct kvm_vcpu *vcpu, void *guest_code)
{
	struct kvm_regs regs = { 0 };
	uint64_t *ret_addr;

	/* Frames left on the old stack keep their redzones poisoned (SAN=1). */
	vm_asan_unpoison(vcpu->vm, vcpu->stack_top - GUEST_STACK_SIZE, GUEST_STACK_SIZE);

	/* ABI: at function entry RSP + 8 is 16-byte aligned. */
	regs.rsp = vcpu->stack_top - 8;
	ret_addr = addr_gva2hva(vcpu->vm, regs.rsp);
	*ret_addr = (uint64_t)guest_entry_return;
	regs.rip = (uint64_t)guest_code;
	regs.rflags = X86_EFLAGS_FIXED;
	vcpu_regs_set(vcpu, &regs);
}

void vcpu_restart(struct kvm_vcpu *vcpu, void *guest_code)
{
	vcpu_setup_long_mode(vcpu);
	vcpu_set_entry(vcpu, guest_code);
	/*
	 * With an in-kernel irqchip only the BSP starts runnable; the others
	 * wait for INIT/SIPI.  Every vCPU enters its guest code directly.
	 */
	vcpu_set_mp_state(vcpu, KVM_MP_STATE_RUNNABLE);
}

void vcpu_arch_setup(struct kvm_vcpu *vcpu, void *guest_code)
{
	struct kvm_cpuid2 *cpuid = vcpu_cpuid_template();

	cpuid_set_initial_apic_id(cpuid, vcpu->id);
	vcpu_set_cpuid(vcpu, cpuid);
	vcpu_restart(vcpu, guest_code);
}

void vcpu_args_set(struct kvm_vcpu *vcpu, unsigned int num, ...)
{
	struct kvm_regs regs;
	__u64 *slots[] = { &regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx,
			      &regs.r8, &regs.r9 };
	va_list ap;

	TEST_ASSERT(num <= ARRAY_SIZE(slots), "at most 6 guest arguments, not %u", num);
	vcpu_regs_get(vcpu, &regs);
	va_start(ap, num);
	for (unsigned int i = 0; i < num; i++)
		*slots[i] = va_arg(ap, uint64_t);
	va_end(ap);
	vcpu_regs_set(vcpu, &regs);
}

uint64_t vcpu_arch_rip(struct kvm_vcpu *vcpu)
{
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		return 0;
	return regs.rip;
}

/* Real mode at F000:FFF0, CS base FFFF0000H (SDM vol. 3A, "First Instruction Executed"). */
bool vcpu_arch_at_reset_vector(struct kvm_vcpu *vcpu)
{
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return false;
	return !(sregs.cr0 & 1) && sregs.cs.base == 0xffff0000 && vcpu_arch_rip(vcpu) == 0xfff0;
}

/* The highest vector set in the 256-bit register at @reg, or -1. */
static int highest_vector(const struct kvm_lapic_state *s, unsigned int reg)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t bits = lapic_state_get_reg(s, reg + i * 0x10);

		if (bits)
			return i * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/*
 * What a vCPU that does not come back waits with: IF, the APIC's enable
 * bits, TPR, the highest IRR and ISR vectors, the timer, pending events.
 * Raw ioctls: this runs on the way to a failure, nothing may assert.
 */
void vcpu_arch_describe_wait(struct kvm_vcpu *vcpu, char *buf, size_t len)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[3];
	} msrs = { .hdr.nmsrs = 3, .e = { { .index = MSR_IA32_APICBASE },
					  { .index = MSR_IA32_TSC_DEADLINE },
					  { .index = MSR_IA32_TSC } } };
	struct kvm_vcpu_events ev;
	struct kvm_lapic_state lapic;
	struct kvm_regs regs;
	char deadline[48];
	uint32_t lvtt;

	buf[0] = 0;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) || ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) ||
	    ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev) ||
	    ioctl(vcpu->fd, KVM_GET_MSRS, &msrs) != 3)
		return;
	lvtt = lapic_state_get_reg(&lapic, APIC_LVTT);
	if (!msrs.e[1].data)
		snprintf(deadline, sizeof(deadline), "disarmed");
	else if (msrs.e[1].data > msrs.e[2].data)
		snprintf(deadline, sizeof(deadline), "%llu cycles ahead",
			 (unsigned long long)(msrs.e[1].data - msrs.e[2].data));
	else
		snprintf(deadline, sizeof(deadline), "%llu cycles past",
			 (unsigned long long)(msrs.e[2].data - msrs.e[1].data));
	snprintf(buf, len, "; IF %u, APIC base 0x%llx, SVR 0x%x, TPR 0x%x, highest IRR %d, ISR %d, LVTT 0x%x, TSC deadline %s, NMI pending %u, interrupt injected %u",
		 !!(regs.rflags & BIT(9)), (unsigned long long)msrs.e[0].data,
		 lapic_state_get_reg(&lapic, APIC_SPIV), lapic_state_get_reg(&lapic, APIC_TASKPRI),
		 highest_vector(&lapic, APIC_IRR), highest_vector(&lapic, APIC_ISR), lvtt,
		 deadline, ev.nmi.pending, ev.interrupt.injected);
}

void vcpu_arch_describe_exit(struct kvm_vcpu *vcpu, char *buf, size_t len)
{
	struct kvm_run *run = vcpu->run;
	const uint8_t *code;
	uint64_t rip;
	size_t used = 0;

	/* Without instruction bytes from KVM, show the guest's code at RIP. */
	if (run->exit_reason != KVM_EXIT_INTERNAL_ERROR ||
	    (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	     (run->emulation_failure.flags &
	      KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)))
		return;
	rip = vcpu_arch_rip(vcpu);
	code = guest_range_to_host(vcpu->vm, rip, 8);
	if (!code || len < 32)
		return;
	used = snprintf(buf, len, ", code at RIP:");
	for (int i = 0; i < 8 && used + 4 < len; i++)
		used += snprintf(buf + used, len - used, " %02x", code[i]);
}

void vcpu_regs_get(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	vcpu_ioctl(vcpu, KVM_GET_REGS, regs);
}

void vcpu_regs_set(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	vcpu_ioctl(vcpu, KVM_SET_REGS, regs);
}

void vcpu_sregs_get(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	vcpu_ioctl(vcpu, KVM_GET_SREGS, sregs);
}

void vcpu_sregs_set(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	vcpu_ioctl(vcpu, KVM_SET_SREGS, sregs);
}

struct one_msr {
	struct kvm_msrs hdr;
	struct kvm_msr_entry entry;
};

uint64_t vcpu_get_msr(struct kvm_vcpu *vcpu, uint32_t msr)
{
	struct one_msr m = { .hdr.nmsrs = 1, .entry.index = msr };
	int ret = ioctl(vcpu->fd, KVM_GET_MSRS, &m.hdr);

	TEST_ASSERT(ret == 1, "KVM_GET_MSRS of MSR 0x%x on vCPU %u returned %d",
		    msr, vcpu->id, ret);
	return m.entry.data;
}

int __vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t msr, uint64_t value)
{
	struct one_msr m = { .hdr.nmsrs = 1, .entry.index = msr, .entry.data = value };

	return ioctl(vcpu->fd, KVM_SET_MSRS, &m.hdr);
}

void vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t msr, uint64_t value)
{
	int ret = __vcpu_set_msr(vcpu, msr, value);

	TEST_ASSERT(ret == 1, "KVM_SET_MSRS of MSR 0x%x = 0x%llx on vCPU %u returned %d",
		    msr, (unsigned long long)value, vcpu->id, ret);
}
