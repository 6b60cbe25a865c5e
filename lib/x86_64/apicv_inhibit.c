// SPDX-License-Identifier: GPL-2.0-only
/*
 * APICv / AVIC inhibits seen through kvm:kvm_apicv_inhibit_changed: the
 * line parser, a per-process tracefs observer, and the host probe.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "apicv_inhibit.h"
#include "kvm_host.h"

#define BITS_PER_ULONG	(8 * sizeof(unsigned long))

/* --- Reason names ----------------------------------------------------------- */

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

/* --- The line parser -------------------------------------------------------- */

static bool is_dec(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_val(char c)
{
	if (is_dec(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* All of [p, end) as a decimal number, without overflow. */
static bool dec_span(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (p >= end)
		return false;
	for (; p < end; p++) {
		if (!is_dec(*p) || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

/* All of [p, end) as hex digits (no "0x"), at most one unsigned long. */
static bool hex_span(const char *p, const char *end, unsigned long *out)
{
	unsigned long v = 0;

	if (p >= end || end - p > (long)(BITS_PER_ULONG / 4))
		return false;
	for (; p < end; p++) {
		int d = hex_val(*p);

		if (d < 0)
			return false;
		v = (v << 4) | (unsigned long)d;
	}
	*out = v;
	return true;
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
	return (c >= 'A' && c <= 'Z') || is_dec(c) || c == '_';
}

static unsigned int popcount_ul(unsigned long v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
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
			unsigned long bits;

			/* Only bits the kernel has no name for are printed so. */
			if (q != end || !hex_span(p + 2, q, &bits) || !bits ||
			    (bits & ~mask) || (bits & covered) || (bits & KNOWN_INHIBITS))
				return false;
			covered |= bits;
		} else {
			int bit = apicv_inhibit_by_name(p, q - p);

			if (p[0] < 'A' || p[0] > 'Z')
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
	return !(rest & KNOWN_INHIBITS) && popcount_ul(rest) == unknown;
}

bool apicv_inhibit_parse_payload(const char *text, size_t len,
				 struct apicv_inhibit_event *ev)
{
	const char *p = text, *end = text + len, *q;
	uint64_t reason;

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
	for (q = p; q < end && is_dec(*q); q++)
		;
	if (!dec_span(p, q, &reason) || reason >= BITS_PER_ULONG)
		return false;
	ev->reason = reason;

	p = q;
	if (!eat(&p, end, ", inhibits=0x"))
		return false;
	for (q = p; q < end && hex_val(*q) >= 0; q++)
		;
	if (!hex_span(p, q, &ev->inhibits))
		return false;

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
	while (q > p && (is_dec(q[-1]) || q[-1] == '.'))
		q--;
	mark = memchr(q, '.', end - q);
	if (mark) {
		if (!dec_span(q, mark, &v) || mark + 1 == end ||
		    memchr(mark + 1, '.', end - mark - 1) || end - mark - 1 > 9 ||
		    !dec_span(mark + 1, end, &frac))
			return false;
		frac_digits = end - mark - 1;
		while (frac_digits++ < 9)
			frac *= 10;
		ev->ts_ns = v * 1000000000ull + frac;
	} else {
		if (!dec_span(q, end, &v))
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
	while (q > p && is_dec(q[-1]))
		q--;
	if (q == p || q[-1] != '[' || !dec_span(q, end, &v) || v > INT32_MAX)
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
			if (*c != ' ' && *c != '-' && !is_dec(*c))
				return false;
		q--;
		while (q > p && q[-1] == ' ')
			q--;
	}

	/* "<comm>-<pid>" */
	end = q;
	while (q > p && is_dec(q[-1]))
		q--;
	if (!dec_span(q, end, &v) || v > INT32_MAX)
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

/* --- tracefs ------------------------------------------------------------------ */

#define TRACEFS_DEFAULT		"/sys/kernel/tracing"
/* statfs() f_type of tracefs (TRACEFS_MAGIC in include/uapi/linux/magic.h). */
#define TRACEFS_MAGIC_NUMBER	0x74726163
#define INSTANCE_PREFIX		"kvm-selftest-"
#define EVENT_DIR		"events/kvm/" APICV_INHIBIT_EVENT

static struct apicv_observer *open_observers;

/* Copy as much of @src as fits, always terminated. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool path_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static int write_str(const char *dir, const char *file, const char *value)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

static bool is_tracefs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == TRACEFS_MAGIC_NUMBER;
}

/* Where tracefs is mounted; mount it at the usual place if nowhere. */
static bool find_tracefs(char *root, size_t len, char *why, size_t why_len)
{
	char dev[256], mnt[256], type[64];
	bool found = false;
	FILE *f = fopen("/proc/mounts", "r");

	/* A tracefs entry counts only if nothing is mounted over it since. */
	while (f && !found && fscanf(f, "%255s %255s %63s %*[^\n]", dev, mnt, type) == 3)
		if (!strcmp(type, "tracefs") && !strchr(mnt, '\\') && strlen(mnt) < len &&
		    is_tracefs(mnt)) {
			copy_str(root, len, mnt);
			found = true;
		}
	if (f)
		fclose(f);
	if (found)
		return true;

	if (!path_exists(TRACEFS_DEFAULT)) {
		snprintf(why, why_len, "no tracefs: %s does not exist (kernel without "
			 "CONFIG_TRACING?)", TRACEFS_DEFAULT);
		return false;
	}
	if (mount("nodev", TRACEFS_DEFAULT, "tracefs", 0, NULL)) {
		snprintf(why, why_len, "tracefs is not mounted and mounting it at %s "
			 "failed: %s", TRACEFS_DEFAULT, strerror(errno));
		return false;
	}
	snprintf(root, len, "%s", TRACEFS_DEFAULT);
	return true;
}

/* Disable the event, then remove the instance (EBUSY while a reader is open). */
static bool remove_instance(const char *dir)
{
	write_str(dir, EVENT_DIR "/enable", "0");
	for (int i = 0; i < 100; i++) {
		if (!rmdir(dir) || errno == ENOENT)
			return true;
		if (errno != EBUSY)
			return false;
		usleep(10000);
	}
	return false;
}

/* Remove instances of this naming whose process is gone (killed tests). */
static void reap_stale_instances(const char *root)
{
	char dir[300], path[300 + sizeof(((struct dirent *)0)->d_name) + 1];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/instances", root);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		uint64_t pid;
		const char *num = d->d_name + strlen(INSTANCE_PREFIX);

		if (strncmp(d->d_name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)) ||
		    !dec_span(num, num + strlen(num), &pid) || !pid || pid > INT32_MAX)
			continue;
		if (kill((pid_t)pid, 0) && errno == ESRCH) {
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			remove_instance(path);
		}
	}
	closedir(dp);
}

static void observers_at_exit(void)
{
	for (struct apicv_observer *obs = open_observers; obs; obs = obs->next)
		if (obs->owner == getpid() && !remove_instance(obs->dir))
			printf("# apicv_inhibit: could not remove %s: %s\n", obs->dir,
			       strerror(errno));
}

struct apicv_observer *apicv_observer_open(char *why, size_t why_len)
{
	static bool exit_handler;
	char root[200], path[512];
	struct apicv_observer *obs;
	int ret;

	if (geteuid()) {
		snprintf(why, why_len, "not root (euid %u): following KVM's tracepoints "
			 "needs a tracefs instance, which only root can create",
			 (unsigned int)geteuid());
		return NULL;
	}
	if (!find_tracefs(root, sizeof(root), why, why_len))
		return NULL;

	snprintf(path, sizeof(path), "%s/events/kvm", root);
	if (!path_exists(path)) {
		snprintf(why, why_len, "no kvm trace events in %s/events (kvm module "
			 "not loaded, or built without tracepoints)", root);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/" EVENT_DIR, root);
	if (!path_exists(path)) {
		snprintf(path, sizeof(path), "%s/events/kvm/kvm_apicv_update_request", root);
		snprintf(why, why_len, "the kvm module has no %s tracepoint%s", APICV_INHIBIT_EVENT,
			 path_exists(path) ? " (a kernel before 5.19: only "
			 "kvm_apicv_update_request, which traces APICv toggles, not inhibits)" : "");
		return NULL;
	}

	reap_stale_instances(root);

	obs = calloc(1, sizeof(*obs));
	TEST_ASSERT(obs, "out of memory");
	obs->owner = getpid();
	snprintf(obs->dir, sizeof(obs->dir), "%s/instances/" INSTANCE_PREFIX "%d", root,
		 (int)obs->owner);

	for (struct apicv_observer *o = open_observers; o; o = o->next)
		if (o->owner == obs->owner) {
			snprintf(why, why_len, "an observer is already open in this process (%s)",
				 o->dir);
			free(obs);
			return NULL;
		}
	/* Left by an earlier process with the same pid: not ours to keep. */
	if (path_exists(obs->dir))
		remove_instance(obs->dir);
	if (mkdir(obs->dir, 0750)) {
		snprintf(why, why_len, "cannot create the tracefs instance %s: %s", obs->dir,
			 strerror(errno));
		free(obs);
		return NULL;
	}

	/* Follow this process and whatever it forks or clones from now on. */
	snprintf(path, sizeof(path), "%d", (int)obs->owner);
	ret = write_str(obs->dir, "options/event-fork", "1");
	if (!ret)
		ret = write_str(obs->dir, "set_event_pid", path);
	if (!ret)
		ret = write_str(obs->dir, EVENT_DIR "/enable", "1");
	if (ret) {
		snprintf(why, why_len, "cannot set up the tracefs instance %s: %s", obs->dir,
			 strerror(-ret));
		remove_instance(obs->dir);
		free(obs);
		return NULL;
	}

	if (!exit_handler) {
		atexit(observers_at_exit);
		exit_handler = true;
	}
	obs->next = open_observers;
	open_observers = obs;
	errno = 0;
	return obs;
}

void apicv_observer_close(struct apicv_observer *obs)
{
	struct apicv_observer **pp;

	if (!obs)
		return;
	for (pp = &open_observers; *pp; pp = &(*pp)->next)
		if (*pp == obs) {
			*pp = obs->next;
			break;
		}
	/* A forked child holding a copy leaves the parent's instance alone. */
	if (obs->owner == getpid())
		TEST_ASSERT(remove_instance(obs->dir), "removing the tracefs instance %s",
			    obs->dir);
	free(obs->events);
	free(obs);
}

static void observer_add_event(struct apicv_observer *obs,
			       const struct apicv_inhibit_event *ev)
{
	const struct apicv_inhibit_event *prev =
		obs->nr_events ? &obs->events[obs->nr_events - 1] : NULL;

	if (obs->nr_events == obs->events_cap) {
		obs->events_cap = obs->events_cap ? 2 * obs->events_cap : 64;
		obs->events = realloc(obs->events, obs->events_cap * sizeof(*ev));
		TEST_ASSERT(obs->events, "out of memory");
	}
	obs->events[obs->nr_events++] = *ev;
	obs->mask = ev->inhibits;
	obs->named_format |= ev->named;

	if (!apicv_event_is_creation(ev))
		return;
	/*
	 * Before 6.11 kvm_apicv_init() set ABSENT and then, with APICv off,
	 * DISABLED too: two events for one VM.  Since 6.11, one or the other.
	 */
	if (!(ev->reason == APICV_INHIBIT_DISABLED && prev && prev->pid == ev->pid &&
	      apicv_event_is_creation(prev) && prev->reason == APICV_INHIBIT_ABSENT &&
	      ev->inhibits == (prev->inhibits | APICV_INHIBIT(DISABLED))))
		obs->creations++;
	obs->creation_reason = ev->reason;
}

void apicv_observer_feed_line(struct apicv_observer *obs, const char *line)
{
	struct apicv_inhibit_event ev;

	obs->lost += apicv_trace_lost_events(line);
	switch (apicv_inhibit_parse_line(line, &ev)) {
	case APICV_LINE_EVENT:
		observer_add_event(obs, &ev);
		break;
	case APICV_LINE_MALFORMED:
		if (!obs->malformed++)
			copy_str(obs->malformed_line, sizeof(obs->malformed_line), line);
		break;
	case APICV_LINE_IGNORED:
		break;
	}
}

unsigned int apicv_observer_poll(struct apicv_observer *obs)
{
	unsigned int before = obs->nr_events;
	char path[512], buf[8192];
	int fd;

	/*
	 * trace_pipe consumes what it returns; opened per call so that no
	 * descriptor is inherited by children (which would keep the instance
	 * busy).  Non-blocking: -EAGAIN once the buffer is empty.
	 */
	snprintf(path, sizeof(path), "%s/trace_pipe", obs->dir);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	TEST_ASSERT(fd >= 0, "opening %s", path);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		TEST_ASSERT(n >= 0, "reading %s", path);
		if (!n)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (obs->partial_len < sizeof(obs->partial) - 1)
					obs->partial[obs->partial_len++] = buf[i];
				continue;
			}
			obs->partial[obs->partial_len] = '\0';
			apicv_observer_feed_line(obs, obs->partial);
			obs->partial_len = 0;
		}
	}
	close(fd);
	errno = 0;
	return obs->nr_events - before;
}

void apicv_observer_dump(const struct apicv_observer *obs, unsigned int from)
{
	char names[256];

	for (unsigned int i = from; i < obs->nr_events; i++) {
		const struct apicv_inhibit_event *ev = &obs->events[i];
		const char *name = apicv_inhibit_name(ev->reason);

		printf("#   event %u: %s-%d cpu %d: %s %s (%u), inhibits 0x%lx = %s\n", i,
		       ev->comm, ev->pid, ev->cpu, ev->set ? "set" : "cleared",
		       name ? name : "?", ev->reason, ev->inhibits,
		       apicv_inhibit_mask_str(ev->inhibits, names, sizeof(names)));
	}
	if (obs->malformed)
		printf("#   %u malformed line(s), the first: %s\n", obs->malformed,
		       obs->malformed_line);
	if (obs->lost)
		printf("#   %lu event(s) lost to ring buffer overruns\n", obs->lost);
}

/* --- The host ------------------------------------------------------------------ */

void apicv_host_probe(struct apicv_host *host, const struct apicv_observer *obs)
{
	const char *param = NULL;
	char value[16], where[96];

	memset(host, 0, sizeof(*host));
	host->module_param = -1;
	host->creation_event = -1;
	host_kernel_version(&host->kver_major, &host->kver_minor);
	copy_str(host->backend, sizeof(host->backend), kvm_backend());

	if (!strcmp(host->backend, "kvm_amd")) {
		host->vendor = APICV_VENDOR_SVM;
		param = "avic";
	} else if (!strcmp(host->backend, "kvm_intel")) {
		host->vendor = APICV_VENDOR_VMX;
		param = "enable_apicv";
	}
	if (param && read_module_param(host->backend, param, value, sizeof(value)))
		host->module_param = value[0] == 'Y' || value[0] == 'y' || value[0] == '1';

	if (obs && obs->creations)
		host->creation_event = obs->creation_reason == APICV_INHIBIT_ABSENT;

	host->enabled = host->creation_event >= 0 ? host->creation_event == 1 :
			host->module_param == 1;
	/* Another backend with APICv: only what both vendors honour is sure. */
	host->honoured = host->vendor == APICV_VENDOR_SVM ? APICV_INHIBITS_AVIC :
			 APICV_INHIBITS_VMX;
	errno = 0;	/* the probing's misses are no failure's cause */
	if (host->enabled)
		return;

	if (host->vendor == APICV_VENDOR_NONE)
		snprintf(where, sizeof(where), "%s backend, no kvm_amd/kvm_intel", host->backend);
	else if (host->module_param >= 0)
		snprintf(where, sizeof(where), "%s %s=%s", host->backend, param,
			 host->module_param ? "Y" : "N");
	else
		snprintf(where, sizeof(where), "%s without a readable %s parameter",
			 host->backend, param);
	snprintf(host->why_off, sizeof(host->why_off),
		 "APICv/AVIC is not enabled on this host: %s (%s)", where,
		 host->creation_event == 0 ? "VM creation event: DISABLED" :
		 "no VM creation event seen");
}
