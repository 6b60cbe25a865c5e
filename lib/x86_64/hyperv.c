// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM's Hyper-V emulation, as far as the tests use it (see hyperv.h).
 */
#include "hyperv.h"
#include "processor.h"

bool kvm_has_hyperv_ipis(void)
{
	return kvm_has_cap(KVM_CAP_HYPERV_SEND_IPI);
}

/*
 * Take KVM_GET_SUPPORTED_HV_CPUID's leaves 0x40000000 and up in place of
 * KVM's own paravirtual leaves there.
 */
void vcpu_set_hyperv_cpuid(struct kvm_vcpu *vcpu)
{
	struct kvm_cpuid2 *cpuid = vcpu_get_cpuid(vcpu), *hv, *merged;
	unsigned int nent = 64, n = 0;

	hv = calloc(1, sizeof(*hv) + nent * sizeof(hv->entries[0]));
	TEST_ASSERT(hv, "out of memory");
	hv->nent = nent;
	vcpu_ioctl(vcpu, KVM_GET_SUPPORTED_HV_CPUID, hv);

	merged = calloc(1, sizeof(*merged) +
			(cpuid->nent + hv->nent) * sizeof(merged->entries[0]));
	TEST_ASSERT(merged, "out of memory");
	for (unsigned int i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function < 0x40000000 ||
		    cpuid->entries[i].function > 0x400000ff)
			merged->entries[n++] = cpuid->entries[i];
	for (unsigned int i = 0; i < hv->nent; i++)
		merged->entries[n++] = hv->entries[i];
	merged->nent = n;
	vcpu_set_cpuid(vcpu, merged);
	free(merged);
	free(hv);
	free(cpuid);
}

void vcpu_set_vp_index(struct kvm_vcpu *vcpu, uint32_t vp_index)
{
	vcpu_set_msr(vcpu, HV_X64_MSR_VP_INDEX, vp_index);
}

void hv_enable_hypercalls(uint64_t page)
{
	wrmsr(HV_X64_MSR_GUEST_OS_ID, HV_GUEST_OS_ID_SELFTEST);
	wrmsr(HV_X64_MSR_HYPERCALL, page | HV_X64_MSR_HYPERCALL_ENABLE);
}
