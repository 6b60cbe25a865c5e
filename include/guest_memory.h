/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest memory: one slot at guest physical address 0 holding the test
 * binary's image (at the addresses it was linked at), then memory handed
 * out by vm_vaddr_alloc(): system tables, per-vCPU stacks and per-CPU
 * blocks, test data.  The guest maps it virtual == physical.
 */
#ifndef SELFTEST_KVM_GUEST_MEMORY_H
#define SELFTEST_KVM_GUEST_MEMORY_H

#include "kvm_util.h"

#define GUEST_PAGE_SIZE		4096ul
#define GUEST_HUGE_PAGE_SIZE	(2ul << 20)

/* Per-vCPU guest stack (the per-CPU block sits on a page above it). */
#define GUEST_STACK_SIZE	(32ul << 10)
/* Guest memory for vm_vaddr_alloc() beyond stacks and system tables. */
#define GUEST_HEAP_DEFAULT	(16ul << 20)
/* The slot ends below the 32-bit MMIO hole (IOAPIC, local APIC). */
#define GUEST_MEM_LIMIT		(3ul << 30)

/*
 * SAN=1 builds: AddressSanitizer checks every access at
 * (address >> 3) + ASAN_SHADOW_OFFSET, in the guest too; a zeroed slot
 * there covering the shadow of the low 4 GiB makes every guest address
 * valid to it.  Guest memory proper must then end below it.
 */
#define ASAN_SHADOW_OFFSET	0x7fff8000ul
#define ASAN_SHADOW_SIZE	((4ul << 30) >> 3)

/*
 * SAN=1: mark guest memory as valid again in the guest's ASan shadow, e.g.
 * a stack whose frames were abandoned (no-op in other builds).
 */
void vm_asan_unpoison(struct kvm_vm *vm, vm_vaddr_t gva, size_t len);

/* Map and register the slot and load the test binary into it. */
void vm_memory_setup(struct kvm_vm *vm, unsigned int max_vcpus, uint64_t extra_mem);
void vm_memory_release(struct kvm_vm *vm);
/* Allocate the vCPU's stack and per-CPU block and fill in the block. */
void vcpu_percpu_setup(struct kvm_vcpu *vcpu);

/*
 * The test binary as loaded into every guest: its loadable segments, read
 * once per process from /proc/self/exe.
 */
struct guest_image {
	uint64_t low;			/* lowest loaded address */
	uint64_t high;			/* end of the highest segment */
	unsigned int nr_segments;
	struct guest_image_segment {
		uint64_t vaddr;
		uint64_t filesz;
		uint64_t memsz;
		const void *data;	/* file bytes of the segment */
	} segments[16];
};

const struct guest_image *guest_image_get(void);
/* Copy the image into the VM's memory at its link addresses. */
void guest_image_load(struct kvm_vm *vm);
/* "symbol+0xoff" for an address in the test binary, or NULL. */
const char *guest_image_symbol(uint64_t addr, char *buf, size_t len);

#endif /* SELFTEST_KVM_GUEST_MEMORY_H */
