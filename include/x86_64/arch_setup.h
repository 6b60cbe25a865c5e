/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pieces of the x86 VM setup shared between library files.
 */
#ifndef SELFTEST_KVM_X86_ARCH_SETUP_H
#define SELFTEST_KVM_X86_ARCH_SETUP_H

#include "kvm_util.h"
#include "processor.h"

/* Bytes between consecutive IDT entry stubs in idt_entry.S. */
#define IDT_STUB_SIZE	16

/*
 * Build page tables mapping the low 4 GiB virtual == physical (2 MiB pages;
 * the first 2 MiB in 4 KiB pages with page 0 left unmapped so that a guest
 * NULL dereference faults).  Returns the root for CR3.
 */
vm_paddr_t vm_build_identity_map(struct kvm_vm *vm);

/*
 * The supported CPUID table as a scratch copy for a new vCPU; valid until
 * the next call in the same thread.
 */
struct kvm_cpuid2 *vcpu_cpuid_template(void);

/* Guest side: where a guest entry function returns to (guest_entry.S). */
extern char guest_entry_return[];
/* Guest side: the 256 IDT entry stubs, IDT_STUB_SIZE bytes apart (idt_entry.S). */
extern char idt_entry_stubs[];

/*
 * The guest fixup table's bounds (the linker's section symbols); weak so
 * that a binary without entries links.
 */
extern const struct guest_extable_entry __start_guest_extable[] __weak;
extern const struct guest_extable_entry __stop_guest_extable[] __weak;

#endif /* SELFTEST_KVM_X86_ARCH_SETUP_H */
