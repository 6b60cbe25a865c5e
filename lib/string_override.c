// SPDX-License-Identifier: GPL-2.0-only
/*
 * memset/memcpy/memmove/memcmp/strlen for guest code.
 *
 * The compiler may turn struct copies and zeroing in guest code into calls
 * to these.  The C library's versions are not in guest memory (only the
 * test binary is), and pick SSE/AVX variants the guest cannot run here, so
 * the binary carries its own, which also serve the host.
 */
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep stosb"
			     : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep movsb"
			     : "+D"(d), "+S"(src), "+c"(n) :: "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlap with dst above src: copy backwards. */
	d += n - 1;
	s += n - 1;
	__asm__ __volatile__("std; rep movsb; cld"
			     : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	return dst;
}

/* READ_ONCE(): gcc must not turn these loops into calls to themselves. */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (READ_ONCE(x[i]) != READ_ONCE(y[i]))
			return READ_ONCE(x[i]) < READ_ONCE(y[i]) ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (READ_ONCE(*p))
		p++;
	return p - s;
}
