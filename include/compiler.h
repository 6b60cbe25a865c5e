/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compiler attributes and access macros, spelled as in kernel code, for
 * the library, the tests and their guest code.
 */
#ifndef SELFTEST_KVM_COMPILER_H
#define SELFTEST_KVM_COMPILER_H

#include <stdint.h>

#ifndef __packed
#define __packed		__attribute__((__packed__))
#endif
#ifndef __aligned
#define __aligned(x)		__attribute__((__aligned__(x)))
#endif
#ifndef __maybe_unused
#define __maybe_unused		__attribute__((__unused__))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn		__attribute__((__noreturn__))
#endif
#ifndef __weak
#define __weak			__attribute__((__weak__))
#endif
#ifndef __cold
#define __cold			__attribute__((__cold__))
#endif
#ifndef noinline
#define noinline		__attribute__((__noinline__))
#endif

/*
 * One access the compiler neither tears, merges, repeats nor moves across
 * other volatile accesses: memory the other side changes (guest and host
 * share it; an interrupt handler counts into it) and MMIO registers.
 */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	((void)(*(volatile __typeof__(x) *)&(x) = (val)))

/* Make the compiler forget what it knows of @var's value. */
#define OPTIMIZER_HIDE_VAR(var)	__asm__("" : "=r"(var) : "0"(var))

/* 32-bit MMIO accesses (guest code). */
static inline uint32_t mmio_read32(unsigned long addr)
{
	return READ_ONCE(*(uint32_t *)addr);
}

static inline void mmio_write32(unsigned long addr, uint32_t value)
{
	WRITE_ONCE(*(uint32_t *)addr, value);
}

#endif /* SELFTEST_KVM_COMPILER_H */
