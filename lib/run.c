// SPDX-License-Identifier: GPL-2.0-only
/*
 * Running a vCPU: KVM_RUN with EINTR retried and a watchdog, and reports of
 * exits the test did not expect (by name, with the vCPU ID and RIP).
 *
 * The watchdog is a POSIX timer per host thread that signals that thread.
 * Its handler sets the running vCPU's immediate_exit, so the kick cannot
 * be lost between the timer firing and KVM_RUN being (re)entered.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"
#include "guest_memory.h"

#define WATCHDOG_SIGNAL		(SIGRTMIN + 3)

static __thread struct kvm_vcpu *running_vcpu;
static __thread timer_t watchdog_timer;
static __thread bool watchdog_ready;

static void watchdog_signal_handler(int sig)
{
	struct kvm_vcpu *vcpu = running_vcpu;

	(void)sig;
	if (vcpu) {
		WRITE_ONCE(vcpu->watchdog_fired, 1);
		vcpu->run->immediate_exit = 1;
	}
}

static void watchdog_install_handler(void)
{
	struct sigaction sa = { .sa_handler = watchdog_signal_handler };

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(WATCHDOG_SIGNAL, &sa, NULL),
		    "sigaction for the vCPU watchdog failed");
}

static void watchdog_thread_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = WATCHDOG_SIGNAL,
	};

	pthread_once(&once, watchdog_install_handler);
	sev._sigev_un._tid = syscall(SYS_gettid);
	TEST_ASSERT(!timer_create(CLOCK_MONOTONIC, &sev, &watchdog_timer),
		    "timer_create for the vCPU watchdog failed");
	watchdog_ready = true;
}

static void watchdog_arm(struct kvm_vcpu *vcpu, unsigned int seconds)
{
	struct itimerspec its = { .it_value.tv_sec = seconds };

	if (!watchdog_ready)
		watchdog_thread_init();
	running_vcpu = vcpu;
	TEST_ASSERT(!timer_settime(watchdog_timer, 0, &its, NULL),
		    "timer_settime for the vCPU watchdog failed");
}

static void watchdog_disarm(void)
{
	struct itimerspec its = { 0 };

	timer_settime(watchdog_timer, 0, &its, NULL);
	running_vcpu = NULL;
}

void vcpu_set_timeout(struct kvm_vcpu *vcpu, unsigned int seconds)
{
	vcpu->timeout_s = seconds;
}

int __vcpu_run(struct kvm_vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_RUN, NULL) ? -errno : 0;
}

const char *mp_state_name(uint32_t mp_state)
{
	static const char *const names[] = {
		[KVM_MP_STATE_RUNNABLE] = "runnable",
		[KVM_MP_STATE_UNINITIALIZED] = "waiting for INIT/SIPI (uninitialized)",
		[KVM_MP_STATE_INIT_RECEIVED] = "INIT received",
		[KVM_MP_STATE_HALTED] = "halted",
		[KVM_MP_STATE_SIPI_RECEIVED] = "SIPI received",
	};

	if (mp_state < ARRAY_SIZE(names) && names[mp_state])
		return names[mp_state];
	return "unknown MP state";
}

const char *vcpu_describe_stuck(struct kvm_vcpu *vcpu, char *buf, size_t len)
{
	struct kvm_mp_state mp = { .mp_state = ~0u };
	char where[160], state[320];

	ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp);
	guest_symbolize(vcpu_arch_rip(vcpu), where, sizeof(where));
	vcpu_arch_describe_wait(vcpu, state, sizeof(state));
	snprintf(buf, len, "RIP %s, %s%s", where, mp_state_name(mp.mp_state), state);
	return buf;
}

static void __noreturn report_watchdog(struct kvm_vcpu *vcpu)
{
	char stuck[512];

	vcpu_describe_stuck(vcpu, stuck, sizeof(stuck));
	errno = 0;
	TEST_FAIL("vCPU %u: no exit within %u s (watchdog): %s; a guest wait that never ends, or a lost interrupt",
		  vcpu->id, vcpu->timeout_s, stuck);
}

void vcpu_set_mp_state(struct kvm_vcpu *vcpu, uint32_t mp_state)
{
	struct kvm_mp_state mp = { .mp_state = mp_state };

	vcpu_ioctl(vcpu, KVM_SET_MP_STATE, &mp);
}

uint32_t vcpu_get_mp_state(struct kvm_vcpu *vcpu)
{
	struct kvm_mp_state mp;

	vcpu_ioctl(vcpu, KVM_GET_MP_STATE, &mp);
	return mp.mp_state;
}

void vcpu_run(struct kvm_vcpu *vcpu)
{
	if (vcpu_run_bounded(vcpu) == -ETIMEDOUT)
		report_watchdog(vcpu);
}

int vcpu_run_bounded(struct kvm_vcpu *vcpu)
{
	int ret;

	vcpu->run->immediate_exit = 0;
	WRITE_ONCE(vcpu->watchdog_fired, 0);
	if (vcpu->timeout_s)
		watchdog_arm(vcpu, vcpu->timeout_s);

	for (;;) {
		ret = __vcpu_run(vcpu);
		if (!ret)
			break;
		if (READ_ONCE(vcpu->watchdog_fired)) {
			watchdog_disarm();
			vcpu->run->immediate_exit = 0;
			return -ETIMEDOUT;
		}
		TEST_ASSERT(ret == -EINTR || ret == -EAGAIN,
			    "KVM_RUN of vCPU %u failed: %s", vcpu->id, strerror(-ret));
		vcpu->run->immediate_exit = 0;
	}

	if (vcpu->timeout_s)
		watchdog_disarm();
	return 0;
}

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
	[KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
	[KVM_EXIT_IO] = "KVM_EXIT_IO",
	[KVM_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
	[KVM_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
	[KVM_EXIT_HLT] = "KVM_EXIT_HLT",
	[KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
	[KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN",
	[KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
	[KVM_EXIT_INTR] = "KVM_EXIT_INTR",
	[KVM_EXIT_SET_TPR] = "KVM_EXIT_SET_TPR",
	[KVM_EXIT_TPR_ACCESS] = "KVM_EXIT_TPR_ACCESS",
	[KVM_EXIT_S390_SIEIC] = "KVM_EXIT_S390_SIEIC",
	[KVM_EXIT_S390_RESET] = "KVM_EXIT_S390_RESET",
	[KVM_EXIT_DCR] = "KVM_EXIT_DCR",
	[KVM_EXIT_NMI] = "KVM_EXIT_NMI",
	[KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
	[KVM_EXIT_OSI] = "KVM_EXIT_OSI",
	[KVM_EXIT_PAPR_HCALL] = "KVM_EXIT_PAPR_HCALL",
	[KVM_EXIT_S390_UCONTROL] = "KVM_EXIT_S390_UCONTROL",
	[KVM_EXIT_WATCHDOG] = "KVM_EXIT_WATCHDOG",
	[KVM_EXIT_S390_TSCH] = "KVM_EXIT_S390_TSCH",
	[KVM_EXIT_EPR] = "KVM_EXIT_EPR",
	[KVM_EXIT_SYSTEM_EVENT] = "KVM_EXIT_SYSTEM_EVENT",
	[KVM_EXIT_S390_STSI] = "KVM_EXIT_S390_STSI",
	[KVM_EXIT_IOAPIC_EOI] = "KVM_EXIT_IOAPIC_EOI",
	[KVM_EXIT_HYPERV] = "KVM_EXIT_HYPERV",
	[KVM_EXIT_ARM_NISV] = "KVM_EXIT_ARM_NISV",
	[KVM_EXIT_X86_RDMSR] = "KVM_EXIT_X86_RDMSR",
	[KVM_EXIT_X86_WRMSR] = "KVM_EXIT_X86_WRMSR",
	[KVM_EXIT_DIRTY_RING_FULL] = "KVM_EXIT_DIRTY_RING_FULL",
	[KVM_EXIT_AP_RESET_HOLD] = "KVM_EXIT_AP_RESET_HOLD",
	[KVM_EXIT_X86_BUS_LOCK] = "KVM_EXIT_X86_BUS_LOCK",
	[KVM_EXIT_XEN] = "KVM_EXIT_XEN",
	[KVM_EXIT_RISCV_SBI] = "KVM_EXIT_RISCV_SBI",
	[KVM_EXIT_RISCV_CSR] = "KVM_EXIT_RISCV_CSR",
	[KVM_EXIT_NOTIFY] = "KVM_EXIT_NOTIFY",
	/* Newer than the oldest UAPI headers the tests build against. */
	[38] = "KVM_EXIT_LOONGARCH_IOCSR", [39] = "KVM_EXIT_MEMORY_FAULT",
	[40] = "KVM_EXIT_TDX",
};

const char *exit_reason_str(unsigned int exit_reason)
{
	if (exit_reason < ARRAY_SIZE(exit_names) && exit_names[exit_reason])
		return exit_names[exit_reason];
	return "KVM_EXIT_(unknown)";
}

static const char *internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "KVM_INTERNAL_ERROR_EMULATION: instruction not emulated";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "KVM_INTERNAL_ERROR_SIMUL_EX: exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "KVM_INTERNAL_ERROR_DELIVERY_EV: exit while delivering an event";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON";
	default:
		return "unknown suberror";
	}
}

/* Append printf output to a buffer, keeping it terminated. */
static void __printf(3, 4) append(char *buf, size_t len, const char *fmt, ...);
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void describe_internal_error(struct kvm_run *run, char *buf, size_t len)
{
	uint32_t suberror = run->internal.suberror;

	append(buf, len, " (suberror %u, %s)", suberror, internal_error_name(suberror));
	if (suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		unsigned int n = run->emulation_failure.insn_size;

		if (n > sizeof(run->emulation_failure.insn_bytes))
			n = sizeof(run->emulation_failure.insn_bytes);
		append(buf, len, ", instruction bytes:");
		for (unsigned int i = 0; i < n; i++)
			append(buf, len, " %02x", run->emulation_failure.insn_bytes[i]);
		return;
	}
	if (run->internal.ndata) {
		unsigned int n = run->internal.ndata;

		if (n > ARRAY_SIZE(run->internal.data))
			n = ARRAY_SIZE(run->internal.data);
		append(buf, len, ", data:");
		for (unsigned int i = 0; i < n; i++)
			append(buf, len, " 0x%llx", (unsigned long long)run->internal.data[i]);
	}
}

static void describe_exit(struct kvm_vcpu *vcpu, char *buf, size_t len)
{
	struct kvm_run *run = vcpu->run;

	snprintf(buf, len, "%s", exit_reason_str(run->exit_reason));
	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		const uint8_t *data = (const uint8_t *)run + run->io.data_offset;
		uint64_t value = 0;

		memcpy(&value, data, run->io.size <= 8 ? run->io.size : 8);
		append(buf, len, " (%s port 0x%x, size %u, count %u, value 0x%llx)",
		       run->io.direction == KVM_EXIT_IO_OUT ? "OUT to" : "IN from",
		       run->io.port, run->io.size, run->io.count,
		       (unsigned long long)value);
		break;
	}
	case KVM_EXIT_MMIO: {
		uint64_t value = 0;

		memcpy(&value, run->mmio.data, run->mmio.len <= 8 ? run->mmio.len : 8);
		append(buf, len, " (%s GPA 0x%llx, %u bytes%s0x%llx: no memory there)",
		       run->mmio.is_write ? "write to" : "read of",
		       (unsigned long long)run->mmio.phys_addr, run->mmio.len,
		       run->mmio.is_write ? ", value " : ", ",
		       (unsigned long long)value);
		break;
	}
	case KVM_EXIT_INTERNAL_ERROR:
		describe_internal_error(run, buf, len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		append(buf, len, " (hardware entry failure reason 0x%llx on CPU %u)",
		       (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		       run->fail_entry.cpu);
		break;
	case KVM_EXIT_SHUTDOWN:
		append(buf, len, " (triple fault: a fault while delivering a fault)");
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		append(buf, len, " (type %u)", run->system_event.type);
		break;
	case KVM_EXIT_EXCEPTION:
		append(buf, len, " (exception %u, error code 0x%x)", run->ex.exception,
		       run->ex.error_code);
		break;
	default:
		break;
	}
	vcpu_arch_describe_exit(vcpu, buf + strlen(buf), len - strlen(buf));
}

void vcpu_fail_unexpected_exit(struct kvm_vcpu *vcpu, const char *why)
{
	char desc[512], where[160];

	describe_exit(vcpu, desc, sizeof(desc));
	/*
	 * After a shutdown KVM may INIT the vCPU (kvm_amd does: the VMCB is
	 * undefined after a SHUTDOWN intercept), and the RIP of the fault is
	 * gone: say so rather than symbolize the reset vector.
	 */
	if (vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN && vcpu_arch_at_reset_vector(vcpu))
		snprintf(where, sizeof(where), "0xfff0, the reset vector: KVM INITed the vCPU after the shutdown, the RIP of the fault is lost");
	else
		guest_symbolize(vcpu_arch_rip(vcpu), where, sizeof(where));
	errno = 0;
	TEST_FAIL("vCPU %u: unexpected exit %s at RIP %s%s%s", vcpu->id, desc, where,
		  why ? "; " : "", why ? why : "");
}

void vcpu_assert_exit_reason(struct kvm_vcpu *vcpu, unsigned int reason)
{
	char why[96];

	if (vcpu->run->exit_reason == reason)
		return;
	snprintf(why, sizeof(why), "expected %s", exit_reason_str(reason));
	vcpu_fail_unexpected_exit(vcpu, why);
}

const char *guest_symbolize(uint64_t addr, char *buf, size_t len)
{
	char sym[128];

	if (guest_image_symbol(addr, sym, sizeof(sym)))
		snprintf(buf, len, "0x%llx <%s>", (unsigned long long)addr, sym);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
}
