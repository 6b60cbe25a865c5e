// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest exceptions: the dispatcher the entry stubs call, expected-fault
 * fixups, the per-VM handler table, and the report of an unexpected one.
 */
#include "arch_setup.h"
#include "processor.h"
#include "ucall_arch.h"

/*
 * Guest side.  The table is a guest global: each VM has its own copy, which
 * vm_install_exception_handler() writes.
 */
exception_handler_t exception_handlers[256];


static bool apply_fixup(struct ex_regs *regs)
{
	const struct guest_extable_entry *e;

	for (e = __start_guest_extable; e < __stop_guest_extable; e++) {
		if (e->insn == regs->rip) {
			regs->rip = e->fixup;
			regs->r9 = regs->vector;
			return true;
		}
	}
	return false;
}

void route_exception(struct ex_regs *regs);
void route_exception(struct ex_regs *regs)
{
	exception_handler_t handler;
	uint64_t top;

	/* Only CPU exceptions can come from an instruction with a fixup. */
	if (regs->vector < 32 && apply_fixup(regs))
		return;

	handler = exception_handlers[regs->vector];
	if (handler) {
		handler(regs);
		return;
	}
	/*
	 * The word on top of the stack names the caller of a jump to nowhere.
	 * Read in assembly: it may lie in a sanitizer's redzone (SAN=1).
	 */
	__asm__ __volatile__("mov (%1), %0" : "=r"(top) : "r"(regs->rsp));
	for (;;)
		ucall_args(UCALL_UNHANDLED, 4,
			   (const uint64_t []) { regs->vector, regs->error_code, regs->rip, top });
}

void guest_entry_returned(void);
void guest_entry_returned(void)
{
	for (;;)
		ucall_args(UCALL_RETURNED, 0, NULL);
}

/* Host side. */

void vm_install_exception_handler(struct kvm_vm *vm, unsigned int vector,
				  exception_handler_t handler)
{
	exception_handler_t *table = addr_gva2hva(vm, (vm_vaddr_t)exception_handlers);

	TEST_ASSERT(vector < 256, "bad vector %u", vector);
	table[vector] = handler;
}

static bool vector_has_error_code(unsigned int vector)
{
	return vector == DF_VECTOR || (vector >= TS_VECTOR && vector <= PF_VECTOR) ||
	       vector == AC_VECTOR || vector == CP_VECTOR || vector == 29 || vector == 30;
}

const char *exception_name(unsigned int vector, char *buf, size_t len)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", NULL, "#TS", "#NP", "#SS", "#GP", "#PF", NULL,
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", NULL, NULL,
		NULL, NULL, NULL, NULL, "#HV", "#VC", "#SX", NULL,
	};

	if (vector < 32 && names[vector])
		snprintf(buf, len, "%s", names[vector]);
	else if (vector < 32)
		snprintf(buf, len, "reserved exception");
	else
		snprintf(buf, len, "interrupt");
	return buf;
}

void ucall_arch_describe_unhandled(const struct ucall *uc, char *buf, size_t len)
{
	unsigned int vector = uc->args[0];
	char name[32], where[160];
	int n;

	exception_name(vector, name, sizeof(name));
	guest_symbolize(uc->args[2], where, sizeof(where));
	n = snprintf(buf, len, "unexpected guest %s: vector %u (%s)",
		     vector < 32 ? "exception" : "interrupt", vector, name);
	if (vector_has_error_code(vector) && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ", error code 0x%llx",
			      (unsigned long long)uc->args[1]);
	if (n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ", RIP %s%s", where,
			      vector < 32 ? "" : "; no handler installed for it");
	/* A RIP in the unmapped page 0: a call through a null or unresolved pointer. */
	if (uc->args[2] < 0x1000 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, "; called from %s",
			      guest_symbolize(uc->args[3], where, sizeof(where)));
#ifdef KVM_SELFTEST_SANITIZERS
	/* The sanitizer runtimes call into libc, which is not in guest memory. */
	if (uc->args[2] < 0x1000 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " (SAN=1: likely a sanitizer report raised by guest code)");
#endif
}
