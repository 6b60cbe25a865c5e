// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host side of ucall: read the exiting vCPU's slot, format guest messages,
 * and the run-until helpers that turn guest failures into test failures.
 */
#include "kvm_util.h"
#include "ucall_arch.h"

#define GUEST_STRING_MAX	512

const char *ucall_cmd_name(uint64_t cmd)
{
	static const char *const names[] = {
		[UCALL_NONE] = "NONE", [UCALL_SYNC] = "SYNC", [UCALL_DONE] = "DONE",
		[UCALL_ABORT] = "ABORT", [UCALL_PRINTF] = "PRINTF",
		[UCALL_UNHANDLED] = "UNHANDLED", [UCALL_RETURNED] = "RETURNED",
	};

	return cmd < ARRAY_SIZE(names) ? names[cmd] : "(unknown)";
}

/*
 * Copy a NUL-terminated guest string into @buf.  Returns false if it does
 * not lie in guest memory.
 */
static bool read_guest_string(struct kvm_vm *vm, uint64_t gva, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		const char *c = guest_range_to_host(vm, gva + i, 1);

		if (!c)
			return false;
		buf[i] = *c;
		if (!*c)
			return true;
	}
	buf[i] = '\0';
	return true;
}

/* One conversion of a guest format, with the value narrowed as it names. */
static int format_one(char *out, size_t len, const char *spec, char conv,
		      const char *lenmod, uint64_t v, struct kvm_vm *vm)
{
	char str[GUEST_STRING_MAX];
	bool wide = strchr(lenmod, 'l') || strchr(lenmod, 'z') ||
		    strchr(lenmod, 'j') || strchr(lenmod, 't');
	bool narrow_h = !strcmp(lenmod, "h"), narrow_hh = !strcmp(lenmod, "hh");
	char f[40];

	/* Rebuild the spec with a length modifier host printf agrees on. */
	switch (conv) {
	case 'd': case 'i':
		snprintf(f, sizeof(f), "%s%s%c", spec, "ll", conv);
		if (wide)
			return snprintf(out, len, f, (long long)v);
		if (narrow_hh)
			return snprintf(out, len, f, (long long)(signed char)v);
		if (narrow_h)
			return snprintf(out, len, f, (long long)(short)v);
		return snprintf(out, len, f, (long long)(int)v);
	case 'u': case 'x': case 'X': case 'o':
		snprintf(f, sizeof(f), "%s%s%c", spec, "ll", conv);
		if (wide)
			return snprintf(out, len, f, (unsigned long long)v);
		if (narrow_hh)
			return snprintf(out, len, f, (unsigned long long)(uint8_t)v);
		if (narrow_h)
			return snprintf(out, len, f, (unsigned long long)(uint16_t)v);
		return snprintf(out, len, f, (unsigned long long)(uint32_t)v);
	case 'c':
		snprintf(f, sizeof(f), "%sc", spec);
		return snprintf(out, len, f, (int)(unsigned char)v);
	case 'p':
		return snprintf(out, len, "0x%llx", (unsigned long long)v);
	case 's':
		snprintf(f, sizeof(f), "%ss", spec);
		if (!v)
			return snprintf(out, len, f, "(null)");
		if (!read_guest_string(vm, v, str, sizeof(str)))
			return snprintf(out, len, "(bad guest pointer 0x%llx)",
					(unsigned long long)v);
		return snprintf(out, len, f, str);
	default:
		return snprintf(out, len, "%s%s%c", spec, lenmod, conv);
	}
}

/* printf() of a guest format with the raw 64-bit arguments of a ucall. */
static void format_guest_message(struct kvm_vm *vm, uint64_t fmt_gva,
				 const uint64_t *args, unsigned int nargs,
				 char *out, size_t len)
{
	char fmt[GUEST_STRING_MAX];
	unsigned int next = 0;
	size_t used = 0;
	const char *p;

	if (!read_guest_string(vm, fmt_gva, fmt, sizeof(fmt))) {
		snprintf(out, len, "(format at bad guest pointer 0x%llx)",
			 (unsigned long long)fmt_gva);
		return;
	}
	out[0] = '\0';
	for (p = fmt; *p && used + 1 < len; ) {
		char spec[24], lenmod[4];
		size_t s = 0, l = 0;
		int n;

		if (*p != '%' || p[1] == '%') {
			out[used++] = *p;
			p += (*p == '%') ? 2 : 1;
			out[used] = '\0';
			continue;
		}
		spec[s++] = *p++;
		while (*p && strchr("-+ #0123456789.", *p) && s < sizeof(spec) - 1)
			spec[s++] = *p++;
		spec[s] = '\0';
		while (*p && strchr("hlzjtqL", *p) && l < sizeof(lenmod) - 1)
			lenmod[l++] = *p++;
		lenmod[l] = '\0';
		if (!*p)
			break;
		if (next < nargs)
			n = format_one(out + used, len - used, spec, *p, lenmod,
				       args[next++], vm);
		else
			n = snprintf(out + used, len - used, "(missing argument)");
		p++;
		if (n > 0)
			used += (size_t)n < len - used ? (size_t)n : len - used - 1;
	}
}

uint64_t get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	const struct ucall_slot *slot = &vcpu->percpu->ucall;
	struct kvm_vm *vm = vcpu->vm;
	struct ucall local;
	char file[GUEST_STRING_MAX];
	size_t used;

	if (!ucall_arch_exit_is_ucall(vcpu))
		vcpu_fail_unexpected_exit(vcpu, "expected a ucall");
	if (!uc)
		uc = &local;

	uc->cmd = slot->cmd;
	uc->nargs = slot->nargs <= UCALL_MAX_ARGS ? slot->nargs : UCALL_MAX_ARGS;
	memcpy(uc->args, slot->args, sizeof(uc->args));
	uc->vcpu_id = vcpu->id;
	uc->buffer[0] = '\0';

	switch (uc->cmd) {
	case UCALL_ABORT:
		if (!read_guest_string(vm, slot->file, file, sizeof(file)))
			snprintf(file, sizeof(file), "(unknown file)");
		snprintf(uc->buffer, sizeof(uc->buffer), "%s:%llu: ", file,
			 (unsigned long long)slot->line);
		used = strlen(uc->buffer);
		format_guest_message(vm, slot->fmt, uc->args, uc->nargs,
				     uc->buffer + used, sizeof(uc->buffer) - used);
		break;
	case UCALL_PRINTF:
		format_guest_message(vm, slot->fmt, uc->args, uc->nargs,
				     uc->buffer, sizeof(uc->buffer));
		break;
	case UCALL_UNHANDLED:
		ucall_arch_describe_unhandled(uc, uc->buffer, sizeof(uc->buffer));
		break;
	case UCALL_RETURNED:
		snprintf(uc->buffer, sizeof(uc->buffer),
			 "the guest entry function returned; end guest code with GUEST_DONE()");
		break;
	default:
		break;
	}
	return uc->cmd;
}

void report_guest_failure(const struct ucall *uc)
{
	errno = 0;
	switch (uc->cmd) {
	case UCALL_ABORT:
		TEST_FAIL("vCPU %u: guest assert failed: %s", uc->vcpu_id, uc->buffer);
	case UCALL_UNHANDLED:
	case UCALL_RETURNED:
		TEST_FAIL("vCPU %u: %s", uc->vcpu_id, uc->buffer);
	default:
		TEST_FAIL("vCPU %u: unexpected ucall %s (%llu)", uc->vcpu_id,
			  ucall_cmd_name(uc->cmd), (unsigned long long)uc->cmd);
	}
}

uint64_t vcpu_run_until_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	struct ucall local;

	if (!uc)
		uc = &local;
	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, uc)) {
		case UCALL_PRINTF:
			printf("# vCPU %u: %s\n", vcpu->id, uc->buffer);
			continue;
		case UCALL_SYNC:
		case UCALL_DONE:
			return uc->cmd;
		default:
			report_guest_failure(uc);
		}
	}
}

void vcpu_run_to_done(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	if (vcpu_run_until_ucall(vcpu, &uc) == UCALL_SYNC) {
		errno = 0;
		TEST_FAIL("vCPU %u: unexpected GUEST_SYNC(%llu args: 0x%llx ...) while running to GUEST_DONE()",
			  vcpu->id,
			  (unsigned long long)uc.nargs, (unsigned long long)uc.args[0]);
	}
}
