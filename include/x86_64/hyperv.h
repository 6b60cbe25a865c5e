/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the tests use of KVM's Hyper-V emulation: the CPUID leaves, the
 * partition MSRs that enable hypercalls, the VP index, and the synthetic
 * IPI hypercalls (Hyper-V TLFS, "HvCallSendSyntheticClusterIpi" and its Ex
 * form).  Numbers are the TLFS's.
 */
#ifndef SELFTEST_KVM_HYPERV_H
#define SELFTEST_KVM_HYPERV_H

#include "kvm_util.h"

#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_HYPERCALL		0x40000001
#define HV_X64_MSR_VP_INDEX		0x40000002
#define HV_X64_MSR_HYPERCALL_ENABLE	BIT_ULL(0)

#define HVCALL_SEND_IPI			0x000b
#define HVCALL_SEND_IPI_EX		0x0015
/* Hypercall input value: the fast bit, and the variable header size (8-byte units). */
#define HV_HYPERCALL_FAST		BIT_ULL(16)
#define HV_HYPERCALL_VARHEAD_SHIFT	17
#define HV_STATUS_SUCCESS		0

#define HV_GENERIC_SET_SPARSE_4K	0
#define HV_GENERIC_SET_ALL		1

/* Any non-zero guest OS ID enables the hypercall MSR (TLFS: open source, bit 63). */
#define HV_GUEST_OS_ID_SELFTEST		(BIT_ULL(63) | 0x5e1f7e57ull)

/* HvCallSendSyntheticClusterIpi input, in memory or in two registers. */
struct hv_send_ipi {
	uint32_t vector;
	uint32_t reserved;
	uint64_t cpu_mask;
};

/* HvCallSendSyntheticClusterIpiEx input with up to two banks of 64 VPs. */
struct hv_send_ipi_ex {
	uint32_t vector;
	uint32_t reserved;
	uint64_t format;
	uint64_t valid_bank_mask;
	uint64_t bank_contents[2];
};

/* Host: KVM emulates Hyper-V synthetic IPIs (KVM_CAP_HYPERV_SEND_IPI). */
bool kvm_has_hyperv_ipis(void);
/* Host, before the vCPU first runs: KVM's Hyper-V CPUID leaves in place of its own. */
void vcpu_set_hyperv_cpuid(struct kvm_vcpu *vcpu);
/* Host: the vCPU's VP index (only the host may write HV_X64_MSR_VP_INDEX). */
void vcpu_set_vp_index(struct kvm_vcpu *vcpu, uint32_t vp_index);

/* Guest: enable hypercalls through the page at @page (a guest address). */
void hv_enable_hypercalls(uint64_t page);

/* Guest: a hypercall through the hypercall page; the status in bits 15:0. */
static inline uint64_t hv_hypercall(uint64_t page, uint64_t control, uint64_t input,
				    uint64_t output)
{
	register uint64_t r8 __asm__("r8") = output;
	uint64_t status;

	__asm__ __volatile__("call *%[page]"
			     : "=a"(status), "+c"(control), "+d"(input), "+r"(r8)
			     : [page] "r"(page)
			     : "memory", "cc");
	return status;
}

#endif /* SELFTEST_KVM_HYPERV_H */
