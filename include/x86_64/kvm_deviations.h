/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known deviations of KVM from the architecture, each with the exact
 * condition under which KVM shows it, so that a test can tell the known
 * deviation (XFAIL, still printed) from a new failure.  The model
 * (apic_model.h) stays architectural; these describe where KVM is not.
 */
#ifndef SELFTEST_KVM_DEVIATIONS_H
#define SELFTEST_KVM_DEVIATIONS_H

#include "apic_model.h"

/*
 * KVM's optimized logical map leaves software-disabled APICs out
 * (kvm_recalculate_logical_map() in arch/x86/kvm/lapic.c), so while the
 * map is in use a logical-destination NMI does not reach a software-
 * disabled xAPIC, although such an APIC accepts NMIs (SDM vol. 3A 'Local
 * APIC State After It Has Been Software Disabled').  With no software-
 * enabled APIC holding a logical ID, the map routes every logical
 * interrupt to nobody.  True if KVM drops @irq for vCPU index @target this
 * way; false where KVM's per-vCPU loop (which delivers it) decides.
 */
bool kvm_drops_logical_nmi_to_sw_disabled(const struct apic_model_cpu *cpus,
					  unsigned int nr_cpus,
					  const struct apic_model_irq *irq,
					  unsigned int target);

#define KVM_LOGICAL_NMI_DEVIATION						\
	"KVM's optimized logical map leaves software-disabled APICs out: a "	\
	"logical NMI to one is lost (lapic.c kvm_recalculate_logical_map)"

/*
 * With a destination shorthand the ICR's destination field is not used
 * (SDM vol. 3A 'Interrupt Command Register (ICR)'), but KVM's per-vCPU
 * loop turns a lowest-priority interrupt whose physical destination field
 * is 0xff into a fixed one ("phys broadcast and lowest prio",
 * kvm_irq_delivery_to_apic()) before it looks at the shorthand: every
 * candidate accepts it instead of one.  True if KVM does that to @irq.
 */
bool kvm_lowest_priority_shorthand_becomes_fixed(const struct apic_model_irq *irq);
#define KVM_LOWEST_SHORTHAND_DEVIATION						\
	"KVM reads the destination field of a lowest-priority shorthand IPI: "	\
	"with 0xff there it delivers it to every target, as fixed "		\
	"(kvm_irq_delivery_to_apic)"

/* Kernels in which the code of both was read or seen: 6.12 to 6.18. */
bool kvm_deviations_expected(void);

#endif /* SELFTEST_KVM_DEVIATIONS_H */
