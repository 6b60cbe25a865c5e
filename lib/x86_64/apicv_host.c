// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whether new VMs get APICv / AVIC on this host (apicv_inhibit.h).
 */
#include "test_util.h"
#include "apicv_inhibit.h"
#include "kvm_host.h"

void apicv_host_probe(struct apicv_host *host, const struct apicv_observer *obs)
{
	const char *param = NULL;
	char value[16], where[96];

	memset(host, 0, sizeof(*host));
	host->module_param = -1;
	host->creation_event = -1;
	host_kernel_version(&host->kver_major, &host->kver_minor);
	snprintf(host->backend, sizeof(host->backend), "%s", kvm_backend());

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
