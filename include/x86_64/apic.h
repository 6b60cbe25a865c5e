/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Local APIC access.
 *
 * Guest side: registers through the xAPIC MMIO page or the x2APIC MSRs,
 * mode changes through IA32_APIC_BASE, and IPIs built field by field.
 * Host side: the same registers by name through KVM_GET/SET_LAPIC.
 *
 * Register offsets and field positions: Intel SDM vol. 3A, chapter
 * "Advanced Programmable Interrupt Controller (APIC)", local APIC register
 * address map and ICR layout; AMD APM vol. 2, "Advanced Programmable
 * Interrupt Controller (APIC)".
 */
#ifndef SELFTEST_KVM_APIC_H
#define SELFTEST_KVM_APIC_H

#include <stdint.h>

#include "processor.h"

#define APIC_DEFAULT_GPA	0xfee00000ul
#define X2APIC_MSR_BASE		0x800
#define APIC_REGS_SIZE		0x400	/* struct kvm_lapic_state */

/* Register offsets in the xAPIC page; the x2APIC MSR is 0x800 + offset/16. */
#define APIC_ID			0x020
#define APIC_LVR		0x030
#define APIC_TASKPRI		0x080
#define APIC_ARBPRI		0x090
#define APIC_PROCPRI		0x0a0
#define APIC_EOI		0x0b0
#define APIC_RRR		0x0c0
#define APIC_LDR		0x0d0
#define APIC_DFR		0x0e0	/* xAPIC only */
#define APIC_SPIV		0x0f0
#define APIC_ISR		0x100	/* 8 registers, 0x10 apart */
#define APIC_TMR		0x180
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_LVTCMCI		0x2f0
#define APIC_ICR		0x300
#define APIC_ICR2		0x310	/* xAPIC only: destination */
#define APIC_LVTT		0x320
#define APIC_LVTTHMR		0x330
#define APIC_LVTPC		0x340
#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_LVTERR		0x370
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0
#define APIC_SELF_IPI		0x3f0	/* x2APIC only */

/* LVT timer modes (bits 18:17). */
#define APIC_LVT_TIMER_ONESHOT		(0u << 17)
#define APIC_LVT_TIMER_PERIODIC		(1u << 17)
#define APIC_LVT_TIMER_TSCDEADLINE	(2u << 17)
#define APIC_LVT_MASKED			BIT(16)

/* Spurious-interrupt vector register. */
#define APIC_SPIV_APIC_ENABLED	BIT(8)
#define APIC_SPIV_FOCUS_DISABLED BIT(9)
#define APIC_SPURIOUS_VECTOR	0xff

/* Destination format register (xAPIC), model in bits 31:28. */
#define APIC_DFR_FLAT		0xffffffffu
#define APIC_DFR_CLUSTER	0x0fffffffu

/* Interrupt command register fields (64-bit view: ICR2:ICR in xAPIC). */
#define APIC_VECTOR_MASK	0xffu
#define APIC_DM_SHIFT		8
#define APIC_DM_FIXED		(0u << APIC_DM_SHIFT)
#define APIC_DM_LOWEST		(1u << APIC_DM_SHIFT)
#define APIC_DM_SMI		(2u << APIC_DM_SHIFT)
#define APIC_DM_NMI		(4u << APIC_DM_SHIFT)
#define APIC_DM_INIT		(5u << APIC_DM_SHIFT)
#define APIC_DM_STARTUP		(6u << APIC_DM_SHIFT)
#define APIC_DM_EXTINT		(7u << APIC_DM_SHIFT)
#define APIC_DM_MASK		(7u << APIC_DM_SHIFT)
#define APIC_DEST_LOGICAL	BIT(11)
#define APIC_ICR_BUSY		BIT(12)
#define APIC_INT_ASSERT		BIT(14)
#define APIC_INT_LEVELTRIG	BIT(15)
#define APIC_SHORTHAND_SHIFT	18
#define APIC_DEST_SELF		(1u << APIC_SHORTHAND_SHIFT)
#define APIC_DEST_ALLINC	(2u << APIC_SHORTHAND_SHIFT)
#define APIC_DEST_ALLBUT	(3u << APIC_SHORTHAND_SHIFT)
#define APIC_SHORTHAND_MASK	(3u << APIC_SHORTHAND_SHIFT)

/* Broadcast destinations. */
#define XAPIC_BROADCAST		0xffu
#define X2APIC_BROADCAST	0xffffffffu

enum apic_delivery_mode {
	APIC_DELIVERY_FIXED = 0,
	APIC_DELIVERY_LOWEST = 1,
	APIC_DELIVERY_SMI = 2,
	APIC_DELIVERY_NMI = 4,
	APIC_DELIVERY_INIT = 5,
	APIC_DELIVERY_STARTUP = 6,
	APIC_DELIVERY_EXTINT = 7,
};

enum apic_shorthand {
	APIC_SHORTHAND_NONE = 0,
	APIC_SHORTHAND_SELF = 1,
	APIC_SHORTHAND_ALL_INCLUDING_SELF = 2,
	APIC_SHORTHAND_ALL_EXCLUDING_SELF = 3,
};

/* The mode IA32_APIC_BASE selects (EN, EXTD). */
enum apic_mode {
	APIC_MODE_DISABLED,	/* EN=0 EXTD=0 */
	APIC_MODE_INVALID,	/* EN=0 EXTD=1 */
	APIC_MODE_XAPIC,	/* EN=1 EXTD=0 */
	APIC_MODE_X2APIC,	/* EN=1 EXTD=1 */
};

static inline enum apic_mode apic_mode_from_base(uint64_t apic_base)
{
	bool en = apic_base & MSR_IA32_APICBASE_ENABLE;
	bool extd = apic_base & MSR_IA32_APICBASE_EXTD;

	return en ? (extd ? APIC_MODE_X2APIC : APIC_MODE_XAPIC)
		  : (extd ? APIC_MODE_INVALID : APIC_MODE_DISABLED);
}

const char *apic_mode_name(enum apic_mode mode);

/* An interrupt command, field by field. */
struct apic_ipi {
	uint8_t vector;
	uint8_t delivery_mode;		/* enum apic_delivery_mode */
	uint8_t shorthand;		/* enum apic_shorthand */
	bool logical;			/* destination mode */
	bool deassert;			/* level = 0 (only INIT uses it) */
	bool level_trigger;
	uint32_t dest;			/* 8 bits in xAPIC, 32 in x2APIC */
};

/* The 64-bit ICR value for @ipi (xAPIC: destination in bits 63:56). */
static inline uint64_t apic_ipi_to_icr(const struct apic_ipi *ipi, bool x2apic)
{
	uint64_t icr = ipi->vector |
		       ((uint64_t)(ipi->delivery_mode & 7) << APIC_DM_SHIFT) |
		       ((uint64_t)(ipi->shorthand & 3) << APIC_SHORTHAND_SHIFT);

	if (ipi->logical)
		icr |= APIC_DEST_LOGICAL;
	if (!ipi->deassert)
		icr |= APIC_INT_ASSERT;
	if (ipi->level_trigger)
		icr |= APIC_INT_LEVELTRIG;
	if (x2apic)
		icr |= (uint64_t)ipi->dest << 32;
	else
		icr |= (uint64_t)(ipi->dest & 0xff) << 56;
	return icr;
}

/* Guest side: registers */

static inline uint32_t xapic_read_reg(unsigned int reg)
{
	return mmio_read32(APIC_DEFAULT_GPA + reg);
}

static inline void xapic_write_reg(unsigned int reg, uint32_t value)
{
	mmio_write32(APIC_DEFAULT_GPA + reg, value);
}

static inline uint32_t x2apic_msr(unsigned int reg)
{
	return X2APIC_MSR_BASE + (reg >> 4);
}

static inline uint64_t x2apic_read_reg(unsigned int reg)
{
	return rdmsr(x2apic_msr(reg));
}

static inline void x2apic_write_reg(unsigned int reg, uint64_t value)
{
	wrmsr(x2apic_msr(reg), value);
}

/* 0, or the vector of the fault (#GP for a read-only or absent register). */
static inline uint8_t x2apic_write_reg_safe(unsigned int reg, uint64_t value)
{
	return wrmsr_safe(x2apic_msr(reg), value);
}

static inline uint8_t x2apic_read_reg_safe(unsigned int reg, uint64_t *value)
{
	return rdmsr_safe(x2apic_msr(reg), value);
}

/* xAPIC: destination into ICR2 first; the write of ICR sends. */
static inline void xapic_write_icr(uint64_t icr)
{
	xapic_write_reg(APIC_ICR2, icr >> 32);
	xapic_write_reg(APIC_ICR, (uint32_t)icr);
}

/* x2APIC: one 64-bit write sends. */
static inline void x2apic_write_icr(uint64_t icr)
{
	wrmsr(x2apic_msr(APIC_ICR), icr);
}

static inline void xapic_eoi(void)
{
	xapic_write_reg(APIC_EOI, 0);
}

static inline void x2apic_eoi(void)
{
	x2apic_write_reg(APIC_EOI, 0);
}

/* Guest side: mode and state */

static inline enum apic_mode apic_get_mode(void)
{
	return apic_mode_from_base(rdmsr(MSR_IA32_APICBASE));
}

/*
 * Switch IA32_APIC_BASE to @mode by architecturally allowed steps
 * (x2APIC -> xAPIC and disabled -> x2APIC go through xAPIC / disabled).
 */
void apic_set_mode(enum apic_mode mode);

/* Hardware-enable in the mode and set SPIV's software enable. */
void xapic_enable(void);
void x2apic_enable(void);
void apic_disable(void);

/* Register access in whatever mode IA32_APIC_BASE says (one RDMSR more). */
uint64_t apic_read_reg(unsigned int reg);
void apic_write_reg(unsigned int reg, uint64_t value);

/* The APIC ID as the current mode shows it (xAPIC: bits 31:24 of APIC_ID). */
uint32_t apic_read_id(void);
/* Send @ipi in the current mode. */
void apic_send_ipi(const struct apic_ipi *ipi);
void apic_eoi(void);
/* SPIV software enable/disable, keeping the spurious vector. */
void apic_sw_enable(bool enable);

/*
 * The TSC-deadline timer: interrupt @vector at guest TSC @deadline (0
 * disarms).  Needs CPUID.01H:ECX.TSC_DEADLINE in the vCPU's CPUID, set
 * when kvm_has_tsc_deadline_timer().
 */
void apic_arm_tsc_deadline(uint8_t vector, uint64_t deadline);

/* xAPIC: poll ICR delivery status; false if still busy after @loops polls. */
bool xapic_wait_icr_idle(unsigned long loops);

/* Host side: KVM_GET/SET_LAPIC */

uint32_t lapic_state_get_reg(const struct kvm_lapic_state *s, unsigned int reg);
void lapic_state_set_reg(struct kvm_lapic_state *s, unsigned int reg, uint32_t value);

void vcpu_get_lapic(struct kvm_vcpu *vcpu, struct kvm_lapic_state *s);
void vcpu_set_lapic(struct kvm_vcpu *vcpu, struct kvm_lapic_state *s);
/* KVM_SET_LAPIC returning -errno instead of failing. */
int __vcpu_set_lapic(struct kvm_vcpu *vcpu, struct kvm_lapic_state *s);

/* One register, by offset, through KVM_GET_LAPIC / get-modify-KVM_SET_LAPIC. */
uint32_t vcpu_lapic_get_reg(struct kvm_vcpu *vcpu, unsigned int reg);
void vcpu_lapic_set_reg(struct kvm_vcpu *vcpu, unsigned int reg, uint32_t value);

/* The vCPU's TSC frequency in kHz (KVM_GET_TSC_KHZ). */
uint64_t vcpu_tsc_khz(struct kvm_vcpu *vcpu);

/* The vCPU's APIC mode, from its IA32_APIC_BASE. */
enum apic_mode vcpu_apic_mode(struct kvm_vcpu *vcpu);

/*
 * The APIC ID as a number.  KVM_GET_LAPIC stores it in xAPIC format
 * (bits 31:24) unless the vCPU is in x2APIC mode and the VM enabled
 * KVM_X2APIC_API_USE_32BIT_IDS (Documentation/virt/kvm/api.rst,
 * KVM_CAP_X2APIC_API); this decodes either.
 */
uint32_t vcpu_lapic_get_id(struct kvm_vcpu *vcpu);
/* Encode @id the same way and KVM_SET_LAPIC it; returns -errno. */
int __vcpu_lapic_set_id(struct kvm_vcpu *vcpu, uint32_t id);
void vcpu_lapic_set_id(struct kvm_vcpu *vcpu, uint32_t id);

static inline uint32_t vcpu_lapic_get_ldr(struct kvm_vcpu *vcpu)
{
	return vcpu_lapic_get_reg(vcpu, APIC_LDR);
}

static inline uint32_t vcpu_lapic_get_dfr(struct kvm_vcpu *vcpu)
{
	return vcpu_lapic_get_reg(vcpu, APIC_DFR);
}

static inline uint32_t vcpu_lapic_get_tpr(struct kvm_vcpu *vcpu)
{
	return vcpu_lapic_get_reg(vcpu, APIC_TASKPRI);
}

static inline uint32_t vcpu_lapic_get_svr(struct kvm_vcpu *vcpu)
{
	return vcpu_lapic_get_reg(vcpu, APIC_SPIV);
}

static inline void vcpu_lapic_set_ldr(struct kvm_vcpu *vcpu, uint32_t ldr)
{
	vcpu_lapic_set_reg(vcpu, APIC_LDR, ldr);
}

static inline void vcpu_lapic_set_dfr(struct kvm_vcpu *vcpu, uint32_t dfr)
{
	vcpu_lapic_set_reg(vcpu, APIC_DFR, dfr);
}

static inline void vcpu_lapic_set_tpr(struct kvm_vcpu *vcpu, uint32_t tpr)
{
	vcpu_lapic_set_reg(vcpu, APIC_TASKPRI, tpr);
}

static inline void vcpu_lapic_set_svr(struct kvm_vcpu *vcpu, uint32_t svr)
{
	vcpu_lapic_set_reg(vcpu, APIC_SPIV, svr);
}

/* "APIC_LDR", ... for messages; NULL for an unnamed offset. */
const char *apic_reg_name(unsigned int reg);

#endif /* SELFTEST_KVM_APIC_H */
