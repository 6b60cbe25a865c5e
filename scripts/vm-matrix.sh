#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the collection against every KVM at hand and print one table: test
# binary x kernel/backend/emulator, with the binary's KTAP cases counted as
# passed/failed/skipped/xfail.
#
#  - the host's own KVM, when /dev/kvm is usable: "make run_tests" (the
#    kselftest runner), KTAP in results/vm-host.ktap;
#  - each column given as KERNEL[@EMULATOR] (default: 6.1 6.12 6.12@bochs
#    6.12@bochs-amd): scripts/vm-run.sh --kernel KERNEL, under EMULATOR:
#    qemu (VM_QEMU's default), qemu-7.2, qemu-10, bochs (kvm_intel with
#    APICv), bochs-amd (kvm_amd); KTAP in results/vm-LABEL.ktap.
#
# The tests are built once, into .vm/build, and every column runs those
# same binaries.  Counting follows scripts/ktap-summary.sh: a binary's
# leaf cases; the binary's own line only when it reported no case, or as
# one more failure when it failed (crash, timeout) after its cases passed.
# "pass" here excludes XFAIL (its own column); XPASS counts as a failure.
# A binary whose run never ended (the VM died under it) is marked "!".
# The seconds each binary took are in results/vm-matrix-times.txt.
#
# Ends with the runs' problems (panic, oops, hang, ...), each column's
# "N passed, N failed, N skipped", and the same line over all columns.
# Exit 0 only when every run passed.
#
# usage: vm-matrix.sh [KERNEL[@EMULATOR]...]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
vm=$top/.vm
results=$top/results
columns=${*:-6.1 6.12 6.12@bochs 6.12@bochs-amd}
mkdir -p "$results" "$vm"
status=0

echo "vm-matrix: building into .vm/build"
make -s -C "$top" OUTPUT="$vm/build" all check-build > "$vm/build.log" 2>&1 ||
	{ tail -n 20 "$vm/build.log"; exit 1; }

# --- the host ----------------------------------------------------------------
files=""
labels=""
if host=$("$top/scripts/host-kvm.sh"); then
	host_ktap=$results/vm-host.ktap
	echo "vm-matrix: host: $host: make run_tests (OUTPUT=.vm/build)"
	start=$(date +%s)
	make -s -C "$top" OUTPUT="$vm/build" run_tests > "$host_ktap" 2>&1 || status=1
	echo "vm-matrix: host: $(($(date +%s) - start)) s; KTAP in $host_ktap"
	files=$host_ktap
	labels="host $(uname -r | cut -d. -f1-2) ${host%%,*}"
else
	echo "vm-matrix: host: left out: $host"
fi

# --- the VMs -----------------------------------------------------------------
problems=$vm/matrix-problems.txt
: > "$problems"
for c in $columns; do
	k=${c%%@*}
	e=qemu
	[ "$k" = "$c" ] || e=${c#*@}
	case $e in
	qemu) q=${VM_QEMU:-10} ;;
	qemu-*) q=${e#qemu-}; e=qemu ;;
	*) q=${VM_QEMU:-10} ;;
	esac
	case $e in
	qemu) echo "vm-matrix: $c: scripts/vm-run.sh --kernel $k --emulator $e (VM_QEMU=$q)" ;;
	*) echo "vm-matrix: $c: scripts/vm-run.sh --kernel $k --emulator $e" ;;
	esac
	out=$vm/matrix-$(echo "$c" | tr '/@' '__').out
	start=$(date +%s)
	VM_QEMU=$q VM_OUTPUT=$vm/build "$top/scripts/vm-run.sh" --kernel "$k" --emulator "$e" \
		> "$out" 2>&1 || status=1
	grep -E '^vm-run: kernel [^ ]+: [A-Z]' "$out" >> "$problems"
	grep -E '^vm-run: kernel [^,]*, ' "$out"
	ktap=$(sed -n 's/^vm-run: KTAP in \(.*\), console in .*/\1/p' "$out")
	[ -r "$ktap" ] || { echo "vm-matrix: $c: no KTAP (see $out)"; tail -n 5 "$out"; continue; }
	rel=$(sed -n 's/^# vm-run: kernel \([^ ]*\) .*/\1/p' "$ktap" | head -n 1)
	be=$(sed -n 's/^# vm-run: backend \([^ ,]*\).*/\1/p' "$ktap" | head -n 1)
	emu=$(sed -n 's/^vm-run: kernel [^,]*, [^ ]* under \([^:]*\):.*/\1/p' "$out" | head -n 1)
	files="$files $ktap"
	labels="$labels${labels:+|}${rel:-$k} ${be:-?} ${emu:-$e}"
	echo "vm-matrix: $c: $(($(date +%s) - start)) s"
done
files=${files# }

# The seconds each binary took, per column.
for f in $files; do
	echo "$(basename "$f" .ktap): $(sed -n 's/^# vm-run: \([a-z_0-9]*\) took \([0-9.]*\) s$/\1 \2/p' "$f" | tr '\n' ' ')"
done > "$results/vm-matrix-times.txt"

# --- the table ---------------------------------------------------------------
echo
# shellcheck disable=SC2086
awk -v labels="$labels" '
function kind(line, indent,    rest, d) {
	rest = substr(line, indent + 1)
	d = ""
	if (match(rest, / # (SKIP|XFAIL|XPASS|TIMEOUT)/))
		d = substr(rest, RSTART + 3, RLENGTH - 3)
	if (rest ~ /^not ok /) return d == "" || d == "TIMEOUT" ? "fail" : tolower(d)
	if (d == "SKIP") return "skip"
	if (d == "XFAIL") return "xfail"
	if (d == "XPASS") return "fail"
	return "pass"
}
function add(k) {
	if (k == "xpass") k = "fail"
	n[cur, col, k]++
}
FNR == 1 { col++; cur = ""; inner = 0; inner_failed = 0 }
/^# selftests: [^ ]*: / {
	cur = $0; sub(/.*: /, "", cur)
	if (!(cur in seen)) { seen[cur] = 1; names[++nnames] = cur }
	started[cur, col] = 1; inner = 0; inner_failed = 0
	next
}
/^(not )?ok [0-9]+ selftests: / {
	name = $0; sub(/ # .*/, "", name); sub(/.*: /, "", name)
	k = kind($0, 0)
	if (inner == 0) add(k)
	else if (k == "fail" && inner_failed == 0) add("fail")
	ended[name, col] = 1; cur = ""; inner = 0; inner_failed = 0
	next
}
/^# (not )?ok [0-9]+ / && cur != "" {
	k = kind($0, 2); add(k); inner++
	if (k == "fail" || k == "xpass") inner_failed++
}
END {
	ncols = split(labels, head, "|")
	w = 22
	for (c = 1; c <= ncols; c++) if (length(head[c]) + 2 > w) w = length(head[c]) + 2
	printf "%-22s", "test binary"
	for (c = 1; c <= ncols; c++) printf "| %-*s", w, head[c]
	printf "\n%-22s", "(pass/fail/skip/xfail)"
	for (c = 1; c <= ncols; c++) printf "| %-*s", w, ""
	printf "\n"
	for (i = 1; i <= nnames; i++) {
		name = names[i]
		printf "%-22s", name
		for (c = 1; c <= ncols; c++) {
			if (!((name, c) in started)) { cell = "not run" }
			else {
				cell = sprintf("%d/%d/%d/%d", n[name, c, "pass"], n[name, c, "fail"],
					       n[name, c, "skip"], n[name, c, "xfail"])
				if (!((name, c) in ended)) cell = cell " ! (did not finish)"
			}
			t[c, "pass"] += n[name, c, "pass"]; t[c, "fail"] += n[name, c, "fail"]
			t[c, "skip"] += n[name, c, "skip"]; t[c, "xfail"] += n[name, c, "xfail"]
			printf "| %-*s", w, cell
		}
		printf "\n"
	}
	printf "%-22s", "total"
	for (c = 1; c <= ncols; c++)
		printf "| %-*s", w, sprintf("%d/%d/%d/%d", t[c, "pass"], t[c, "fail"], t[c, "skip"], t[c, "xfail"])
	printf "\n"
}' $files

echo
if [ -s "$problems" ]; then
	echo "vm-matrix: problems:"
	cat "$problems"
	status=1
fi
for f in $files; do
	echo "$(basename "$f" .ktap): $("$top/scripts/ktap-summary.sh" "$f" | tail -n 1)"
done
# shellcheck disable=SC2086
summary=$("$top/scripts/ktap-summary.sh" $files | tail -n 1)
case $summary in
*" 0 failed,"*) ;;
*) status=1 ;;
esac
echo "all: $summary"
exit "$status"
