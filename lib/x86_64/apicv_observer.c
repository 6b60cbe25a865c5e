// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracefs observer of apicv_inhibit.h: a tracefs instance of this
 * process's own, following kvm_apicv_inhibit_changed (and, on request,
 * kvm_apicv_accept_irq) for this process and what it forks from then on.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "apicv_inhibit.h"

#define TRACEFS_DEFAULT		"/sys/kernel/tracing"
/* statfs() f_type of tracefs (TRACEFS_MAGIC in include/uapi/linux/magic.h). */
#define TRACEFS_MAGIC_NUMBER	0x74726163
#define INSTANCE_PREFIX		"kvm-selftest-"
#define EVENT_DIR		"events/kvm/" APICV_INHIBIT_EVENT
#define POSTED_DIR		"events/kvm/" APICV_POSTED_EVENT

static struct apicv_observer *open_observers;

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
			snprintf(root, len, "%s", mnt);
			found = true;
		}
	if (f)
		fclose(f);
	if (found)
		return true;

	if (!path_exists(TRACEFS_DEFAULT)) {
		snprintf(why, why_len, "no tracefs: %s does not exist (kernel without CONFIG_TRACING?)",
				       TRACEFS_DEFAULT);
		return false;
	}
	if (mount("nodev", TRACEFS_DEFAULT, "tracefs", 0, NULL)) {
		snprintf(why, why_len, "tracefs is not mounted and mounting it at %s failed: %s",
				       TRACEFS_DEFAULT, strerror(errno));
		return false;
	}
	snprintf(root, len, "%s", TRACEFS_DEFAULT);
	return true;
}

/* Disable the event, then remove the instance (EBUSY while a reader is open). */
static bool remove_instance(const char *dir)
{
	write_str(dir, EVENT_DIR "/enable", "0");
	write_str(dir, POSTED_DIR "/enable", "0");
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
		const char *num = d->d_name + strlen(INSTANCE_PREFIX);
		char *end;
		long pid;

		if (strncmp(d->d_name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)))
			continue;
		pid = strtol(num, &end, 10);
		if (!isdigit((unsigned char)*num) || *end || pid <= 0 || pid > INT32_MAX)
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
		snprintf(why, why_len, "not root (euid %u): following KVM's tracepoints needs a tracefs instance, which only root can create",
			 (unsigned int)geteuid());
		return NULL;
	}
	if (!find_tracefs(root, sizeof(root), why, why_len))
		return NULL;

	snprintf(path, sizeof(path), "%s/events/kvm", root);
	if (!path_exists(path)) {
		snprintf(why, why_len, "no kvm trace events in %s/events (kvm module not loaded, or built without tracepoints)",
				       root);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/" EVENT_DIR, root);
	if (!path_exists(path)) {
		snprintf(path, sizeof(path), "%s/events/kvm/kvm_apicv_update_request", root);
		snprintf(why, why_len, "the kvm module has no %s tracepoint%s", APICV_INHIBIT_EVENT,
			 path_exists(path) ? " (a kernel before 5.19: only kvm_apicv_update_request, which traces APICv toggles, not inhibits)" : "");
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

bool apicv_observer_count_posted(struct apicv_observer *obs, char *why, size_t why_len)
{
	int ret = write_str(obs->dir, POSTED_DIR "/enable", "1");

	if (ret)
		snprintf(why, why_len, "cannot enable %s in %s: %s", APICV_POSTED_EVENT,
			 obs->dir, strerror(-ret));
	errno = 0;
	return !ret;
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
	if (strstr(line, " " APICV_POSTED_EVENT ": ")) {
		obs->posted++;
		return;
	}
	switch (apicv_inhibit_parse_line(line, &ev)) {
	case APICV_LINE_EVENT:
		observer_add_event(obs, &ev);
		break;
	case APICV_LINE_MALFORMED:
		if (!obs->malformed++)
			snprintf(obs->malformed_line, sizeof(obs->malformed_line), "%s", line);
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
