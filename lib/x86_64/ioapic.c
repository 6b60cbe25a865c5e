// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel IOAPIC (see ioapic.h).
 */
#include "ioapic.h"

static void ioapic_select(uint32_t index)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, index);
}

static uint32_t ioapic_read(uint32_t index)
{
	ioapic_select(index);
	return mmio_read32(IOAPIC_BASE + IOAPIC_IOWIN);
}

static void ioapic_write(uint32_t index, uint32_t value)
{
	ioapic_select(index);
	mmio_write32(IOAPIC_BASE + IOAPIC_IOWIN, value);
}

uint64_t ioapic_read_rte(unsigned int pin)
{
	return ioapic_read(IOAPIC_REDTBL(pin)) |
	       (uint64_t)ioapic_read(IOAPIC_REDTBL(pin) + 1) << 32;
}

void ioapic_write_rte(unsigned int pin, uint64_t rte)
{
	ioapic_write(IOAPIC_REDTBL(pin) + 1, rte >> 32);
	ioapic_write(IOAPIC_REDTBL(pin), (uint32_t)rte);
}

void kvm_irq_line(struct kvm_vm *vm, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	vm_ioctl(vm, KVM_IRQ_LINE, &irq);
}
