// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest page tables: the low 4 GiB mapped virtual == physical.  Guest
 * memory lies in it, and so do the local APIC (0xfee00000) and IOAPIC
 * (0xfec00000) MMIO pages; an access to any other address outside guest
 * memory exits to the host as MMIO, which the tests report.
 */
#include "guest_memory.h"
#include "arch_setup.h"

#define PTE_PRESENT	BIT(0)
#define PTE_WRITABLE	BIT(1)
#define PTE_HUGE	BIT(7)
#define ENTRIES		512

vm_paddr_t vm_build_identity_map(struct kvm_vm *vm)
{
	vm_paddr_t root = vm_vaddr_alloc(vm, GUEST_PAGE_SIZE);
	vm_paddr_t pdpt = vm_vaddr_alloc(vm, GUEST_PAGE_SIZE);
	vm_paddr_t pd = vm_vaddr_alloc(vm, 4 * GUEST_PAGE_SIZE);
	vm_paddr_t pt = vm_vaddr_alloc(vm, GUEST_PAGE_SIZE);
	uint64_t *e;
	unsigned int i;

	e = addr_gpa2hva(vm, root);
	e[0] = pdpt | PTE_PRESENT | PTE_WRITABLE;

	e = addr_gpa2hva(vm, pdpt);
	for (i = 0; i < 4; i++)
		e[i] = (pd + i * GUEST_PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE;

	/* Four page directories, contiguous: 2048 entries of 2 MiB. */
	e = addr_gpa2hva(vm, pd);
	e[0] = pt | PTE_PRESENT | PTE_WRITABLE;
	for (i = 1; i < 4 * ENTRIES; i++)
		e[i] = ((uint64_t)i * GUEST_HUGE_PAGE_SIZE) |
		       PTE_PRESENT | PTE_WRITABLE | PTE_HUGE;

	/* Page 0 stays not-present. */
	e = addr_gpa2hva(vm, pt);
	for (i = 1; i < ENTRIES; i++)
		e[i] = ((uint64_t)i * GUEST_PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE;

	return root;
}
