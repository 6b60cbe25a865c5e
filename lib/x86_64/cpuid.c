// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID: the host's supported table, and each vCPU's copy of it.
 */
#include <fcntl.h>
#include <unistd.h>

#include "processor.h"
#include "arch_setup.h"

static size_t cpuid_bytes(unsigned int nent)
{
	return sizeof(struct kvm_cpuid2) + nent * sizeof(struct kvm_cpuid_entry2);
}

const struct kvm_cpuid2 *kvm_get_supported_cpuid(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct kvm_cpuid2 *supported;
	unsigned int nent = 64;
	int fd, ret;

	pthread_mutex_lock(&lock);
	if (supported)
		goto out;
	fd = open_kvm_dev_path_or_exit(O_RDONLY);
	for (;;) {
		supported = calloc(1, cpuid_bytes(nent));
		TEST_ASSERT(supported, "out of memory");
		supported->nent = nent;
		ret = ioctl(fd, KVM_GET_SUPPORTED_CPUID, supported);
		if (!ret)
			break;
		TEST_ASSERT(errno == E2BIG, "KVM_GET_SUPPORTED_CPUID failed");
		free(supported);
		nent *= 2;
	}
	close(fd);
out:
	pthread_mutex_unlock(&lock);
	return supported;
}

bool kvm_cpu_vendor_is_amd(void)
{
	struct kvm_cpuid2 *supported = (struct kvm_cpuid2 *)kvm_get_supported_cpuid();
	const struct kvm_cpuid_entry2 *e = cpuid_entry_find(supported, 0, 0);
	char vendor[13];

	memcpy(vendor, &e->ebx, 4);
	memcpy(vendor + 4, &e->edx, 4);
	memcpy(vendor + 8, &e->ecx, 4);
	vendor[12] = '\0';
	return !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
}

struct kvm_cpuid2 *vcpu_cpuid_template(void)
{
	static __thread struct kvm_cpuid2 *scratch;
	const struct kvm_cpuid2 *supported = kvm_get_supported_cpuid();
	size_t bytes = cpuid_bytes(supported->nent);

	if (!scratch) {
		scratch = malloc(bytes);
		TEST_ASSERT(scratch, "out of memory");
	}
	memcpy(scratch, supported, bytes);
	if (kvm_has_tsc_deadline_timer())
		cpuid_entry_find(scratch, 1, 0)->ecx |= CPUID_1_ECX_TSC_DEADLINE;
	return scratch;
}

/*
 * KVM's in-kernel APIC emulates the TSC-deadline timer, but its
 * KVM_GET_SUPPORTED_CPUID may leave CPUID.1:ECX[24] clear (6.1 and 6.12
 * do): KVM_CAP_TSC_DEADLINE_TIMER is what says userspace may set it
 * (Documentation/virt/kvm/api.rst, KVM_GET_SUPPORTED_CPUID).
 */
bool kvm_has_tsc_deadline_timer(void)
{
	struct kvm_cpuid2 *supported = (struct kvm_cpuid2 *)kvm_get_supported_cpuid();

	return kvm_has_cap(KVM_CAP_TSC_DEADLINE_TIMER) ||
	       (cpuid_entry_find(supported, 1, 0)->ecx & CPUID_1_ECX_TSC_DEADLINE);
}

struct kvm_cpuid_entry2 *cpuid_entry_find(struct kvm_cpuid2 *cpuid,
					  uint32_t function, uint32_t index)
{
	for (unsigned int i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != function)
			continue;
		if (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index)
			return e;
	}
	return NULL;
}

void cpuid_set_initial_apic_id(struct kvm_cpuid2 *cpuid, uint32_t apic_id)
{
	for (unsigned int i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 0x1:
			/* EBX[31:24]: initial APIC ID, 8 bits. */
			e->ebx = (e->ebx & 0x00ffffff) | ((apic_id & 0xff) << 24);
			break;
		case 0xb:
		case 0x1f:
			/* EDX: x2APIC ID, every subleaf. */
			e->edx = apic_id;
			break;
		case 0x8000001e:
			/* EAX: extended APIC ID (AMD). */
			e->eax = apic_id;
			break;
		default:
			break;
		}
	}
}

struct kvm_cpuid2 *vcpu_get_cpuid(struct kvm_vcpu *vcpu)
{
	unsigned int nent = kvm_get_supported_cpuid()->nent + 16;
	struct kvm_cpuid2 *cpuid = calloc(1, cpuid_bytes(nent));

	TEST_ASSERT(cpuid, "out of memory");
	cpuid->nent = nent;
	vcpu_ioctl(vcpu, KVM_GET_CPUID2, cpuid);
	return cpuid;
}

void vcpu_set_cpuid(struct kvm_vcpu *vcpu, struct kvm_cpuid2 *cpuid)
{
	vcpu_ioctl(vcpu, KVM_SET_CPUID2, cpuid);
}
