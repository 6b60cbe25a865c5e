/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known deviations of KVM from the architecture, each with the exact
 * condition under which KVM shows it (the kernels and backends it was read
 * in or seen on, and the interrupts it affects), so that a test can tell
 * the known deviation (XFAIL, still printed) from a new failure.  The model
 * (apic_model.h) stays architectural; this says where KVM is not.  The
 * README lists each with its evidence.
 */
#ifndef SELFTEST_KVM_DEVIATIONS_H
#define SELFTEST_KVM_DEVIATIONS_H

#include "apic_model.h"

enum kvm_deviation {
	/*
	 * KVM's optimized logical map leaves software-disabled APICs out
	 * (kvm_recalculate_logical_map()), so while the map is in use a
	 * logical NMI does not reach a software-disabled xAPIC, which accepts
	 * NMIs (SDM vol. 3A 'Local APIC State After It Has Been Software
	 * Disabled').  With no software-enabled APIC holding a logical ID, the
	 * map routes every logical interrupt to nobody.  Kernels 6.1 (seen),
	 * 6.12 (read, seen), 6.18 (seen).
	 */
	KVM_DEV_LOGICAL_NMI_SW_DISABLED,
	/*
	 * With a destination shorthand the ICR's destination field is not used
	 * (SDM vol. 3A 'Interrupt Command Register (ICR)'), but KVM turns a
	 * lowest-priority interrupt whose physical destination field is 0xff
	 * into a fixed one ("phys broadcast and lowest prio",
	 * kvm_irq_delivery_to_apic()) before it looks at the shorthand: every
	 * candidate accepts it.  Kernels 6.1, 6.12, 6.18 (seen).
	 */
	KVM_DEV_LOWEST_SHORTHAND_DEST,
	/*
	 * Before 6.3, KVM's optimized maps kept one APIC per physical or
	 * logical ID and did not fall back to its per-vCPU loop for aliased
	 * IDs or multi-bit LDRs: interrupts to those APICs reach some of them
	 * or none (6.3 made every such APIC accept, its documented choice).
	 * Kernel 6.1 (seen).
	 */
	KVM_DEV_ALIASED_IDS_BEFORE_6_3,
	/*
	 * On SVM with CR8 writes not intercepted, KVM copies the guest's
	 * V_TPR into the TPR at every exit (sync_cr8_to_lapic()): TPR[3:0],
	 * the priority sub-class written through the xAPIC page, is lost
	 * (SDM vol. 3A 'Task Priority Register').  kvm_amd, kernels 6.1 and
	 * 6.12 (seen under QEMU TCG; code read in 6.12).
	 */
	KVM_DEV_SVM_TPR_SUBCLASS,
	/*
	 * The kvm_pvm backend, which emulates guest ring 0, takes a pending
	 * interrupt only at its own batch boundaries: not right after the STI
	 * shadow (SDM vol. 2B STI), and to a running vCPU about every 0.7 ms.
	 * kvm_pvm on 6.18 (seen).
	 */
	KVM_DEV_PVM_LATE_INTERRUPT,
	/*
	 * kvm_amd on a host that is itself a QEMU TCG guest (qemu-system-x86
	 * 7.2, -cpu max: SVM emulated by QEMU), many vCPUs per host CPU: now
	 * and then a vCPU's handler runs twice for one fixed IPI, one
	 * lowest-priority IPI or one TSC-deadline expiry, nothing left in IRR;
	 * or a vCPU takes a vector that was sent to another vCPU only; or a
	 * halted vCPU's TSC-deadline timer expires (the MSR reads 0) and its
	 * interrupt is nowhere (not in IRR, ISR, nor being injected).  The
	 * timer's share puts it on the injection path, not in IPI routing.
	 * The same kvm_amd on Bochs' SVM never doubled an interrupt (it lost
	 * timers too): QEMU's SVM event injection, not KVM.  kvm_amd 6.1 and
	 * 6.12 under QEMU TCG (seen).  Tests accept only these shapes: an
	 * extra copy of an interrupt that was sent, a lost timer interrupt of
	 * a vCPU stuck halted on it; a lost IPI stays a failure.
	 */
	KVM_DEV_TCG_SVM_DOUBLE_INJECTION,
	/*
	 * KVM_SIGNAL_MSI to a destination no present APIC has returns -1
	 * (errno EPERM) where KVM's per-vCPU loop routes it:
	 * kvm_irq_delivery_to_apic() starts its count at -1 and only a
	 * matching vCPU raises it; through the optimized map the same MSI
	 * returns 0.  api.rst (KVM_SIGNAL_MSI): ">0 on delivery, 0 if guest
	 * blocked the MSI, and -1 on error": an MSI to nobody is no error.
	 * Code read in 6.12; seen on 6.12 kvm_amd.
	 */
	KVM_DEV_MSI_TO_NOBODY_FAILS,
	/*
	 * KVM_HC_SEND_IPI finds its targets only in KVM's optimized map
	 * (kvm_pv_send_ipi()): when KVM has none (two vCPUs share a physical
	 * APIC ID, kvm_recalculate_phys_map()), it delivers to nobody and
	 * returns -EOPNOTSUPP, though every APIC ID it names may be unique.
	 * hypercalls.rst: it returns "the number of CPUs to which the IPIs
	 * were delivered successfully".  Code read in 6.12; seen on 6.12.
	 */
	KVM_DEV_PV_IPI_NEEDS_MAP,
	/*
	 * kvm_irq_delivery_to_apic() answers -1 ("nobody matched") where its
	 * per-vCPU loop routes, 0 through the optimized map; ioapic_service()
	 * takes any non-zero answer as delivered and sets Remote IRR of a
	 * level-triggered entry that nobody accepted (82093AA: set when a
	 * local APIC accepts it), so the line stays blocked: no EOI will come.
	 * Code read in 6.12.
	 */
	KVM_DEV_NOBODY_COUNTS_AS_DELIVERED,
	/*
	 * Without KVM_X2APIC_API_USE_32BIT_IDS, KVM_GET_LAPIC gives an x2APIC
	 * ID shifted left by 24 in 32 bits and KVM_SET_LAPIC takes the ID
	 * back from the state shifted right by 24 (kvm_apic_state_fixup()):
	 * a round trip sets an x2APIC ID above 255 to its low 8 bits, and the
	 * LDR with it, though the x2APIC ID is read-only (SDM vol. 3A
	 * 'x2APIC Register Availability').  6.10 made KVM_SET_LAPIC ignore
	 * the ID ("KVM: x86: Make x2APIC ID 100% readonly"; 6.12 read).
	 * Kernel 6.1 (seen).
	 */
	KVM_DEV_SET_LAPIC_TRUNCATES_X2APIC_ID,
	/*
	 * When userspace forces an APIC from x2APIC to xAPIC mode with
	 * KVM_SET_MSRS (a transition the SDM forbids to software), KVM before
	 * 6.3 left the ID register in x2APIC format: the xAPIC ID read bits
	 * 31:24 of the x2APIC ID, 0 for IDs below 2^24.  6.3 resets it to the
	 * vCPU ID (052c3b99cbc8 "KVM: x86: Reinitialize xAPIC ID when userspace
	 * forces x2APIC => xAPIC").  Kernel 6.1 (seen).
	 */
	KVM_DEV_X2APIC_TO_XAPIC_KEEPS_ID,
	/*
	 * kvm_intel on a host that is itself a Bochs guest (Bochs 3.0, VMX
	 * emulated by Bochs): now and then Bochs reports an interrupt-window
	 * VM exit between STI and the HLT after it, inside STI's interrupt
	 * shadow, with no blocking in the guest's interruptibility state.
	 * KVM then injects the pending interrupt there; the guest takes it
	 * before its HLT, and the HLT waits for an interrupt that has already
	 * come.  SDM vol. 3C 'Interrupt-Window Exiting and Virtual-Interrupt
	 * Delivery': no such exit while events are blocked by STI.  Seen with
	 * KVM's tracepoints (docs/bochs.md).  Tests accept only that shape: a
	 * vCPU stuck halted right after taking and counting its timer.
	 */
	KVM_DEV_BOCHS_VMX_STI_SHADOW,
	NR_KVM_DEVIATIONS
};

/* Whether this host's KVM is one the deviation was read in or seen on. */
bool kvm_deviation_expected(enum kvm_deviation d);
/* One line describing it, for KNOWN/XFAIL messages. */
const char *kvm_deviation_what(enum kvm_deviation d);

/* KVM_DEV_LOGICAL_NMI_SW_DISABLED: KVM drops @irq for vCPU index @target. */
bool kvm_drops_logical_nmi_to_sw_disabled(const struct apic_model_cpu *cpus,
					  unsigned int nr_cpus,
					  const struct apic_model_irq *irq,
					  unsigned int target);

/* KVM_DEV_LOWEST_SHORTHAND_DEST: KVM delivers @irq to every candidate. */
bool kvm_lowest_priority_shorthand_becomes_fixed(const struct apic_model_irq *irq);

/* KVM_DEV_PV_IPI_NEEDS_MAP: @irq is a PV IPI in a VM without KVM's map. */
bool kvm_pv_ipi_without_map(const struct apic_model_cpu *cpus, unsigned int nr_cpus,
			    const struct apic_model_irq *irq);

/* KVM_DEV_MSI_TO_NOBODY_FAILS: KVM_SIGNAL_MSI of @irq returns -1 (EPERM). */
bool kvm_msi_to_nobody_fails(const struct apic_model_cpu *cpus, unsigned int nr_cpus,
			     const struct apic_model_irq *irq);

/*
 * KVM_DEV_ALIASED_IDS_BEFORE_6_3: @irq to vCPU index @target goes through
 * an ID that @target shares with another enabled APIC (or a multi-bit
 * LDR), so such a kernel may lose it.
 */
bool kvm_aliased_id_may_lose(const struct apic_model_cpu *cpus, unsigned int nr_cpus,
			     const struct apic_model_irq *irq, unsigned int target);

#endif /* SELFTEST_KVM_DEVIATIONS_H */
