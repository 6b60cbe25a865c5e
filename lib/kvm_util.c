// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM and vCPU lifecycle.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kvm_util.h"
#include "guest_memory.h"

static long vcpu_mmap_size;

int open_kvm_dev_path_or_exit(int flags)
{
	int fd = open(KVM_DEV_PATH, flags | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			test_skip("%s does not exist (no KVM on this host)", KVM_DEV_PATH);
		if (errno == EACCES || errno == EPERM)
			test_skip("%s is not accessible to this user (uid %d)",
				  KVM_DEV_PATH, (int)getuid());
		test_skip("cannot open %s: %s", KVM_DEV_PATH, strerror(errno));
	}
	return fd;
}

void kvm_require_dev_kvm(void)
{
	int fd = open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return;
	}
	if (errno == ENOENT)
		ksft_exit_skip("%s does not exist (no KVM on this host)\n", KVM_DEV_PATH);
	if (errno == EACCES || errno == EPERM)
		ksft_exit_skip("%s is not accessible to this user (uid %d)\n", KVM_DEV_PATH,
			       (int)getuid());
	ksft_exit_skip("cannot open %s: %s\n", KVM_DEV_PATH, strerror(errno));
}

/*
 * KVM_SELFTEST_HIDE_CAPS=N[,N...] makes the library see these capabilities
 * as absent, to check how the tests behave on an older or smaller host.
 */
static bool cap_hidden(long cap)
{
	const char *list = getenv("KVM_SELFTEST_HIDE_CAPS");
	char *end;

	while (list && *list) {
		if (strtol(list, &end, 0) == cap)
			return true;
		if (end == list || (*end && *end != ','))
			break;
		list = *end ? end + 1 : end;
	}
	return false;
}

int kvm_check_cap(long cap)
{
	static int kvm_fd = -1;
	int ret;

	if (cap_hidden(cap))
		return 0;
	if (kvm_fd < 0)
		kvm_fd = open_kvm_dev_path_or_exit(O_RDONLY);
	ret = ioctl(kvm_fd, KVM_CHECK_EXTENSION, cap);
	TEST_ASSERT(ret >= 0, "KVM_CHECK_EXTENSION(%ld) failed, rc: %d", cap, ret);
	return ret;
}

/* KVM_SELFTEST_MAX_VCPUS=N makes the library see a host allowing at most N. */
unsigned int kvm_max_vcpus(void)
{
	const char *limit = getenv("KVM_SELFTEST_MAX_VCPUS");
	int n = kvm_check_cap(KVM_CAP_MAX_VCPUS);
	uint64_t v;

	if (n <= 0)
		n = kvm_check_cap(KVM_CAP_NR_VCPUS);
	if (limit && parse_u64(limit, &v) && v < (uint64_t)n)
		n = v;
	return n;
}

unsigned int kvm_max_vcpu_id(void)
{
	int n = kvm_check_cap(KVM_CAP_MAX_VCPU_ID);

	return n > 0 ? n : kvm_max_vcpus();
}

int vm_check_cap(struct kvm_vm *vm, long cap)
{
	int ret = ioctl(vm->fd, KVM_CHECK_EXTENSION, cap);

	TEST_ASSERT(ret >= 0, "KVM_CHECK_EXTENSION(%ld) on the VM failed, rc: %d",
		    cap, ret);
	return ret;
}

int __vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0)
{
	struct kvm_enable_cap ec = { .cap = cap, .args[0] = arg0 };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &ec) ? -errno : 0;
}

void vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0)
{
	int ret = __vm_enable_cap(vm, cap, arg0);

	TEST_ASSERT(!ret, "KVM_ENABLE_CAP(%u, 0x%llx) failed: %s", cap,
		    (unsigned long long)arg0, strerror(-ret));
	if (cap == KVM_CAP_X2APIC_API)
		vm->x2apic_api = arg0;
}

int __vm_set_max_vcpu_id(struct kvm_vm *vm, uint32_t limit)
{
	return __vm_enable_cap(vm, KVM_CAP_MAX_VCPU_ID, limit);
}

/*
 * Every vCPU is a file descriptor: make room for @nr_vcpus under
 * RLIMIT_NOFILE (up to the hard limit), or SKIP saying how many it takes.
 */
static void make_room_for_vcpu_fds(unsigned int nr_vcpus)
{
	rlim_t need = nr_vcpus + 64;
	struct rlimit rl;

	TEST_ASSERT(!getrlimit(RLIMIT_NOFILE, &rl), "getrlimit(RLIMIT_NOFILE)");
	if (rl.rlim_cur >= need)
		return;
	TEST_REQUIRE_MSG(rl.rlim_max >= need, "%u vCPUs need %llu file descriptors; RLIMIT_NOFILE allows %llu",
			 nr_vcpus, (unsigned long long)need,
			 (unsigned long long)rl.rlim_max);
	rl.rlim_cur = need;
	TEST_ASSERT(!setrlimit(RLIMIT_NOFILE, &rl), "setrlimit(RLIMIT_NOFILE, %llu)",
		    (unsigned long long)need);
}

struct kvm_vm *__vm_create(unsigned int max_vcpus, uint64_t extra_mem)
{
	struct kvm_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "out of memory");
	make_room_for_vcpu_fds(max_vcpus);
	vm->kvm_fd = open_kvm_dev_path_or_exit(O_RDWR);
	if (!vcpu_mmap_size) {
		vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
		TEST_ASSERT(vcpu_mmap_size >= (long)sizeof(struct kvm_run),
			    "KVM_GET_VCPU_MMAP_SIZE returned %ld", vcpu_mmap_size);
	}

	do {
		vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	} while (vm->fd < 0 && errno == EINTR);
	TEST_ASSERT(vm->fd >= 0, "KVM_CREATE_VM failed");

	vm_ioctl(vm, KVM_CREATE_IRQCHIP, NULL);

	vm->max_vcpus = max_vcpus;
	vm_memory_setup(vm, max_vcpus, extra_mem);
	vm_arch_setup(vm);
	return vm;
}

static void vm_track_vcpu(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	if (vm->nr_vcpus == vm->vcpus_capacity) {
		unsigned int cap = vm->vcpus_capacity ? vm->vcpus_capacity * 2 : 16;

		vm->vcpus = realloc(vm->vcpus, cap * sizeof(*vm->vcpus));
		TEST_ASSERT(vm->vcpus, "out of memory");
		vm->vcpus_capacity = cap;
	}
	vcpu->index = vm->nr_vcpus;
	vm->vcpus[vm->nr_vcpus++] = vcpu;
}

int __vm_vcpu_add(struct kvm_vm *vm, uint32_t vcpu_id, void *guest_code,
		  struct kvm_vcpu **out)
{
	struct kvm_vcpu *vcpu;
	int fd;

	fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)vcpu_id);
	if (fd < 0)
		return -errno;

	vcpu = calloc(1, sizeof(*vcpu));
	TEST_ASSERT(vcpu, "out of memory");
	vcpu->vm = vm;
	vcpu->id = vcpu_id;
	vcpu->fd = fd;
	vcpu->timeout_s = VCPU_RUN_TIMEOUT_S_DEFAULT;
	vcpu->run = mmap(NULL, vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap of vCPU %u's kvm_run failed",
		    vcpu_id);

	vm_track_vcpu(vm, vcpu);
	vcpu_percpu_setup(vcpu);
	vcpu_arch_setup(vcpu, guest_code);
	*out = vcpu;
	return 0;
}

struct kvm_vcpu *vm_vcpu_add(struct kvm_vm *vm, uint32_t vcpu_id, void *guest_code)
{
	struct kvm_vcpu *vcpu;
	int ret = __vm_vcpu_add(vm, vcpu_id, guest_code, &vcpu);

	TEST_ASSERT(!ret, "KVM_CREATE_VCPU(%u) failed: %s", vcpu_id, strerror(-ret));
	return vcpu;
}

struct kvm_vcpu *vm_find_vcpu(struct kvm_vm *vm, uint32_t vcpu_id)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == vcpu_id)
			return vm->vcpus[i];
	return NULL;
}

struct kvm_vm *vm_create_with_vcpu_ids(unsigned int nr_vcpus, const uint32_t *ids,
				       void *guest_code, struct kvm_vcpu *vcpus[])
{
	struct kvm_vm *vm = vm_create(nr_vcpus);

	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct kvm_vcpu *vcpu = vm_vcpu_add(vm, ids ? ids[i] : i, guest_code);

		if (vcpus)
			vcpus[i] = vcpu;
	}
	return vm;
}

struct kvm_vm *vm_create_with_vcpus(unsigned int nr_vcpus, void *guest_code,
				    struct kvm_vcpu *vcpus[])
{
	return vm_create_with_vcpu_ids(nr_vcpus, NULL, guest_code, vcpus);
}

struct kvm_vm *vm_create_with_one_vcpu(struct kvm_vcpu **vcpu, void *guest_code)
{
	return vm_create_with_vcpu_ids(1, NULL, guest_code, vcpu);
}

void kvm_vm_free(struct kvm_vm *vm)
{
	if (!vm)
		return;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct kvm_vcpu *vcpu = vm->vcpus[i];

		munmap(vcpu->run, vcpu_mmap_size);
		close(vcpu->fd);
		free(vcpu);
	}
	free(vm->vcpus);
	close(vm->fd);
	close(vm->kvm_fd);
	vm_memory_release(vm);
	free(vm);
}
