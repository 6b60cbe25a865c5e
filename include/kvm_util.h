/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VM and vCPU lifecycle for the tests: a VM with an in-kernel irqchip, one
 * memory slot holding the test binary's image, the page tables, the
 * descriptor tables, a stack and a per-CPU block for each vCPU, and vCPUs
 * at any vCPU ID the host allows.
 *
 * Guest addresses: guest virtual == guest physical for the whole slot (and
 * for the low 4 GiB in general), and the test binary is loaded at the
 * addresses it was linked at, so a guest function or global of the test is
 * at the same address on both sides.  Guest globals are the guest's own
 * copy; sync_global_to_guest()/sync_global_from_guest() move values.
 */
#ifndef SELFTEST_KVM_UTIL_H
#define SELFTEST_KVM_UTIL_H

#include <linux/kvm.h>
#include <pthread.h>
#include <sys/ioctl.h>

#include "test_util.h"
#include "guest_percpu.h"

typedef uint64_t vm_vaddr_t;
typedef uint64_t vm_paddr_t;

#define KVM_DEV_PATH		"/dev/kvm"

/* Default per-vCPU watchdog: one KVM_RUN may not last longer than this. */
#define VCPU_RUN_TIMEOUT_S_DEFAULT	30

struct kvm_vm;

struct kvm_vcpu {
	struct kvm_vm *vm;
	uint32_t id;			/* vCPU ID given to KVM_CREATE_VCPU */
	uint32_t index;			/* creation order within the VM */
	int fd;
	struct kvm_run *run;
	struct guest_percpu *percpu;	/* host view of the guest per-CPU block */
	vm_vaddr_t percpu_gva;
	vm_vaddr_t stack_top;

	/* Watchdog state; see vcpu_run(). */
	unsigned int timeout_s;
	int watchdog_fired;		/* READ_ONCE(): set by a signal handler */

	/* vcpu_thread.h */
	pthread_t thread;
	bool thread_started;
	void (*thread_fn)(struct kvm_vcpu *vcpu);

	void *priv;			/* free for the test */
};

struct kvm_vm {
	int kvm_fd;
	int fd;

	unsigned int nr_vcpus;
	unsigned int vcpus_capacity;
	struct kvm_vcpu **vcpus;	/* by index */
	unsigned int max_vcpus;		/* what guest memory was sized for */

	uint8_t *mem;			/* host mapping of the slot at GPA 0 */
	void *asan_shadow;		/* SAN=1: the guest's ASan shadow (slot 1) */
	uint64_t mem_size;
	vm_paddr_t alloc_next;		/* bump allocator for guest memory */

	vm_paddr_t image_end;		/* end of the loaded test binary */
	vm_paddr_t page_table_root;
	vm_paddr_t gdt, idt, tss;

	uint64_t x2apic_api;		/* KVM_CAP_X2APIC_API flags in effect */
};

/* /dev/kvm and capabilities */

/* Open /dev/kvm; SKIPs (exit 4) with the reason when absent or denied. */
int open_kvm_dev_path_or_exit(int flags);
/*
 * Exit with KSFT_SKIP and a one-line reason ("1..0 # SKIP ...") unless
 * /dev/kvm can be opened: the whole binary skips, not case by case.
 */
void kvm_require_dev_kvm(void);
/*
 * KVM_CHECK_EXTENSION on /dev/kvm.  The environment can narrow what the
 * tests see, to try them as on a smaller or older host:
 * KVM_SELFTEST_HIDE_CAPS=N[,N...] (capabilities reported absent) and
 * KVM_SELFTEST_MAX_VCPUS=N (kvm_max_vcpus() at most N).
 */
int kvm_check_cap(long cap);
static inline bool kvm_has_cap(long cap)
{
	return kvm_check_cap(cap) > 0;
}
/* Largest number of vCPUs a VM may have (KVM_CAP_MAX_VCPUS). */
unsigned int kvm_max_vcpus(void);
/* vCPU IDs must be below this (KVM_CAP_MAX_VCPU_ID). */
unsigned int kvm_max_vcpu_id(void);

int vm_check_cap(struct kvm_vm *vm, long cap);
int __vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0);
void vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0);

/* ioctl wrappers: the plain form asserts success */

#define __kvm_ioctl(fd, cmd, arg)	ioctl(fd, cmd, arg)

#define kvm_do_ioctl_checked(fd, cmd, name, arg)				\
({										\
	int __r = ioctl(fd, cmd, arg);						\
	TEST_ASSERT(__r >= 0, "%s failed, rc: %d", name, __r);			\
	__r;									\
})

#define __vm_ioctl(vm, cmd, arg)	ioctl((vm)->fd, cmd, arg)
#define vm_ioctl(vm, cmd, arg)		kvm_do_ioctl_checked((vm)->fd, cmd, #cmd, arg)
#define __vcpu_ioctl(vcpu, cmd, arg)	ioctl((vcpu)->fd, cmd, arg)
#define vcpu_ioctl(vcpu, cmd, arg)	kvm_do_ioctl_checked((vcpu)->fd, cmd, #cmd, arg)

/* VM lifecycle */

/*
 * Create a VM with an in-kernel irqchip, its memory and system tables, but
 * no vCPUs.  Guest memory is sized for @max_vcpus vCPUs plus @extra_mem
 * bytes for vm_vaddr_alloc().
 */
struct kvm_vm *__vm_create(unsigned int max_vcpus, uint64_t extra_mem);
static inline struct kvm_vm *vm_create(unsigned int max_vcpus)
{
	return __vm_create(max_vcpus, 0);
}

/* A VM whose vCPUs have IDs 0..nr-1, all entering @guest_code. */
struct kvm_vm *vm_create_with_vcpus(unsigned int nr_vcpus, void *guest_code,
				    struct kvm_vcpu *vcpus[]);
/* A VM whose vCPUs have the IDs in @ids (any order, sparse). */
struct kvm_vm *vm_create_with_vcpu_ids(unsigned int nr_vcpus, const uint32_t *ids,
				       void *guest_code, struct kvm_vcpu *vcpus[]);
struct kvm_vm *vm_create_with_one_vcpu(struct kvm_vcpu **vcpu, void *guest_code);

/* Add a vCPU with ID @vcpu_id that starts at @guest_code. */
struct kvm_vcpu *vm_vcpu_add(struct kvm_vm *vm, uint32_t vcpu_id, void *guest_code);
/* Same, returning -errno from KVM_CREATE_VCPU instead of failing. */
int __vm_vcpu_add(struct kvm_vm *vm, uint32_t vcpu_id, void *guest_code,
		  struct kvm_vcpu **out);

/* The vCPU created with ID @vcpu_id, or NULL. */
struct kvm_vcpu *vm_find_vcpu(struct kvm_vm *vm, uint32_t vcpu_id);

void kvm_vm_free(struct kvm_vm *vm);

/* KVM_CAP_MAX_VCPU_ID: set the limit for this VM (before any vCPU exists). */
int __vm_set_max_vcpu_id(struct kvm_vm *vm, uint32_t limit);

/* Guest memory */

/* Allocate zeroed, page-aligned guest memory; returns its guest address. */
vm_vaddr_t vm_vaddr_alloc(struct kvm_vm *vm, size_t size);
void *addr_gpa2hva(struct kvm_vm *vm, vm_paddr_t gpa);
void *addr_gva2hva(struct kvm_vm *vm, vm_vaddr_t gva);
/* Like addr_gva2hva() for @len bytes, but NULL instead of failing. */
void *guest_range_to_host(struct kvm_vm *vm, vm_vaddr_t gva, size_t len);

#define sync_global_to_guest(vm, g)						\
	memcpy(addr_gva2hva(vm, (vm_vaddr_t)&(g)), &(g), sizeof(g))
#define sync_global_from_guest(vm, g)						\
	memcpy(&(g), addr_gva2hva(vm, (vm_vaddr_t)&(g)), sizeof(g))
#define write_guest_global(vm, g, val)						\
	(*(__typeof__(g) *)addr_gva2hva(vm, (vm_vaddr_t)&(g)) = (val))
#define read_guest_global(vm, g)						\
	(*(__typeof__(g) *)addr_gva2hva(vm, (vm_vaddr_t)&(g)))

/* Running a vCPU */

/* Set up to six integer arguments of the guest entry function. */
void vcpu_args_set(struct kvm_vcpu *vcpu, unsigned int num, ...);
/* Restart the vCPU at @guest_code on a fresh stack (arguments cleared). */
void vcpu_set_entry(struct kvm_vcpu *vcpu, void *guest_code);
/*
 * Put the vCPU back into the state vm_vcpu_add() leaves it in (long mode,
 * fresh stack, entry at @guest_code, runnable), e.g. after an INIT left it
 * waiting for SIPI in real mode.  APIC state is left as it is.
 */
void vcpu_restart(struct kvm_vcpu *vcpu, void *guest_code);

/*
 * One KVM_RUN: retried on EINTR, bounded by the vCPU's watchdog (a vCPU that
 * stays in KVM_RUN longer than its timeout is kicked out and the test fails
 * with the vCPU ID and RIP).  Returns with run->exit_reason to inspect.
 */
void vcpu_run(struct kvm_vcpu *vcpu);
/*
 * vcpu_run(), but when the watchdog fires it returns -ETIMEDOUT, the vCPU
 * out of KVM_RUN with its state intact, for a test that reports a stuck
 * vCPU itself (vcpu_describe_stuck()) and goes on; otherwise 0.
 */
int vcpu_run_bounded(struct kvm_vcpu *vcpu);
/* "RIP <symbol>, <MP state>; <arch wait state>" of a vCPU out of KVM_RUN. */
const char *vcpu_describe_stuck(struct kvm_vcpu *vcpu, char *buf, size_t len);
/* Raw KVM_RUN: 0 or -errno, no retry, no watchdog. */
int __vcpu_run(struct kvm_vcpu *vcpu);
void vcpu_set_timeout(struct kvm_vcpu *vcpu, unsigned int seconds);

const char *exit_reason_str(unsigned int exit_reason);

/* KVM_GET/SET_MP_STATE, and a name for a KVM_MP_STATE_* value. */
uint32_t vcpu_get_mp_state(struct kvm_vcpu *vcpu);
void vcpu_set_mp_state(struct kvm_vcpu *vcpu, uint32_t mp_state);
const char *mp_state_name(uint32_t mp_state);

/* Fail the test describing the vCPU's current exit (name, details, RIP). */
void __noreturn vcpu_fail_unexpected_exit(struct kvm_vcpu *vcpu, const char *why);
/* Fail unless the last exit was @reason. */
void vcpu_assert_exit_reason(struct kvm_vcpu *vcpu, unsigned int reason);
#define TEST_ASSERT_KVM_EXIT_REASON(vcpu, reason) vcpu_assert_exit_reason(vcpu, reason)

/* "0x401234 <guest_code+0x14>" for a guest code address. */
const char *guest_symbolize(uint64_t addr, char *buf, size_t len);

/* Architecture hooks (lib/x86_64) */

void vm_arch_setup(struct kvm_vm *vm);
void vcpu_arch_setup(struct kvm_vcpu *vcpu, void *guest_code);
uint64_t vcpu_arch_rip(struct kvm_vcpu *vcpu);
/* Whether the vCPU sits at the reset vector, as after RESET or INIT. */
bool vcpu_arch_at_reset_vector(struct kvm_vcpu *vcpu);
/* Arch details of what a vCPU the watchdog caught waits with. */
void vcpu_arch_describe_wait(struct kvm_vcpu *vcpu, char *buf, size_t len);
/* Arch details of an exit for vcpu_fail_unexpected_exit(). */
void vcpu_arch_describe_exit(struct kvm_vcpu *vcpu, char *buf, size_t len);

#endif /* SELFTEST_KVM_UTIL_H */
