/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-vCPU block in guest memory.  The host points the guest's GS base
 * at it when it creates the vCPU; the guest finds it through %gs:0, which
 * holds the block's own address.  This does not depend on the APIC ID,
 * which the tests change.
 */
#ifndef SELFTEST_KVM_GUEST_PERCPU_H
#define SELFTEST_KVM_GUEST_PERCPU_H

#include <stdint.h>

#include "ucall_common.h"

struct guest_percpu {
	struct guest_percpu *self;	/* must stay first: read as %gs:0 */
	uint32_t vcpu_id;
	uint32_t index;			/* creation order within the VM */
	/*
	 * Free for a test's per-vCPU data; at a fixed offset so that assembly
	 * can reach it as %gs:GUEST_PERCPU_TEST_DATA.
	 */
	uint64_t test_data;
	struct ucall_slot ucall;
};

#define GUEST_PERCPU_TEST_DATA	16

static inline struct guest_percpu *this_cpu(void)
{
	struct guest_percpu *p;

	__asm__ __volatile__("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* Guest side: the vCPU ID this vCPU was created with. */
static inline uint32_t guest_vcpu_id(void)
{
	return this_cpu()->vcpu_id;
}

/* Guest side: this vCPU's creation index (0..nr_vcpus-1). */
static inline uint32_t guest_vcpu_index(void)
{
	return this_cpu()->index;
}

#endif /* SELFTEST_KVM_GUEST_PERCPU_H */
