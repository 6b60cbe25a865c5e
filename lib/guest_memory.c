// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory: the slot, the bump allocator and address translation.
 */
#include <sys/mman.h>

#include "guest_memory.h"

static void vm_asan_shadow_setup(struct kvm_vm *vm);

void vm_memory_setup(struct kvm_vm *vm, unsigned int max_vcpus, uint64_t extra_mem)
{
	const struct guest_image *image = guest_image_get();
	struct kvm_userspace_memory_region region;
	uint64_t per_vcpu = GUEST_STACK_SIZE + GUEST_PAGE_SIZE;
	uint64_t size;

	vm->image_end = ALIGN_UP(image->high, GUEST_PAGE_SIZE);
	size = vm->image_end + (uint64_t)max_vcpus * per_vcpu +
	       GUEST_HEAP_DEFAULT + extra_mem;
	size = ALIGN_UP(size, GUEST_HUGE_PAGE_SIZE);
	TEST_ASSERT(size <= GUEST_MEM_LIMIT,
		    "guest memory of 0x%llx bytes for %u vCPUs exceeds the limit 0x%lx",
		    (unsigned long long)size, max_vcpus, GUEST_MEM_LIMIT);

	vm->mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(vm->mem != MAP_FAILED, "mmap of %llu bytes of guest memory failed",
		    (unsigned long long)size);
	vm->mem_size = size;

	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = size,
		.userspace_addr = (uint64_t)vm->mem,
	};
	vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);

	guest_image_load(vm);
	vm->alloc_next = vm->image_end;
	vm_asan_shadow_setup(vm);
}

#ifdef KVM_SELFTEST_SANITIZERS
static void vm_asan_shadow_setup(struct kvm_vm *vm)
{
	struct kvm_userspace_memory_region region;

	TEST_ASSERT(vm->mem_size <= ASAN_SHADOW_OFFSET,
		    "guest memory reaches ASan's shadow at 0x%lx", ASAN_SHADOW_OFFSET);
	vm->asan_shadow = mmap(NULL, ASAN_SHADOW_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(vm->asan_shadow != MAP_FAILED, "mmap of the guest's ASan shadow failed");
	region = (struct kvm_userspace_memory_region) {
		.slot = 1,
		.guest_phys_addr = ASAN_SHADOW_OFFSET,
		.memory_size = ASAN_SHADOW_SIZE,
		.userspace_addr = (uint64_t)vm->asan_shadow,
	};
	vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);
}

void vm_asan_unpoison(struct kvm_vm *vm, vm_vaddr_t gva, size_t len)
{
	if (vm->asan_shadow)
		memset((uint8_t *)vm->asan_shadow + (gva >> 3), 0, len >> 3);
}
#else
static void vm_asan_shadow_setup(struct kvm_vm *vm)
{
}

void vm_asan_unpoison(struct kvm_vm *vm, vm_vaddr_t gva, size_t len)
{
}
#endif

void vm_memory_release(struct kvm_vm *vm)
{
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->asan_shadow)
		munmap(vm->asan_shadow, ASAN_SHADOW_SIZE);
}

vm_vaddr_t vm_vaddr_alloc(struct kvm_vm *vm, size_t size)
{
	vm_paddr_t gpa = vm->alloc_next;

	size = ALIGN_UP(size, GUEST_PAGE_SIZE);
	TEST_ASSERT(size && gpa + size <= vm->mem_size,
		    "guest memory exhausted: 0x%zx bytes wanted, 0x%llx left (give __vm_create() more extra_mem)",
		    size,
		    (unsigned long long)(vm->mem_size - gpa));
	vm->alloc_next = gpa + size;
	/* Fresh anonymous memory is zero and the allocator never reuses it. */
	return gpa;
}

void *guest_range_to_host(struct kvm_vm *vm, vm_vaddr_t gva, size_t len)
{
	if (gva >= vm->mem_size || len > vm->mem_size - gva)
		return NULL;
	return vm->mem + gva;
}

void *addr_gpa2hva(struct kvm_vm *vm, vm_paddr_t gpa)
{
	void *hva = guest_range_to_host(vm, gpa, 1);

	TEST_ASSERT(hva, "guest address 0x%llx is outside guest memory (0x%llx bytes)",
		    (unsigned long long)gpa, (unsigned long long)vm->mem_size);
	return hva;
}

void *addr_gva2hva(struct kvm_vm *vm, vm_vaddr_t gva)
{
	/* Guest virtual == guest physical throughout guest memory. */
	return addr_gpa2hva(vm, gva);
}

void vcpu_percpu_setup(struct kvm_vcpu *vcpu)
{
	struct kvm_vm *vm = vcpu->vm;
	vm_vaddr_t base = vm_vaddr_alloc(vm, GUEST_STACK_SIZE + GUEST_PAGE_SIZE);

	vcpu->stack_top = base + GUEST_STACK_SIZE;
	vcpu->percpu_gva = base + GUEST_STACK_SIZE;
	vcpu->percpu = addr_gva2hva(vm, vcpu->percpu_gva);
	vcpu->percpu->self = (struct guest_percpu *)vcpu->percpu_gva;
	vcpu->percpu->vcpu_id = vcpu->id;
	vcpu->percpu->index = vcpu->index;
}
