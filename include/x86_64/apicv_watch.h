/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * APICv / AVIC around the interrupts a test sends: whether KVM had it
 * active or inhibited (and by which reasons) at each send, and how many
 * interrupts it accepted through it, from the tracefs observer of
 * apicv_inhibit.h.  Open before the VM is created, so that its creation
 * event says whether the host enables APICv / AVIC at all.
 */
#ifndef SELFTEST_KVM_APICV_WATCH_H
#define SELFTEST_KVM_APICV_WATCH_H

#include "apicv_inhibit.h"

struct apicv_watch {
	struct apicv_observer *obs;	/* NULL: not watched, see @why */
	struct apicv_host host;
	unsigned int sends;		/* apicv_watch_send() calls */
	unsigned int active_sends;	/* ... with no honoured inhibit set */
	unsigned long inhibited;	/* honoured inhibits set at some send */
	unsigned long always;		/* ... set at every send */
	unsigned long any_of;		/* apicv_watch_expect() */
	unsigned int missed;		/* sends with none of @any_of set */
	char why[256];
};

/* Start watching this process's next VM (before it is created). */
void apicv_watch_start(struct apicv_watch *w);
/* Count the sends at which none of the inhibits in @any_of was set. */
void apicv_watch_expect(struct apicv_watch *w, unsigned long any_of);
/* An interrupt list was just sent: note the inhibits it ran with. */
void apicv_watch_send(struct apicv_watch *w);
/* Read what was traced since, e.g. after a send (also bounds the buffer). */
void apicv_watch_poll(struct apicv_watch *w);
/* "active for 2 of 2 sends, 310 interrupts accepted through it", ... */
const char *apicv_watch_str(struct apicv_watch *w, char *buf, size_t len);
/* Whether the host enables APICv / AVIC for new VMs (known after a send). */
bool apicv_watch_enabled(const struct apicv_watch *w);
/*
 * Whether KVM's own code accepts every interrupt a guest sends while
 * APICv is active (VMX without IPI virtualization), so that the count of
 * interrupts accepted through APICv must grow with each delivery; AVIC
 * and IPIv deliver guest IPIs in hardware, where KVM traces nothing.
 */
bool apicv_watch_counts_guest_ipis(const struct apicv_watch *w);
void apicv_watch_stop(struct apicv_watch *w);

#endif /* SELFTEST_KVM_APICV_WATCH_H */
