/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which of KVM's two ways an interrupt takes to its vCPUs: the optimized
 * APIC map (kvm_irq_delivery_to_apic_fast(), a lookup by physical or
 * logical ID), or the per-vCPU loop (kvm_irq_delivery_to_apic(), which asks
 * kvm_apic_match_dest() of every vCPU).  Both must give the architecture's
 * answer; the tests run the same interrupts on each and say which.
 *
 * The rules are KVM's, read in arch/x86/kvm/lapic.c (6.12):
 * kvm_recalculate_apic_map() builds no map at all when two enabled APICs
 * share a physical ID, unless KVM_X2APIC_API_USE_32BIT_IDS is on (then the
 * first one keeps the ID, the "hotplug hack"); kvm_recalculate_logical_map()
 * disables the logical part when the software-enabled APICs with a logical
 * ID mix flat, cluster and x2APIC, share a slot or claim several; and
 * broadcasts and shorthands other than self always take the loop.  Before
 * 6.3 neither aliased physical nor aliased logical IDs disabled anything.
 */
#ifndef SELFTEST_KVM_ROUTING_H
#define SELFTEST_KVM_ROUTING_H

#include "apic_model.h"

/* KVM's logical map modes (enum kvm_apic_logical_mode in lapic.h). */
enum kvm_logical_map {
	KVM_LOGICAL_MAP_SW_DISABLED,	/* no software-enabled APIC with a logical ID */
	KVM_LOGICAL_MAP_FLAT,
	KVM_LOGICAL_MAP_CLUSTER,
	KVM_LOGICAL_MAP_X2APIC,
	KVM_LOGICAL_MAP_DISABLED,	/* logical destinations take the loop */
};

enum kvm_route_path {
	KVM_PATH_MAP,
	KVM_PATH_LOOP,
};

/*
 * Whether KVM has an optimized map for these APICs (@x2apic_api: the
 * VM's KVM_CAP_X2APIC_API flags).  Without one every interrupt takes the
 * per-vCPU loop.
 */
bool kvm_has_apic_map(const struct apic_model_cpu *cpus, unsigned int nr,
		      uint64_t x2apic_api);

/* The mode KVM's logical map ends up in. */
enum kvm_logical_map kvm_logical_map(const struct apic_model_cpu *cpus, unsigned int nr);

/* kvm_apic_is_broadcast_dest(): a broadcast, which takes the loop. */
bool kvm_is_broadcast(const struct apic_model_cpu *cpus, const struct apic_model_irq *irq,
		      enum kvm_logical_map map);

/* The way @irq takes among @cpus. */
enum kvm_route_path kvm_route_path(const struct apic_model_cpu *cpus, unsigned int nr,
				   const struct apic_model_irq *irq);

/* "optimized map" or "per-vCPU loop", for reports. */
const char *kvm_route_path_name(enum kvm_route_path path);

#endif /* SELFTEST_KVM_ROUTING_H */
