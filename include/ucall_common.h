/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ucall: the guest calls the host.
 *
 * Each vCPU owns one slot in its per-CPU block (guest_percpu.h), so any
 * number of vCPUs can call at once and nothing is searched or locked.  The
 * guest fills its slot and does one port write; the host reads the slot of
 * the vCPU that exited.
 *
 * Messages are formatted by the host, not the guest: the guest stores the
 * format's address and the raw argument values, and the host formats them
 * with the guest's memory at hand (a "%s" argument is read from guest
 * memory).  This keeps the guest path to a few stores, which matters where
 * guest code is emulated instruction by instruction.
 */
#ifndef SELFTEST_KVM_UCALL_COMMON_H
#define SELFTEST_KVM_UCALL_COMMON_H

#include "compiler.h"
#include <stdint.h>

enum {
	UCALL_NONE,
	UCALL_SYNC,		/* GUEST_SYNC(args...) */
	UCALL_DONE,		/* GUEST_DONE() */
	UCALL_ABORT,		/* failed GUEST_ASSERT*, GUEST_FAIL() */
	UCALL_PRINTF,		/* GUEST_PRINTF() */
	UCALL_UNHANDLED,	/* unexpected guest exception: vector, error code, RIP */
	UCALL_RETURNED,		/* the guest entry function returned */
};

#define UCALL_MAX_ARGS		8
#define UCALL_BUFFER_LEN	1024

/* I/O port the guest writes to call the host. */
#define UCALL_PIO_PORT		0x1000

/* What the guest writes; lives in guest memory. */
struct ucall_slot {
	uint64_t cmd;
	uint64_t nargs;
	uint64_t args[UCALL_MAX_ARGS];
	uint64_t file;		/* guest address of __FILE__ */
	uint64_t line;
	uint64_t fmt;		/* guest address of the format, or 0 */
};

/* What the host gets from get_ucall(). */
struct ucall {
	uint64_t cmd;
	uint64_t nargs;
	uint64_t args[UCALL_MAX_ARGS];
	uint32_t vcpu_id;
	/*
	 * ABORT: "file:line: message"; PRINTF: the message;
	 * UNHANDLED, RETURNED: a description of the event.
	 */
	char buffer[UCALL_BUFFER_LEN];
};

/* Guest side */

void ucall_args(uint64_t cmd, int nargs, const uint64_t *args);
void ucall_fmt(uint64_t cmd, const char *file, unsigned int line,
	       const char *fmt, int nargs, ...)
	__printf(4, 6);
/* The architecture's exit to the host (a port write on x86). */
void ucall_arch_do_ucall(void);

/* Number of macro arguments, 0 to 8. */
#define __UCALL_NARGS(...) \
	__UCALL_NTH(_, ##__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define __UCALL_NTH(_0, _1, _2, _3, _4, _5, _6, _7, _8, n, ...) n

/*
 * The arguments as initializers of a uint64_t array: [i] = (uint64_t)(arg),
 * each converted whatever its type.
 */
#define __UCALL_ARGS_0()
#define __UCALL_ARGS_1(a)							\
	[0] = (uint64_t)(a)
#define __UCALL_ARGS_2(a, b)							\
	[0] = (uint64_t)(a), [1] = (uint64_t)(b)
#define __UCALL_ARGS_3(a, b, c)							\
	[0] = (uint64_t)(a), [1] = (uint64_t)(b), [2] = (uint64_t)(c)
#define __UCALL_ARGS_4(a, b, c, d)						\
	[0] = (uint64_t)(a), [1] = (uint64_t)(b), [2] = (uint64_t)(c),		\
	[3] = (uint64_t)(d)
#define __UCALL_ARGS_5(a, b, c, d, e)						\
	[0] = (uint64_t)(a), [1] = (uint64_t)(b), [2] = (uint64_t)(c),		\
	[3] = (uint64_t)(d), [4] = (uint64_t)(e)
#define __UCALL_ARGS_6(a, b, c, d, e, f)					\
	[0] = (uint64_t)(a), [1] = (uint64_t)(b), [2] = (uint64_t)(c),		\
	[3] = (uint64_t)(d), [4] = (uint64_t)(e), [5] = (uint64_t)(f)
#define __UCALL_ARGS_7(a, b, c, d, e, f, g)					\
	[0] = (uint64_t)(a), [1] = (uint64_t)(b), [2] = (uint64_t)(c),		\
	[3] = (uint64_t)(d), [4] = (uint64_t)(e), [5] = (uint64_t)(f),		\
	[6] = (uint64_t)(g)
#define __UCALL_ARGS_8(a, b, c, d, e, f, g, h)					\
	[0] = (uint64_t)(a), [1] = (uint64_t)(b), [2] = (uint64_t)(c),		\
	[3] = (uint64_t)(d), [4] = (uint64_t)(e), [5] = (uint64_t)(f),		\
	[6] = (uint64_t)(g), [7] = (uint64_t)(h)
#define __UCALL_ARGS_PICK(n)	__UCALL_ARGS_##n
#define __UCALL_ARGS_APPLY(n, ...) __UCALL_ARGS_PICK(n)(__VA_ARGS__)
#define __UCALL_ARGS(...)							\
	__UCALL_ARGS_APPLY(__UCALL_NARGS(__VA_ARGS__), ##__VA_ARGS__)

/* Stop and hand the host up to 8 values; the host resumes the guest. */
#define GUEST_SYNC(...)								\
	ucall_args(UCALL_SYNC, __UCALL_NARGS(__VA_ARGS__),			\
		   (const uint64_t [UCALL_MAX_ARGS]) { __UCALL_ARGS(__VA_ARGS__) })

#define GUEST_DONE()	ucall_args(UCALL_DONE, 0, NULL)

/* Print a line on the host, formatted there (up to 8 arguments). */
#define GUEST_PRINTF(fmt, ...)							\
	ucall_fmt(UCALL_PRINTF, __FILE__, __LINE__, fmt,			\
		  __UCALL_NARGS(__VA_ARGS__), ##__VA_ARGS__)

#define GUEST_FAIL(fmt, ...)							\
	ucall_fmt(UCALL_ABORT, __FILE__, __LINE__, fmt,				\
		  __UCALL_NARGS(__VA_ARGS__), ##__VA_ARGS__)

/* Reported as "file:line: cond". */
#define GUEST_ASSERT(cond)							\
do {										\
	if (!(cond))								\
		ucall_fmt(UCALL_ABORT, __FILE__, __LINE__, "%s", 1, #cond);	\
} while (0)

/* Reported as "file:line: cond: message" (up to 7 arguments). */
#define __GUEST_ASSERT(cond, fmt, ...)						\
do {										\
	if (!(cond))								\
		ucall_fmt(UCALL_ABORT, __FILE__, __LINE__, "%s: " fmt,		\
			  __UCALL_NARGS(#cond, ##__VA_ARGS__), #cond,		\
			  ##__VA_ARGS__);					\
} while (0)

/* Reported as "file:line: a op b (0xA vs 0xB)". */
#define __GUEST_ASSERT_CMP(a, op, b)						\
do {										\
	__typeof__(a) __ga = (a);						\
	__typeof__(b) __gb = (b);						\
										\
	if (!(__ga op __gb))							\
		ucall_fmt(UCALL_ABORT, __FILE__, __LINE__,			\
			  "%s (0x%lx vs 0x%lx)", 3, #a " " #op " " #b,		\
			  (unsigned long)__ga, (unsigned long)__gb);		\
} while (0)

#define GUEST_ASSERT_EQ(a, b)	__GUEST_ASSERT_CMP(a, ==, b)
#define GUEST_ASSERT_NE(a, b)	__GUEST_ASSERT_CMP(a, !=, b)
#define GUEST_ASSERT_LT(a, b)	__GUEST_ASSERT_CMP(a, <, b)
#define GUEST_ASSERT_LE(a, b)	__GUEST_ASSERT_CMP(a, <=, b)
#define GUEST_ASSERT_GT(a, b)	__GUEST_ASSERT_CMP(a, >, b)
#define GUEST_ASSERT_GE(a, b)	__GUEST_ASSERT_CMP(a, >=, b)

/* Host side */

struct kvm_vcpu;

/*
 * The ucall behind the vCPU's last exit, copied (and its message
 * formatted) into @uc if non-NULL.  Any other exit fails the test with a
 * description of the exit.
 */
uint64_t get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);

/*
 * Run until the guest makes a SYNC or DONE ucall and return it.  Guest
 * printfs are printed on the way; a guest assert, an unexpected guest
 * exception or a return from the entry function fails the test.
 */
uint64_t vcpu_run_until_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);

/* Run until GUEST_DONE(); a GUEST_SYNC() on the way fails the test. */
void vcpu_run_to_done(struct kvm_vcpu *vcpu);

/* Fail the test with the report of a guest failure (ABORT, UNHANDLED...). */
void __noreturn report_guest_failure(const struct ucall *uc);
#define REPORT_GUEST_ASSERT(uc) report_guest_failure(&(uc))

/* The name of a ucall command, for messages. */
const char *ucall_cmd_name(uint64_t cmd);

#endif /* SELFTEST_KVM_UCALL_COMMON_H */
