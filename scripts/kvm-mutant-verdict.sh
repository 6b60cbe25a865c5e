#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Read the collection's KTAP from one run in the VM (scripts/vm-run.sh,
# scripts/vm-collection.sh) and say, per test binary, what it made of the
# KVM it ran on: one tab-separated line each,
#
#   BINARY  VERDICT  CASE  LINE
#
#   VERDICT  failed   the binary reported "not ok" (a failing case, a
#                     crash, a timeout): CASE is its first failing case
#                     (the first that is not a random one, if any)
#                     and how many more failed (or "-" when none failed
#                     on its own, e.g. TIMEOUT),
#                     LINE the first line of that case that says what went
#                     wrong (LOST/SPURIOUS/STUCK, an assertion, a FAIL)
#            passed   "ok", with XFAILs in CASE when it had any
#                     ("xfail:N")
#            skipped  "ok ... # SKIP": LINE is the reason it printed
#            missing  the binary was in the plan but never reported (the
#                     VM died while it ran); LINE is its last output line
#
# usage: kvm-mutant-verdict.sh KTAP NAME...    (NAME: the binaries run)
set -u
ktap=$1
shift
awk -v names="$*" '
function flush_case() { case_lines = "" }
function clean(s) {
	sub(/^(# )+/, "", s)
	gsub(/\t/, " ", s)
	return s
}
# The line of a failing case that says what went wrong.
function first_bad(lines,    n, arr, i, l) {
	n = split(lines, arr, "\n")
	for (i = 1; i <= n; i++) {
		l = clean(arr[i])
		if (l ~ /assertion failure/ && i < n) {
			l = clean(arr[i + 1])
			# "file:line:" alone: the message is on the next line
			if (l ~ /:$/ && i + 1 < n)
				l = l " " clean(arr[i + 2])
			return l
		}
		if (l ~ /^(LOST|SPURIOUS|STUCK|FAIL|UNEXPECTED|KERNEL)|[Aa]ssert|not ok|unexpected|expected .* got|failed|mismatch/ &&
		    l !~ /^source:/ && l !~ /^KNOWN:/)
			return l
	}
	for (i = n; i >= 1; i--) {
		l = clean(arr[i])
		if (l != "" && l !~ /^source:/ && l !~ /^(RUN|OK|FAIL) / && l !~ /^ok /)
			return l
	}
	return "-"
}
BEGIN { nn = split(names, order, " ") }
/^# selftests: kvm: / {
	bin = $4; inbin = 1; bad_case = ""; bad_line = ""; xfail = 0; nbad = 0; skipreason = ""
	last[bin] = ""; flush_case(); next
}
inbin && /^# #  *RUN / { flush_case() }
inbin && /^# (not )?ok [0-9]+ / {
	line = substr($0, 3)
	if (line ~ /^not ok/) {
		nbad++
		c = line
		sub(/^not ok [0-9]+ /, "", c)
		sub(/ #.*/, "", c)
		# A fixed family says more than a random one: prefer it.
		if (bad_case == "" || (bad_case ~ /random/ && c !~ /random/)) {
			bad_case = c
			bad_line = first_bad(case_lines)
		}
	}
	if (line ~ / # XFAIL/) xfail++
	flush_case(); next
}
inbin && /^# / {
	case_lines = case_lines "\n" $0
	if ($0 !~ /^# vm-run:/ && $0 !~ /^# timeout set/) last[bin] = clean($0)
	if ($0 ~ /^# (# )?SKIP|# SKIP /) skipreason = clean($0)
	next
}
/^(not )?ok [0-9]+ selftests: kvm: / {
	b = $0; sub(/^(not )?ok [0-9]+ selftests: kvm: /, "", b); sub(/ #.*/, "", b)
	inbin = 0
	if ($0 ~ /^not ok/) {
		why = $0; sub(/.*selftests: kvm: [^ ]*( # )?/, "", why)
		if (bad_case == "") { bad_case = "-"; bad_line = why " (last line: " last[b] ")" }
		v[b] = "failed\t" bad_case (nbad > 1 ? " (+" nbad - 1 " more)" : "") "\t" bad_line
	} else if ($0 ~ / # SKIP/) {
		v[b] = "skipped\t-\t" (skipreason != "" ? skipreason : "-")
	} else {
		v[b] = "passed\t" (xfail ? "xfail:" xfail : "-") "\t-"
	}
	next
}
END {
	for (i = 1; i <= nn; i++) {
		b = order[i]
		if (b in v) print b "\t" v[b]
		else print b "\tmissing\t-\t" ((b in last) && last[b] != "" ? last[b] : "never started")
	}
}' "$ktap"
