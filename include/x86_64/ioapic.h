/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel IOAPIC (KVM_CREATE_IRQCHIP): guest access to its
 * redirection table through IOREGSEL/IOWIN, and the host's KVM_IRQ_LINE.
 * Register layout from the Intel 82093AA datasheet, "I/O Redirection
 * Table Registers": entry N at index 0x10 + 2N (bits 31:0) and 0x11 + 2N
 * (bits 63:32).
 */
#ifndef SELFTEST_KVM_IOAPIC_H
#define SELFTEST_KVM_IOAPIC_H

#include "kvm_util.h"

#define IOAPIC_BASE		0xfec00000ul
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_NR_PINS		24
#define IOAPIC_REDTBL(pin)	(0x10 + 2 * (pin))

/* Redirection entry fields. */
#define IOAPIC_RTE_VECTOR(v)		((uint64_t)(v) & 0xff)
#define IOAPIC_RTE_DELIVERY(dm)		(((uint64_t)(dm) & 0x7) << 8)
#define IOAPIC_RTE_LOGICAL		BIT_ULL(11)
#define IOAPIC_RTE_REMOTE_IRR		BIT_ULL(14)
#define IOAPIC_RTE_LEVEL		BIT_ULL(15)
#define IOAPIC_RTE_MASKED		BIT_ULL(16)
#define IOAPIC_RTE_DEST(d)		(((uint64_t)(d) & 0xff) << 56)

/* Guest: read and write a redirection entry (high half written first). */
uint64_t ioapic_read_rte(unsigned int pin);
void ioapic_write_rte(unsigned int pin, uint64_t rte);

/* Host: set the level of GSI @gsi (an IOAPIC pin under the default routing). */
void kvm_irq_line(struct kvm_vm *vm, uint32_t gsi, int level);

#endif /* SELFTEST_KVM_IOAPIC_H */
