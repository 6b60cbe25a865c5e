// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest side of ucall: fill this vCPU's slot, then exit to the host.
 * Nothing is formatted here; see ucall_common.h.
 */
#include <stdarg.h>

#include "guest_percpu.h"

static void ucall_fill_args(struct ucall_slot *slot, int nargs, va_list ap)
{
	int i;

	if (nargs > UCALL_MAX_ARGS)
		nargs = UCALL_MAX_ARGS;
	slot->nargs = nargs;
	for (i = 0; i < nargs; i++)
		slot->args[i] = va_arg(ap, uint64_t);
}

void ucall_args(uint64_t cmd, int nargs, const uint64_t *args)
{
	struct ucall_slot *slot = &this_cpu()->ucall;

	slot->cmd = cmd;
	slot->fmt = 0;
	slot->file = 0;
	slot->line = 0;
	slot->nargs = nargs < UCALL_MAX_ARGS ? nargs : UCALL_MAX_ARGS;
	for (int i = 0; i < slot->nargs; i++)
		slot->args[i] = args[i];
	ucall_arch_do_ucall();
}

/*
 * The arguments are read as 64-bit values whatever their type; the host
 * narrows each one to the size its conversion names.
 */
void ucall_fmt(uint64_t cmd, const char *file, unsigned int line,
	       const char *fmt, int nargs, ...)
{
	struct ucall_slot *slot = &this_cpu()->ucall;
	va_list ap;

	slot->cmd = cmd;
	slot->file = (uint64_t)file;
	slot->line = line;
	slot->fmt = (uint64_t)fmt;
	va_start(ap, nargs);
	ucall_fill_args(slot, nargs, ap);
	va_end(ap);
	ucall_arch_do_ucall();
}
