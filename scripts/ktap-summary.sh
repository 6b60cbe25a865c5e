#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Count test cases in KTAP logs and print "N passed, N failed, N skipped".
#
# A case is a leaf result: the harness lines of each test binary, whether
# the binary ran directly ("ok 3 fixture.case") or under the kselftest
# runner ("# ok 3 fixture.case" inside "ok 1 selftests: kvm: binary").  A
# runner line counts as a case of its own when its binary reported none,
# and as one more failure when the binary failed (crash, timeout) although
# all its cases passed.  XFAIL counts as passed and XPASS as failed; both
# are listed before the totals, and the failures last, next to them.
#
# usage: ktap-summary.sh LOG...   (or KTAP on stdin)
exec awk '
function result(line, indent,    rest, directive) {
	rest = substr(line, indent + 1)
	directive = ""
	if (match(rest, / # (SKIP|XFAIL|XPASS|TIMEOUT)/))
		directive = substr(rest, RSTART + 3, RLENGTH - 3)
	if (rest ~ /^not ok /)
		return directive == "" || directive == "TIMEOUT" ? "fail" : tolower(directive)
	if (directive == "SKIP") return "skip"
	if (directive == "XFAIL") return "xfail"
	if (directive == "XPASS") return "xpass"
	return "pass"
}
function count(kind, name) {
	if (kind == "pass" || kind == "xfail") passed++
	else if (kind == "skip") skipped++
	else { failed++; fails[failed] = name }
	if (kind == "xfail") { xfail++; print "XFAIL: " name }
	if (kind == "xpass") print "XPASS (counted as failed): " name
}
/^(not )?ok [0-9]+ selftests: / {
	kind = result($0, 0)
	if (inner == 0) count(kind, $0)
	else if (kind == "fail" && inner_failed == 0) count("fail", $0 " (binary failed after its cases)")
	inner = 0; inner_failed = 0
	next
}
/^# (not )?ok [0-9]+ / {
	kind = result($0, 2); count(kind, $0); inner++
	if (kind == "fail" || kind == "xpass") inner_failed++
	next
}
/^(not )?ok [0-9]+ / { count(result($0, 0), $0) }
END {
	if (xfail) printf "(%d of the passed are expected failures, XFAIL)\n", xfail
	for (i = 1; i <= failed; i++) print "FAILED: " fails[i]
	printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
}
' "$@"
