// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which KVM this is: backend module and kernel version.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kvm_host.h"
#include "test_util.h"

static char backend[sizeof(((struct dirent *)0)->d_name)] = "unknown";
static char cpu_model[128] = "unknown";
static char bios_vendor[128] = "unknown";
static struct utsname uts;

/* The first "model name" of /proc/cpuinfo. */
static void probe_cpu_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *colon;

	while (f && fgets(line, sizeof(line), f)) {
		colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += 1 + (colon[1] == ' ');
		colon[strcspn(colon, "\n")] = 0;
		snprintf(cpu_model, sizeof(cpu_model), "%s", colon);
		break;
	}
	if (f)
		fclose(f);
}

/* The firmware's vendor (DMI), which names an emulator: "The Bochs Project". */
static void probe_bios_vendor(void)
{
	FILE *f = fopen("/sys/class/dmi/id/bios_vendor", "r");

	if (f && fgets(bios_vendor, sizeof(bios_vendor), f))
		bios_vendor[strcspn(bios_vendor, "\n")] = 0;
	if (f)
		fclose(f);
}

static void probe(void)
{
	DIR *dp;
	struct dirent *d;

	uname(&uts);
	if (!access("/sys/module/kvm_intel", F_OK)) {
		snprintf(backend, sizeof(backend), "kvm_intel");
	} else if (!access("/sys/module/kvm_amd", F_OK)) {
		snprintf(backend, sizeof(backend), "kvm_amd");
	} else {
		dp = opendir("/sys/module");
		while (dp && (d = readdir(dp)) != NULL) {
			if (!strncmp(d->d_name, "kvm_", 4)) {
				snprintf(backend, sizeof(backend), "%s", d->d_name);
				break;
			}
		}
		if (dp)
			closedir(dp);
	}
	probe_cpu_model();
	probe_bios_vendor();
	errno = 0;
}

static void probe_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, probe);
}

const char *kvm_backend(void)
{
	probe_once();
	return backend;
}

const char *host_cpu_model(void)
{
	probe_once();
	return cpu_model;
}

const char *host_bios_vendor(void)
{
	probe_once();
	return bios_vendor;
}

const char *host_kernel_release(void)
{
	probe_once();
	return uts.release;
}

bool host_kernel_version(unsigned int *major, unsigned int *minor)
{
	probe_once();
	return sscanf(uts.release, "%u.%u", major, minor) == 2;
}

bool host_kernel_at_least(unsigned int major, unsigned int minor)
{
	unsigned int ma, mi;

	return host_kernel_version(&ma, &mi) && (ma > major || (ma == major && mi >= minor));
}
