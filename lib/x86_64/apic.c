// SPDX-License-Identifier: GPL-2.0-only
/*
 * Local APIC access: guest-side mode changes and mode-dispatching register
 * access, host-side KVM_GET/SET_LAPIC accessors.
 */
#include "apic.h"

const char *apic_mode_name(enum apic_mode mode)
{
	switch (mode) {
	case APIC_MODE_DISABLED:
		return "disabled";
	case APIC_MODE_INVALID:
		return "invalid";
	case APIC_MODE_XAPIC:
		return "xAPIC";
	case APIC_MODE_X2APIC:
		return "x2APIC";
	}
	return "?";
}

/* Guest side */

void apic_set_mode(enum apic_mode mode)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE);
	uint64_t other = base & ~(MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_EXTD);
	enum apic_mode cur = apic_mode_from_base(base);

	if (cur == mode)
		return;
	/* SDM "x2APIC state transitions": no x2APIC -> xAPIC ... */
	if (cur == APIC_MODE_X2APIC && mode == APIC_MODE_XAPIC) {
		wrmsr(MSR_IA32_APICBASE, other);
		cur = APIC_MODE_DISABLED;
	}
	/* ... and no disabled -> x2APIC without passing through xAPIC. */
	if (cur == APIC_MODE_DISABLED && mode == APIC_MODE_X2APIC)
		wrmsr(MSR_IA32_APICBASE, other | MSR_IA32_APICBASE_ENABLE);

	switch (mode) {
	case APIC_MODE_XAPIC:
		other |= MSR_IA32_APICBASE_ENABLE;
		break;
	case APIC_MODE_X2APIC:
		other |= MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_EXTD;
		break;
	default:
		break;
	}
	wrmsr(MSR_IA32_APICBASE, other);
}

uint64_t apic_read_reg(unsigned int reg)
{
	if (apic_get_mode() == APIC_MODE_X2APIC)
		return x2apic_read_reg(reg);
	return xapic_read_reg(reg);
}

void apic_write_reg(unsigned int reg, uint64_t value)
{
	if (apic_get_mode() == APIC_MODE_X2APIC)
		x2apic_write_reg(reg, value);
	else
		xapic_write_reg(reg, value);
}

void apic_sw_enable(bool enable)
{
	uint32_t spiv = apic_read_reg(APIC_SPIV);

	if (enable)
		spiv |= APIC_SPIV_APIC_ENABLED;
	else
		spiv &= ~APIC_SPIV_APIC_ENABLED;
	apic_write_reg(APIC_SPIV, spiv);
}

void xapic_enable(void)
{
	apic_set_mode(APIC_MODE_XAPIC);
	xapic_write_reg(APIC_SPIV, xapic_read_reg(APIC_SPIV) | APIC_SPIV_APIC_ENABLED);
}

void x2apic_enable(void)
{
	apic_set_mode(APIC_MODE_X2APIC);
	x2apic_write_reg(APIC_SPIV, x2apic_read_reg(APIC_SPIV) | APIC_SPIV_APIC_ENABLED);
}

void apic_disable(void)
{
	apic_set_mode(APIC_MODE_DISABLED);
}

uint32_t apic_read_id(void)
{
	if (apic_get_mode() == APIC_MODE_X2APIC)
		return x2apic_read_reg(APIC_ID);
	return xapic_read_reg(APIC_ID) >> 24;
}

void apic_send_ipi(const struct apic_ipi *ipi)
{
	if (apic_get_mode() == APIC_MODE_X2APIC)
		x2apic_write_icr(apic_ipi_to_icr(ipi, true));
	else
		xapic_write_icr(apic_ipi_to_icr(ipi, false));
}

void apic_eoi(void)
{
	apic_write_reg(APIC_EOI, 0);
}

void apic_arm_tsc_deadline(uint8_t vector, uint64_t deadline)
{
	if (deadline)
		apic_write_reg(APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | vector);
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
}

bool xapic_wait_icr_idle(unsigned long loops)
{
	while (xapic_read_reg(APIC_ICR) & APIC_ICR_BUSY) {
		if (!loops--)
			return false;
		cpu_relax();
	}
	return true;
}

/* Host side */

uint32_t lapic_state_get_reg(const struct kvm_lapic_state *s, unsigned int reg)
{
	uint32_t v;

	TEST_ASSERT(reg + 4 <= APIC_REGS_SIZE && !(reg & 3), "bad APIC register 0x%x", reg);
	memcpy(&v, &s->regs[reg], sizeof(v));
	return v;
}

void lapic_state_set_reg(struct kvm_lapic_state *s, unsigned int reg, uint32_t value)
{
	TEST_ASSERT(reg + 4 <= APIC_REGS_SIZE && !(reg & 3), "bad APIC register 0x%x", reg);
	memcpy(&s->regs[reg], &value, sizeof(value));
}

void vcpu_get_lapic(struct kvm_vcpu *vcpu, struct kvm_lapic_state *s)
{
	vcpu_ioctl(vcpu, KVM_GET_LAPIC, s);
}

int __vcpu_set_lapic(struct kvm_vcpu *vcpu, struct kvm_lapic_state *s)
{
	return ioctl(vcpu->fd, KVM_SET_LAPIC, s) ? -errno : 0;
}

void vcpu_set_lapic(struct kvm_vcpu *vcpu, struct kvm_lapic_state *s)
{
	int ret = __vcpu_set_lapic(vcpu, s);

	TEST_ASSERT(!ret, "KVM_SET_LAPIC on vCPU %u failed: %s", vcpu->id, strerror(-ret));
}

uint32_t vcpu_lapic_get_reg(struct kvm_vcpu *vcpu, unsigned int reg)
{
	struct kvm_lapic_state s;

	vcpu_get_lapic(vcpu, &s);
	return lapic_state_get_reg(&s, reg);
}

void vcpu_lapic_set_reg(struct kvm_vcpu *vcpu, unsigned int reg, uint32_t value)
{
	struct kvm_lapic_state s;

	vcpu_get_lapic(vcpu, &s);
	lapic_state_set_reg(&s, reg, value);
	vcpu_set_lapic(vcpu, &s);
}

uint64_t vcpu_tsc_khz(struct kvm_vcpu *vcpu)
{
	int khz = ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0);

	TEST_ASSERT(khz > 0, "KVM_GET_TSC_KHZ on vCPU %u failed", vcpu->id);
	return khz;
}

enum apic_mode vcpu_apic_mode(struct kvm_vcpu *vcpu)
{
	return apic_mode_from_base(vcpu_get_msr(vcpu, MSR_IA32_APICBASE));
}

static bool lapic_id_is_32bit(struct kvm_vcpu *vcpu)
{
	return vcpu_apic_mode(vcpu) == APIC_MODE_X2APIC &&
	       (vcpu->vm->x2apic_api & KVM_X2APIC_API_USE_32BIT_IDS);
}

uint32_t vcpu_lapic_get_id(struct kvm_vcpu *vcpu)
{
	uint32_t raw = vcpu_lapic_get_reg(vcpu, APIC_ID);

	return lapic_id_is_32bit(vcpu) ? raw : raw >> 24;
}

int __vcpu_lapic_set_id(struct kvm_vcpu *vcpu, uint32_t id)
{
	struct kvm_lapic_state s;

	vcpu_get_lapic(vcpu, &s);
	lapic_state_set_reg(&s, APIC_ID, lapic_id_is_32bit(vcpu) ? id : id << 24);
	return __vcpu_set_lapic(vcpu, &s);
}

void vcpu_lapic_set_id(struct kvm_vcpu *vcpu, uint32_t id)
{
	int ret = __vcpu_lapic_set_id(vcpu, id);

	TEST_ASSERT(!ret, "KVM_SET_LAPIC with APIC ID 0x%x on vCPU %u failed: %s",
		    id, vcpu->id, strerror(-ret));
}

const char *apic_reg_name(unsigned int reg)
{
	static const struct { unsigned int reg; const char *name; } names[] = {
		{ APIC_ID, "APIC_ID" }, { APIC_LVR, "APIC_LVR" },
		{ APIC_TASKPRI, "APIC_TASKPRI" }, { APIC_ARBPRI, "APIC_ARBPRI" },
		{ APIC_PROCPRI, "APIC_PROCPRI" }, { APIC_EOI, "APIC_EOI" },
		{ APIC_RRR, "APIC_RRR" }, { APIC_LDR, "APIC_LDR" },
		{ APIC_DFR, "APIC_DFR" }, { APIC_SPIV, "APIC_SPIV" },
		{ APIC_ESR, "APIC_ESR" }, { APIC_LVTCMCI, "APIC_LVTCMCI" },
		{ APIC_ICR, "APIC_ICR" }, { APIC_ICR2, "APIC_ICR2" },
		{ APIC_LVTT, "APIC_LVTT" }, { APIC_LVTTHMR, "APIC_LVTTHMR" },
		{ APIC_LVTPC, "APIC_LVTPC" }, { APIC_LVT0, "APIC_LVT0" },
		{ APIC_LVT1, "APIC_LVT1" }, { APIC_LVTERR, "APIC_LVTERR" },
		{ APIC_TMICT, "APIC_TMICT" }, { APIC_TMCCT, "APIC_TMCCT" },
		{ APIC_TDCR, "APIC_TDCR" }, { APIC_SELF_IPI, "APIC_SELF_IPI" },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].reg == reg)
			return names[i].name;
	if (reg >= APIC_ISR && reg < APIC_ISR + 0x80)
		return "APIC_ISR";
	if (reg >= APIC_TMR && reg < APIC_TMR + 0x80)
		return "APIC_TMR";
	if (reg >= APIC_IRR && reg < APIC_IRR + 0x80)
		return "APIC_IRR";
	return NULL;
}
