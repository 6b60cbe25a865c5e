// SPDX-License-Identifier: GPL-2.0-only
/*
 * apicv_observer_test: what the tracefs observer of
 * lib/x86_64/apicv_observer.c promises avic_inhibit_test and
 * ipi_delivery_test.  It sees this process's VMs, follows the threads and
 * children created after it opened and no other process, counts the
 * interrupts KVM accepted through APICv / AVIC (none where they are off),
 * and leaves no tracefs instance behind, also when its process is killed.
 * Needs /dev/kvm and root ("make check" runs it in the embedded VM where
 * the host has no KVM); SKIPs where tracefs or the event is missing.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_test_harness.h"
#include "apic.h"
#include "apicv_inhibit.h"
#include "compiler.h"

#define CHILD_TIMEOUT_MS	10000
#define SELF_IPI_VECTOR		0x42
#define SELF_IPIS		8

static struct apicv_observer *open_or_skip(void)
{
	struct apicv_observer *obs;
	char why[256];

	obs = apicv_observer_open(why, sizeof(why));
	TEST_REQUIRE_MSG(obs, "%s", why);
	return obs;
}

static void observer_fail(struct apicv_observer *obs, const char *what)
{
	apicv_observer_dump(obs, 0);
	TEST_FAIL("%s", what);
}

static void check_clean(struct apicv_observer *obs)
{
	if (obs->malformed || obs->lost)
		observer_fail(obs, "the observer read lines it could not parse, or lost events");
}

/* KVM_CREATE_VM alone: kvm_apicv_init() traces the creation event. */
static void create_bare_vm(void)
{
	int kvm = open_kvm_dev_path_or_exit(O_RDWR);
	int vm;

	do {
		vm = ioctl(kvm, KVM_CREATE_VM, 0);
	} while (vm < 0 && errno == EINTR);
	TEST_ASSERT(vm >= 0, "KVM_CREATE_VM");
	close(vm);
	close(kvm);
}

static pid_t gettid_raw(void)
{
	return syscall(SYS_gettid);
}

static void read_text(const char *dir, const char *file, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	TEST_ASSERT(!read_text_file(path, buf, len), "reading %s", path);
}

static bool dir_exists(const char *path)
{
	struct stat st;
	bool exists = !stat(path, &st);

	errno = 0;	/* ENOENT is an answer here, not a failure's cause */
	return exists;
}

/* Read what another process sends on @fd, waiting at most CHILD_TIMEOUT_MS. */
static void wait_message(int fd, char *buf, size_t len, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	TEST_ASSERT(poll(&p, 1, CHILD_TIMEOUT_MS) == 1, "no word from %s within %d ms",
		    what, CHILD_TIMEOUT_MS);
	n = read(fd, buf, len - 1);
	TEST_ASSERT(n > 0, "reading from %s", what);
	buf[n] = '\0';
}

/* In a child: one byte from the parent within CHILD_TIMEOUT_MS, not EOF. */
static bool child_wait_word(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b;

	return poll(&p, 1, CHILD_TIMEOUT_MS) == 1 && read(fd, &b, 1) == 1;
}

/* Fork with nothing buffered, so the child's exit() prints nothing twice. */
static pid_t fork_flushed(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	return pid;
}

static void wait_child(pid_t pid, int *status)
{
	for (int i = 0; i < CHILD_TIMEOUT_MS / 10; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	TEST_FAIL("child %d did not end within %d ms", (int)pid, CHILD_TIMEOUT_MS);
}

KVM_TEST(observer_sees_own_vm_creation)
{
	struct apicv_observer *obs = open_or_skip();
	const struct apicv_inhibit_event *ev;
	struct apicv_host host;
	char buf[64];

	TEST_ASSERT(dir_exists(obs->dir), "no instance %s", obs->dir);
	read_text(obs->dir, "set_event_pid", buf, sizeof(buf));
	TEST_ASSERT(atoi(buf) == getpid(), "set_event_pid is '%s', expected %d", buf, getpid());
	read_text(obs->dir, "options/event-fork", buf, sizeof(buf));
	TEST_ASSERT(buf[0] == '1', "options/event-fork is '%s'", buf);

	create_bare_vm();
	apicv_observer_poll(obs);
	check_clean(obs);
	if (obs->creations != 1)
		observer_fail(obs, "expected exactly one VM creation event, this VM's");
	ev = &obs->events[0];
	apicv_host_probe(&host, obs);
	ksft_print_msg("creation event: %s-%d cpu %d: %s reason=%u, inhibits=0x%lx (%s format)\n",
		       ev->comm, ev->pid, ev->cpu, ev->set ? "set" : "cleared", ev->reason,
		       ev->inhibits, ev->named ? "6.11+ named" : "numbers-only");
	ksft_print_msg("host: %s, kernel %u.%u; %s\n", host.backend, host.kver_major,
		       host.kver_minor, host.enabled ? "APICv/AVIC enabled" : host.why_off);
	/* The task name tracefs records is this process's. */
	TEST_ASSERT(ev->pid == getpid() && !strncmp(ev->comm, program_invocation_short_name, 15),
		    "event of %s-%d", ev->comm, ev->pid);
	apicv_observer_close(obs);
}

/* A process that was not forked from this one after open is not followed. */
KVM_TEST(observer_ignores_other_processes)
{
	struct apicv_observer *obs;
	int go[2], done[2], status;
	char buf[8];
	pid_t child;

	/* SKIP, if it must, before there is a child to leave behind. */
	apicv_observer_close(open_or_skip());

	TEST_ASSERT(!pipe(go) && !pipe(done), "pipe");
	child = fork_flushed();
	if (!child) {
		/* Alone with the read end: a parent gone is EOF, not a hang. */
		close(go[1]);
		close(done[0]);
		if (!child_wait_word(go[0]))
			_exit(2);
		create_bare_vm();
		if (write(done[1], "d", 1) != 1)
			_exit(2);
		_exit(0);
	}
	close(go[0]);
	close(done[1]);

	obs = open_or_skip();
	TEST_ASSERT(write(go[1], "g", 1) == 1, "write");
	wait_message(done[0], buf, sizeof(buf), "the other process");
	wait_child(child, &status);
	TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status), "child status 0x%x", status);

	apicv_observer_poll(obs);
	check_clean(obs);
	if (obs->nr_events)
		observer_fail(obs, "saw an event of a process it does not follow");

	/* The observer works: this process's own VM is seen. */
	create_bare_vm();
	apicv_observer_poll(obs);
	if (obs->creations != 1 || obs->events[0].pid != getpid())
		observer_fail(obs, "did not see this process's own VM creation");
	apicv_observer_close(obs);
}

static void *thread_creates_vm(void *arg)
{
	*(pid_t *)arg = gettid_raw();
	create_bare_vm();
	return NULL;
}

/* options/event-fork: threads and children created after open are followed. */
KVM_TEST(observer_follows_new_threads_and_children)
{
	struct apicv_observer *obs = open_or_skip();
	bool seen_thread = false, seen_child = false;
	pid_t tid = 0, child;
	pthread_t thread;
	int status;

	TEST_ASSERT(!pthread_create(&thread, NULL, thread_creates_vm, &tid), "pthread_create");
	TEST_ASSERT(!pthread_join(thread, NULL), "pthread_join");

	child = fork_flushed();
	if (!child) {
		create_bare_vm();
		_exit(0);
	}
	wait_child(child, &status);
	TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status), "child status 0x%x", status);

	apicv_observer_poll(obs);
	check_clean(obs);
	for (unsigned int i = 0; i < obs->nr_events; i++) {
		const struct apicv_inhibit_event *ev = &obs->events[i];

		if (!apicv_event_is_creation(ev))
			continue;
		seen_thread |= ev->pid == tid;
		seen_child |= ev->pid == child;
		if (ev->pid != tid && ev->pid != child)
			observer_fail(obs, "a creation event from neither the thread nor the child");
	}
	if (!seen_thread || !seen_child || obs->creations != 2) {
		ksft_print_msg("thread %d, child %d\n", (int)tid, (int)child);
		observer_fail(obs, "missed the VM creation of a new thread or child");
	}
	apicv_observer_close(obs);
}

/*
 * A child opens an observer, then fails the way TEST_ASSERT does (exit())
 * or waits to be killed (bounded: a parent gone is EOF on @hold_fd).
 */
static void child_open_then(bool killed, int report_fd, int hold_fd)
{
	char why[256];
	struct apicv_observer *obs = apicv_observer_open(why, sizeof(why));

	if (!obs)
		_exit(3);
	if (write(report_fd, obs->dir, strlen(obs->dir)) < 0)
		_exit(2);
	if (killed) {
		child_wait_word(hold_fd);
		_exit(2);
	}
	exit(KSFT_FAIL);
}

static void check_instance_gone_after_child(bool killed)
{
	char dir[256] = "";
	int fds[2], hold[2], status;
	pid_t child;

	TEST_ASSERT(!pipe(fds) && !pipe(hold), "pipe");
	child = fork_flushed();
	if (!child) {
		close(fds[0]);
		close(hold[1]);
		child_open_then(killed, fds[1], hold[0]);
	}
	close(fds[1]);
	close(hold[0]);

	wait_message(fds[0], dir, sizeof(dir), "the child");
	TEST_ASSERT(dir_exists(dir), "the child's instance %s does not exist", dir);
	if (killed)
		kill(child, SIGKILL);
	wait_child(child, &status);
	close(fds[0]);
	close(hold[1]);

	if (!killed) {
		TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == KSFT_FAIL,
			    "child status 0x%x", status);
		TEST_ASSERT(!dir_exists(dir), "%s left behind by exit()", dir);
		return;
	}
	/* No exit handler runs on SIGKILL: the next observer reaps it. */
	TEST_ASSERT(dir_exists(dir), "%s vanished on its own", dir);
	apicv_observer_close(open_or_skip());
	TEST_ASSERT(!dir_exists(dir), "%s of a killed process not reaped", dir);
}

KVM_TEST(observer_instance_removed_on_close_exit_and_kill)
{
	struct apicv_observer *obs = open_or_skip();
	char dir[sizeof(obs->dir)];

	memcpy(dir, obs->dir, sizeof(dir));
	apicv_observer_close(obs);
	TEST_ASSERT(!dir_exists(dir), "%s left behind by close", dir);

	check_instance_gone_after_child(false);
	check_instance_gone_after_child(true);
}

/*
 * Fixed self-IPIs through the xAPIC ICR: with APICv / AVIC active, KVM
 * accepts each through it (posted on VMX) and traces kvm_apicv_accept_irq;
 * with them off, never.
 */
static uint32_t self_ipis_taken;

static void self_ipi_handler(struct ex_regs *regs)
{
	WRITE_ONCE(self_ipis_taken, READ_ONCE(self_ipis_taken) + 1);
	xapic_eoi();
}

static void guest_self_ipis(void)
{
	xapic_enable();
	sti();
	for (int i = 0; i < SELF_IPIS; i++) {
		xapic_write_icr(APIC_DEST_SELF | APIC_DM_FIXED | SELF_IPI_VECTOR);
		for (long spin = 0; spin < 10000000 && READ_ONCE(self_ipis_taken) <= i; spin++)
			cpu_relax();
		GUEST_ASSERT_EQ(READ_ONCE(self_ipis_taken), i + 1);
	}
	GUEST_DONE();
}

KVM_TEST(observer_counts_interrupts_accepted_through_apicv)
{
	struct apicv_observer *obs = open_or_skip();
	struct apicv_host host;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	char why[256];

	TEST_REQUIRE_MSG(apicv_observer_count_posted(obs, why, sizeof(why)), "%s", why);
	vm = vm_create_with_one_vcpu(&vcpu, guest_self_ipis);
	vm_install_exception_handler(vm, SELF_IPI_VECTOR, self_ipi_handler);
	vcpu_run_to_done(vcpu);
	kvm_vm_free(vm);
	apicv_observer_poll(obs);
	check_clean(obs);
	apicv_host_probe(&host, obs);
	ksft_print_msg("%d self-IPIs; %s: %lu accepted through APICv/AVIC; inhibits at the end: 0x%lx\n",
		       SELF_IPIS, host.enabled ? "APICv/AVIC enabled" : host.why_off,
		       obs->posted, obs->mask);
	if (host.enabled && !(obs->mask & host.honoured & ~APICV_INHIBIT(ABSENT)))
		TEST_ASSERT(obs->posted >= SELF_IPIS,
			    "APICv/AVIC active, yet %lu of %d interrupts went through it",
			    obs->posted, SELF_IPIS);
	else
		TEST_ASSERT(!obs->posted, "APICv/AVIC not active, yet %lu interrupts went through it",
			    obs->posted);
	apicv_observer_close(obs);
}

KVM_TEST_HARNESS_MAIN
