/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Offsets the IPI engine's interrupt stubs (ipi_handlers.S) use; checked
 * against the C structures in lib/x86_64/ipi_engine.c.
 */
#ifndef SELFTEST_KVM_IPI_STUB_LAYOUT_H
#define SELFTEST_KVM_IPI_STUB_LAYOUT_H

/* struct guest_percpu.test_data: the vCPU's struct ipi_mailbox. */
#define IPI_STUB_PERCPU_MAILBOX	16
/* struct ipi_mailbox: count[256] (NMI) and x2apic. */
#define IPI_STUB_MAILBOX_NMI	(256 * 4)
#define IPI_STUB_MAILBOX_X2APIC	(257 * 4)
/* Stubs per vector are this many bytes apart. */
#define IPI_STUB_SIZE		16

#define IPI_STUB_XAPIC_EOI	0xfee000b0
#define IPI_STUB_X2APIC_EOI_MSR	0x80b

#endif
