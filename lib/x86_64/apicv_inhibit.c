// SPDX-License-Identifier: GPL-2.0-only
/*
 * APICv / AVIC inhibits: reason names and the parser of
 * kvm:kvm_apicv_inhibit_changed lines (apicv_inhibit.h).  The tracefs
 * observer is apicv_observer.c, the host probe apicv_host.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>

#include "test_util.h"
#include "apicv_inhibit.h"

#define BITS_PER_ULONG	(8 * sizeof(unsigned long))

static const char *const inhibit_names[APICV_INHIBIT_NR_KNOWN] = {
	[APICV_INHIBIT_DISABLED]		= "DISABLED",
	[APICV_INHIBIT_HYPERV]			= "HYPERV",
	[APICV_INHIBIT_ABSENT]			= "ABSENT",
	[APICV_INHIBIT_BLOCKIRQ]		= "BLOCKIRQ",
	[APICV_INHIBIT_PHYSICAL_ID_ALIASED]	= "PHYSICAL_ID_ALIASED",
	[APICV_INHIBIT_APIC_ID_MODIFIED]	= "APIC_ID_MODIFIED",
	[APICV_INHIBIT_APIC_BASE_MODIFIED]	= "APIC_BASE_MODIFIED",
	[APICV_INHIBIT_NESTED]			= "NESTED",
	[APICV_INHIBIT_IRQWIN]			= "IRQWIN",
	[APICV_INHIBIT_PIT_REINJ]		= "PIT_REINJ",
	[APICV_INHIBIT_SEV]			= "SEV",
	[APICV_INHIBIT_LOGICAL_ID_ALIASED]	= "LOGICAL_ID_ALIASED",
	[APICV_INHIBIT_PHYSICAL_ID_TOO_BIG]	= "PHYSICAL_ID_TOO_BIG",
};

#define KNOWN_INHIBITS	((1ul << APICV_INHIBIT_NR_KNOWN) - 1)

const char *apicv_inhibit_name(unsigned int reason)
{
	return reason < APICV_INHIBIT_NR_KNOWN ? inhibit_names[reason] : NULL;
}

int apicv_inhibit_by_name(const char *name, size_t len)
{
	for (unsigned int i = 0; i < APICV_INHIBIT_NR_KNOWN; i++)
		if (strlen(inhibit_names[i]) == len && !memcmp(inhibit_names[i], name, len))
			return i;
	return -1;
}

const char *apicv_inhibit_mask_str(unsigned long mask, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!mask) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (unsigned int bit = 0; bit < BITS_PER_ULONG && used < len; bit++) {
		const char *name = apicv_inhibit_name(bit);

		if (!(mask & (1ul << bit)))
			continue;
		if (name)
			used += snprintf(buf + used, len - used, "%s%s", used ? "|" : "", name);
		else
			used += snprintf(buf + used, len - used, "%sbit%u", used ? "|" : "", bit);
	}
	return buf;
}

bool apicv_event_is_creation(const struct apicv_inhibit_event *ev)
{
	/* kvm_apicv_init() is the only place that sets these two. */
	return ev->set && (ev->reason == APICV_INHIBIT_DISABLED ||
			   ev->reason == APICV_INHIBIT_ABSENT);
}

/* The line parser */

/*
 * All of [p, end) as a number in @base: digits of that base only, no sign,
 * prefix or space (strtoull() would take those), and no overflow.
 */
static bool span_number(const char *p, const char *end, int base, uint64_t *out)
{
	const char *digits = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
	size_t n = end - p;
	char buf[24];

	if (p >= end || n >= sizeof(buf))
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (strspn(buf, digits) != n)
		return false;
	errno = 0;
	*out = strtoull(buf, NULL, base);
	return errno != ERANGE;
}

/* How many characters from @p on are digits of @base. */
static size_t digits_at(const char *p, const char *end, int base)
{
	const char *q = p;

	while (q < end && (base == 16 ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q)))
		q++;
	return q - p;
}

/* Consume @word at *p if it is there. */
static bool eat(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) < n || memcmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

static bool is_name_char(char c)
{
	return isupper((unsigned char)c) || isdigit((unsigned char)c) || c == '_';
}

/*
 * "NAME|NAME|0x..." as __print_flags() writes it for @mask: every known
 * name's bit is in the mask, each bit once, a hex remainder only last, and
 * every set bit accounted for.  Names this file does not know (a newer
 * kernel) are accepted one for one against bits it has no name for.
 */
static bool names_match_mask(const char *p, const char *end, unsigned long mask)
{
	unsigned long covered = 0, rest;
	unsigned int unknown = 0;

	for (;;) {
		const char *q = p;

		while (q < end && *q != '|')
			q++;
		if (q == p)
			return false;
		if (q - p > 2 && p[0] == '0' && p[1] == 'x') {
			uint64_t bits;

			/* Only bits the kernel has no name for are printed so. */
			if (q != end || !span_number(p + 2, q, 16, &bits) || !bits ||
			    (bits & ~mask) || (bits & covered) || (bits & KNOWN_INHIBITS))
				return false;
			covered |= bits;
		} else {
			int bit = apicv_inhibit_by_name(p, q - p);

			if (!isupper((unsigned char)p[0]))
				return false;
			for (const char *c = p; c < q; c++)
				if (!is_name_char(*c))
					return false;
			if (bit < 0) {
				unknown++;
			} else {
				if (!(mask & (1ul << bit)) || (covered & (1ul << bit)))
					return false;
				covered |= 1ul << bit;
			}
		}
		if (q == end)
			break;
		p = q + 1;
	}
	rest = mask & ~covered;
	return !(rest & KNOWN_INHIBITS) && (unsigned int)__builtin_popcountl(rest) == unknown;
}

bool apicv_inhibit_parse_payload(const char *text, size_t len,
				 struct apicv_inhibit_event *ev)
{
	const char *p = text, *end = text + len, *q;
	uint64_t reason, inhibits;

	while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r'))
		end--;

	if (eat(&p, end, "set "))
		ev->set = true;
	else if (eat(&p, end, "cleared "))
		ev->set = false;
	else
		return false;

	if (!eat(&p, end, "reason="))
		return false;
	q = p + digits_at(p, end, 10);
	if (!span_number(p, q, 10, &reason) || reason >= BITS_PER_ULONG)
		return false;
	ev->reason = reason;

	p = q;
	if (!eat(&p, end, ", inhibits=0x"))
		return false;
	q = p + digits_at(p, end, 16);
	if (!span_number(p, q, 16, &inhibits))
		return false;
	ev->inhibits = inhibits;

	/* 6.11+: " NAME|NAME" follows a mask that is not 0, nothing otherwise. */
	ev->named = q < end;
	if (ev->named && (*q != ' ' || !ev->inhibits ||
			  !names_match_mask(q + 1, end, ev->inhibits)))
		return false;

	/* The mask is taken after the change: set means the bit is in it. */
	return ev->set == !!(ev->inhibits & (1ul << ev->reason));
}

/*
 * The tracefs prefix, "<comm>-<pid> [(<tgid>)] [<cpu>] <flags> <ts>:",
 * read from its end backwards because a task name may hold spaces, dashes
 * and brackets.  [p, end) stops at the ':' after the timestamp.
 */
static bool parse_prefix(const char *p, const char *end, struct apicv_inhibit_event *ev)
{
	const char *q = end, *mark, *dash;
	uint64_t v, frac = 0;
	unsigned int frac_digits = 0;

	/* Timestamp: seconds[.fraction], or a bare counter. */
	while (q > p && (isdigit((unsigned char)q[-1]) || q[-1] == '.'))
		q--;
	mark = memchr(q, '.', end - q);
	if (mark) {
		if (!span_number(q, mark, 10, &v) || mark + 1 == end ||
		    memchr(mark + 1, '.', end - mark - 1) || end - mark - 1 > 9 ||
		    !span_number(mark + 1, end, 10, &frac))
			return false;
		frac_digits = end - mark - 1;
		while (frac_digits++ < 9)
			frac *= 10;
		ev->ts_ns = v * 1000000000ull + frac;
	} else {
		if (!span_number(q, end, 10, &v))
			return false;
		ev->ts_ns = v;
	}

	/* Latency flags ("....." since 5.13, "...." before): one word. */
	if (q == p || q[-1] != ' ')
		return false;
	while (q > p && q[-1] == ' ')
		q--;
	end = q;
	while (q > p && q[-1] != ' ')
		q--;
	if (end - q < 1 || end - q > 8 || memchr(q, ']', end - q) || memchr(q, ':', end - q))
		return false;

	/* "[cpu]" */
	while (q > p && q[-1] == ' ')
		q--;
	if (q == p || q[-1] != ']')
		return false;
	end = --q;
	while (q > p && isdigit((unsigned char)q[-1]))
		q--;
	if (q == p || q[-1] != '[' || !span_number(q, end, 10, &v) || v > INT32_MAX)
		return false;
	ev->cpu = v;
	q--;

	/* Optional "(tgid)" of the record-tgid option. */
	while (q > p && q[-1] == ' ')
		q--;
	if (q > p && q[-1] == ')') {
		end = q - 1;
		while (q > p && q[-1] != '(')
			q--;
		if (q == p)
			return false;
		for (const char *c = q; c < end; c++)
			if (*c != ' ' && *c != '-' && !isdigit((unsigned char)*c))
				return false;
		q--;
		while (q > p && q[-1] == ' ')
			q--;
	}

	/* "<comm>-<pid>" */
	end = q;
	while (q > p && isdigit((unsigned char)q[-1]))
		q--;
	if (!span_number(q, end, 10, &v) || v > INT32_MAX)
		return false;
	ev->pid = v;
	dash = q - 1;
	if (dash <= p || *dash != '-' || dash - p > (long)sizeof(ev->comm) - 1)
		return false;
	memcpy(ev->comm, p, dash - p);
	ev->comm[dash - p] = '\0';
	return true;
}

unsigned long apicv_trace_lost_events(const char *line)
{
	unsigned long cpu, lost;
	char tail;

	/* print_trace_line() (kernel/trace/trace.c) after an overrun. */
	if (sscanf(line, " CPU:%lu [LOST %lu EVENTS%c", &cpu, &lost, &tail) != 3 || tail != ']')
		return 0;
	return lost;
}

enum apicv_line_kind apicv_inhibit_parse_line(const char *line,
					      struct apicv_inhibit_event *ev)
{
	static const char marker[] = " " APICV_INHIBIT_EVENT ": ";
	const char *p = line, *end = line + strlen(line), *mark;

	memset(ev, 0, sizeof(*ev));
	while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return APICV_LINE_IGNORED;

	mark = memmem(p, end - p, marker, sizeof(marker) - 1);
	if (!mark)
		return memmem(p, end - p, APICV_INHIBIT_EVENT, strlen(APICV_INHIBIT_EVENT)) ?
		       APICV_LINE_MALFORMED : APICV_LINE_IGNORED;

	if (mark == p || mark[-1] != ':' ||
	    !parse_prefix(p, mark - 1, ev) ||
	    !apicv_inhibit_parse_payload(mark + sizeof(marker) - 1,
					 end - (mark + sizeof(marker) - 1), ev)) {
		memset(ev, 0, sizeof(*ev));
		return APICV_LINE_MALFORMED;
	}
	return APICV_LINE_EVENT;
}
