#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The planted-bug score: does the collection catch real bugs in KVM?
#
# Builds KVM's modules from Debian's kernel source (scripts/kvm-modules.sh)
# and runs the whole collection on them in the embedded VM
# (scripts/vm-run.sh): first unmodified - the baseline, which must pass or
# the run stops - then once per planted bug of the catalogue (mutants/),
# each applied alone (scripts/kvm-mutate.sh).  Per bug and test binary:
#
#   KILLED   the binary failed: which case, and its first failing line
#   -        the binary passed: the bug survived it
#   skip     the binary skipped as a whole (its reason is in the log)
#   died     the VM died while the binary ran
#
# and per bug a verdict: killed (some binary failed, or the VM reported a
# kernel problem: oops, warning, panic, hang), survived, or not applicable
# (the bug needs APICv/AVIC and the baseline VM has it off: say which
# parameter), or ERROR (it did not apply or build, or the VM could not
# run: not counted).  Ends with the matrix, the closing line
#
#   planted bugs: K killed of N (S survived, A not applicable)
#
# and the time.  Per-bug logs in results/mutants/NAME/ (the edit as a
# diff, build log, KTAP, console, verdicts, result), the matrix in
# results/mutants/matrix.txt, one tab-separated line per bug and binary in
# results/mutants/verdicts.tsv.
#
# usage: kvm-mutants.sh [--kernel 6.12] [--emulator qemu]
#                       [--mutants NAME,...] [--expect-killed] [--report]
#   --mutants        a subset of the catalogue (default: every mutants/*.sh)
#   --expect-killed  exit 1 unless every bug that ran was killed (CI)
#   --report         run nothing: the matrix again from results/mutants/
# environment: VM_TEST_TIMEOUT (per binary, default 600 s: a failing case
# waits out its bounds), VM_TIMEOUT (whole VM, default 1800 s: a bug that
# makes KVM spin in the kernel keeps a killed test's pipe open, and only
# this bound ends the run, as a HANG), VM_TESTS (the binaries to run,
# default all: e.g. only avic_inhibit_test for the APICv bugs under Bochs;
# baseline and bugs alike), KVM_SELFTEST_FAIL_FAST (a file in the VM: once
# a case failed, every later case skips; empty: run them all), and what
# scripts/vm-run.sh takes (VM_QEMU...).
#
# Exit status: 0 when the baseline passed and every bug ran (survivors
# included, unless --expect-killed); 1 otherwise.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/results/mutants
work=$top/.vm/kvm-mutants

say() { echo "kvm-mutants: $*" >&2; }
die() { echo "kvm-mutants: $*" >&2; exit 1; }
now() { date +%s; }

usage() {
	sed -n '/^# usage: kvm-mutants.sh/,/^#   --expect-killed/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

kernel=6.12
emulator=qemu
subset=${MUTANTS:-}
expect_killed=0
report_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift 2 ;;
	--emulator) emulator=${2:?}; shift 2 ;;
	--mutants) subset=${2:?}; shift 2 ;;
	--expect-killed) expect_killed=1; shift ;;
	--report) report_only=1; shift ;;
	*) usage ;;
	esac
done

export VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-600}
# The first failing case kills the bug: the cases after it skip.
export KVM_SELFTEST_FAIL_FAST=${KVM_SELFTEST_FAIL_FAST-/tmp/kvm-selftest-failed}
export VM_TIMEOUT=${VM_TIMEOUT:-1800}

# The bug files to run, in catalogue order.
select_mutants() {
	if [ -z "$subset" ]; then
		ls "$top"/mutants/*.sh | LC_ALL=C sort
		return
	fi
	for n in $(echo "$subset" | tr ',' ' '); do
		f=$top/mutants/${n%.sh}.sh
		[ -r "$f" ] || die "no planted bug '$n' (mutants/${n%.sh}.sh)"
		echo "$f"
	done
}

# The tests, built once from the tree as it is now, so that every run
# (and a concurrent edit of the sources) sees the same binaries.
build_tests() {
	build=$work/build
	say "building the collection into $build"
	make -s -C "$top" OUTPUT="$build" all > "$work/build.log" 2>&1 ||
		{ tail -n 20 "$work/build.log" >&2; die "building the tests failed"; }
	binaries=""
	for b in $(ls "$top"/x86_64/*_test.c | LC_ALL=C sort | sed 's|.*/||; s|\.c$||'); do
		case " ${VM_TESTS:-$b} " in *" $b "*) binaries="$binaries $b" ;; esac
	done
	[ -n "$binaries" ] || die "VM_TESTS='${VM_TESTS:-}' names no test of x86_64/"
}

# run_vm LABEL DIR VMLINUZ LOGDIR: the collection on DIR's modules; sets
# $vm_rc and $vm_secs, leaves ktap, console.log and vm-run.log in LOGDIR.
run_vm() {
	t0=$(now)
	VM_OUTPUT=$build "$top/scripts/vm-run.sh" --kernel "$3" --modules "$2" \
		--emulator "$emulator" > "$4/ktap" 2> "$4/vm-run.log"
	vm_rc=$?
	vm_secs=$(($(now) - t0))
	cp "$top/results/vm-$1.console.log" "$4/console.log" 2>/dev/null
}

# vm_problem LOGDIR: the VM's own problem lines (oops, warning, hang, ...).
vm_problem() {
	sed -n 's/^vm-run: kernel [^:]*: //p' "$1/vm-run.log" |
		grep -E '^(PANIC|OOPS|KERNEL WARNING|STALL|STALLED|HANG|NO KTAP PLAN|INCOMPLETE|MODULE LOAD FAILED|NO KVM|EMULATOR FAILED|NO STATUS)' |
		head -n 1
}

# The APICv/AVIC state of the baseline VM, from its parameter lines.
apicv_state() {
	avic=$(sed -n 's/^# vm-run: kvm_amd\.avic=//p' "$out/baseline/ktap")
	apicv=$(sed -n 's/^# vm-run: kvm_intel\.enable_apicv=//p' "$out/baseline/ktap")
	if [ "$avic" = Y ] || [ "$avic" = 1 ]; then
		have_apicv=1 have_avic=1 why_no=""
	elif [ "$apicv" = Y ] || [ "$apicv" = 1 ]; then
		have_apicv=1 have_avic=0 why_no="AVIC: the baseline VM runs kvm_intel (enable_apicv=$apicv), not kvm_amd with avic=Y"
	else
		have_apicv=0 have_avic=0
		why_no="the baseline VM has APICv/AVIC off (${avic:+kvm_amd.avic=$avic}${apicv:+kvm_intel.enable_apicv=$apicv}; $emulator does not emulate it)"
	fi
}

baseline() {
	d=$out/baseline
	rm -rf "$d" && mkdir -p "$d"
	say "baseline: building the unmodified modules"
	t0=$(now)
	vmlinuz=$("$top/scripts/kvm-modules.sh" --kernel "$kernel" "$work/modules/$kernel-rebuilt" \
		2> "$d/build.log") || { tail -n 20 "$d/build.log" >&2; die "baseline: the modules did not build"; }
	say "baseline: running the collection ($emulator; bounds: $VM_TEST_TIMEOUT s a binary, $VM_TIMEOUT s the VM)"
	run_vm "$kernel-rebuilt" "$work/modules/$kernel-rebuilt" "$vmlinuz" "$d"
	base_secs=$(($(now) - t0))
	"$top/scripts/kvm-mutant-verdict.sh" "$d/ktap" $binaries > "$d/verdicts"
	summary=$("$top/scripts/ktap-summary.sh" "$d/ktap" | tail -n 1)
	if [ "$vm_rc" != 0 ] || grep -qv '	\(passed\|skipped\)	' "$d/verdicts"; then
		cat "$d/verdicts" >&2
		tail -n 5 "$d/vm-run.log" >&2
		die "baseline: the unmodified modules do not pass ($summary; logs: $d): stopping"
	fi
	say "baseline: passed ($summary) in $base_secs s (VM $vm_secs s)"
	echo "passed ($summary) in $base_secs s; emulator $emulator; VM_TEST_TIMEOUT=$VM_TEST_TIMEOUT s" > "$d/result"
	apicv_state
}

# applicable NEEDS: empty, or why the bug cannot be caught on this VM.
not_applicable() {
	case $1 in
	"") ;;
	apicv) [ "$have_apicv" = 1 ] || echo "needs APICv/AVIC: $why_no" ;;
	avic) [ "$have_avic" = 1 ] || echo "needs AVIC (LOGICAL_ID_ALIASED is AVIC's alone): $why_no" ;;
	esac
}

# result NAME VERDICT NOTE [BUILD_SECS VM_SECS]: results/mutants/NAME/result
result() {
	printf '%s\t%s\t%s\t%s\n' "$2" "$3" "${4:--}" "${5:--}" > "$out/$1/result"
	say "$1: $2${3:+: $3}${4:+ (build $4 s, VM $5 s)}"
}

# run_mutant FILE: one planted bug, its logs and result in results/mutants/NAME/.
run_mutant() {
	f=$1
	name=$(basename "$f" .sh)
	d=$out/$name
	rm -rf "$d" && mkdir -p "$d"
	"$top/scripts/kvm-mutate.sh" info "$f" > "$d/info" 2>&1 ||
		{ result "$name" ERROR "$(tail -n 1 "$d/info")"; return; }
	needs=$(sed -n 's/^needs=//p' "$d/info")
	na=$(not_applicable "$needs")
	if [ -n "$na" ]; then
		result "$name" "n/a" "$na"
		return
	fi
	t0=$(now)
	if ! vmlinuz=$("$top/scripts/kvm-modules.sh" --kernel "$kernel" --mutant "$f" \
			"$work/modules/$kernel-planted" 2> "$d/build.log"); then
		result "$name" ERROR "$(grep -v '^[ +-@]' "$d/build.log" | tail -n 1)"
		return
	fi
	sed -n '/^--- /,/^kvm-modules: .* planted and rebuilt/p' "$d/build.log" |
		grep -v '^kvm-modules:' > "$d/edit.diff"
	build_secs=$(($(now) - t0))
	say "$name: built in $build_secs s; running the collection"
	run_vm "$kernel-planted" "$work/modules/$kernel-planted" "$vmlinuz" "$d"
	"$top/scripts/kvm-mutant-verdict.sh" "$d/ktap" $binaries > "$d/verdicts"
	problem=$(vm_problem "$d")
	if grep -q '	failed	' "$d/verdicts"; then
		result "$name" killed "$problem" "$build_secs" "$vm_secs"
	elif echo "$problem" | grep -qE '^(PANIC|OOPS|KERNEL WARNING|STALL|STALLED|HANG)'; then
		result "$name" killed "$problem" "$build_secs" "$vm_secs"
	elif [ "$vm_rc" = 0 ]; then
		result "$name" survived "" "$build_secs" "$vm_secs"
	else
		result "$name" ERROR "the VM failed: ${problem:-exit $vm_rc} (logs: $d)" "$build_secs" "$vm_secs"
	fi
}

# row NAME: its line of the matrix, its details, its lines of verdicts.tsv.
row() {
	d=$out/$1
	if [ ! -r "$d/result" ]; then
		printf '%-40s not run\n' "$1" >> "$table"
		notrun=$((notrun + 1))
		return
	fi
	IFS='	' read -r verdict note bsecs vsecs < "$d/result"
	cells=""
	for b in $binaries; do
		c=n/a
		if [ -r "$d/verdicts" ]; then
			c=$(awk -F '\t' -v b="$b" '$1 == b {
				print $2 == "failed" ? "KILLED" : $2 == "passed" ? "-" : $2 == "skipped" ? "skip" : "died" }' "$d/verdicts")
			awk -F '\t' -v b="$b" -v n="$1" '$1 == b { print n "\t" $0 }' "$d/verdicts" >> "$tsv"
		fi
		cells="$cells $(printf '%-8s' "${c:-?}")"
	done
	[ "$bsecs" = - ] && t="" || t="${bsecs}+${vsecs} s"
	printf '%-40s%s %-9s %s\n' "$1" "$cells" "$verdict" "$t" >> "$table"
	case $verdict in
	killed)
		killed=$((killed + 1))
		[ ! -r "$d/verdicts" ] ||
			awk -F '\t' -v n="$1" '$2 == "failed" { printf "  %s: %s %s: %s\n", n, $1, $3, $4 }' \
				"$d/verdicts" >> "$details"
		[ "$note" = - ] || [ -z "$note" ] || echo "  $1: the VM: $note" >> "$details" ;;
	survived)
		survived=$((survived + 1))
		echo "  $1: SURVIVED every binary" >> "$details" ;;
	n/a)
		na_count=$((na_count + 1))
		echo "  $1: not applicable: $note" >> "$details" ;;
	*)
		errors=$((errors + 1))
		echo "  $1: ERROR: $note" >> "$details" ;;
	esac
	[ "$verdict" = ERROR ] || total=$((total + 1))
}

# report: the matrix of the selected bugs, from results/mutants/.
report() {
	table=$out/matrix.body
	details=$out/details
	tsv=$out/verdicts.tsv
	: > "$table"; : > "$details"; : > "$tsv"
	killed=0 survived=0 na_count=0 total=0 errors=0 notrun=0
	binaries=$(cut -f 1 "$out/baseline/verdicts" | tr '\n' ' ')
	for f in $mutants; do
		row "$(basename "$f" .sh)"
	done
	{
		printf '%-40s' "planted bug"
		for b in $binaries; do printf ' %-8.8s' "${b%_test}"; done
		echo " verdict   build+VM"
		cat "$table"
		echo
		echo "details (binary, first failing case (+ more failing), its first failing line):"
		cat "$details"
		echo
		echo "baseline: $(cat "$out/baseline/result" 2>/dev/null)"
		[ "$errors" = 0 ] || echo "errors: $errors planted bug(s) did not apply, build or run (not counted)"
		[ "$notrun" = 0 ] || echo "not run: $notrun"
		echo "planted bugs: $killed killed of $total ($survived survived, $na_count not applicable)"
		[ -z "${start:-}" ] || echo "time: $(($(now) - start)) s in all"
	} > "$out/matrix.txt"
	rm -f "$table" "$details"
	cat "$out/matrix.txt"
}

mutants=$(select_mutants)
[ -n "$mutants" ] || die "the catalogue (mutants/) is empty"
if [ "$report_only" = 1 ]; then
	[ -r "$out/baseline/verdicts" ] || die "no baseline in $out: run the catalogue first"
	report
	exit 0
fi
start=$(now)
mkdir -p "$out" "$work"
build_tests
baseline
for f in $mutants; do
	run_mutant "$f"
done
report
[ "$errors" = 0 ] || exit 1
[ "$expect_killed" = 0 ] || [ "$killed" = "$((total - na_count))" ] || exit 1
exit 0
