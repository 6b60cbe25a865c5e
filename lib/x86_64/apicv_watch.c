// SPDX-License-Identifier: GPL-2.0-only
/*
 * APICv / AVIC around a test's sends (apicv_watch.h).
 */
#include "test_util.h"
#include "apicv_watch.h"

/* What says APICv is on but not in use; ABSENT is cleared by KVM_CREATE_IRQCHIP. */
#define NOT_IN_USE	(~(APICV_INHIBIT(ABSENT) | APICV_INHIBIT(DISABLED)))

void apicv_watch_start(struct apicv_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->always = ~0ul;
	w->obs = apicv_observer_open(w->why, sizeof(w->why));
	if (w->obs && !apicv_observer_count_posted(w->obs, w->why, sizeof(w->why))) {
		apicv_observer_close(w->obs);
		w->obs = NULL;
	}
}

void apicv_watch_poll(struct apicv_watch *w)
{
	if (!w->obs)
		return;
	apicv_observer_poll(w->obs);
	apicv_host_probe(&w->host, w->obs);
}

void apicv_watch_expect(struct apicv_watch *w, unsigned long any_of)
{
	w->any_of = any_of;
}

void apicv_watch_send(struct apicv_watch *w)
{
	unsigned long now;

	if (!w->obs)
		return;
	apicv_watch_poll(w);
	now = w->obs->mask & w->host.honoured & NOT_IN_USE;
	w->sends++;
	w->active_sends += !now;
	w->inhibited |= now;
	w->always &= now;
	w->missed += w->any_of && !(now & w->any_of);
}

bool apicv_watch_enabled(const struct apicv_watch *w)
{
	return w->obs && w->host.enabled;
}

bool apicv_watch_counts_guest_ipis(const struct apicv_watch *w)
{
	char ipiv[8];

	return apicv_watch_enabled(w) && w->host.vendor == APICV_VENDOR_VMX &&
	       read_module_param("kvm_intel", "enable_ipiv", ipiv, sizeof(ipiv)) &&
	       ipiv[0] == 'N';
}

const char *apicv_watch_str(struct apicv_watch *w, char *buf, size_t len)
{
	char names[128];
	int n;

	if (!w->obs) {
		snprintf(buf, len, "not watched (%s)", w->why);
		return buf;
	}
	if (!w->host.enabled) {
		snprintf(buf, len, "off (%s)", w->host.why_off);
		return buf;
	}
	n = snprintf(buf, len, "active for %u of %u send(s)", w->active_sends, w->sends);
	if (w->inhibited && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ", inhibited by %s",
			      apicv_inhibit_mask_str(w->inhibited, names, sizeof(names)));
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "; %lu interrupt(s) accepted through it%s",
			 w->obs->posted, w->obs->lost ? " (trace events lost: more)" : "");
	return buf;
}

void apicv_watch_stop(struct apicv_watch *w)
{
	apicv_observer_close(w->obs);
	w->obs = NULL;
}
