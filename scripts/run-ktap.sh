#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run test binaries one after another, keep their KTAP output in LOG, and
# end with "N passed, N failed, N skipped".  Exit 1 if anything failed.
#
# The binaries after --kvm need KVM: they run on the host when its
# /dev/kvm is usable (scripts/host-kvm.sh), otherwise all together inside
# the embedded KVM (scripts/vm-run.sh), from the build tree they are in
# (BUILD/tests/NAME: the VM gets BUILD as it is).  A VM that fails counts
# as one more failed case.
#
# usage: run-ktap.sh LOG [BINARY...] [--kvm BINARY...]
set -u
log=$1
shift
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$(dirname "$log")"
: > "$log"
kvm_tests=""
while [ $# -gt 0 ]; do
	if [ "$1" = --kvm ]; then
		shift
		kvm_tests="$*"
		break
	fi
	echo "# running $1" | tee -a "$log"
	"$1" 2>&1 | tee -a "$log"
	shift
done

if [ -n "$kvm_tests" ] && host=$("$here/host-kvm.sh"); then
	echo "# the KVM tests on the host's KVM ($host)" | tee -a "$log"
	for t in $kvm_tests; do
		echo "# running $t" | tee -a "$log"
		"$t" 2>&1 | tee -a "$log"
	done
elif [ -n "$kvm_tests" ]; then
	echo "# the KVM tests in the embedded KVM (scripts/vm-run.sh): this host has no usable KVM: $host" |
		tee -a "$log"
	first=${kvm_tests%% *}
	build=$(cd "$(dirname "$first")/.." && pwd)
	names=""
	for t in $kvm_tests; do
		[ "$(cd "$(dirname "$t")/.." && pwd)" = "$build" ] ||
			{ echo "run-ktap: $t is not in $build/tests" >&2; exit 1; }
		names="$names tests/${t##*/}"
	done
	# shellcheck disable=SC2016,SC2086
	{
		VM_OUTPUT=$build "$here/vm-run.sh" -- \
			sh -c 'for t; do echo "# running $t (in the VM)"; "$t" 2>&1; done' sh $names \
			2> "$log.vm-run"
		echo $? > "$log.vm-status"
	} | tee -a "$log"
	cat "$log.vm-run" >&2
	problem=$(grep -m 1 '^vm-run: kernel [^ ]*: [A-Z]' "$log.vm-run")
	[ "$(cat "$log.vm-status")" != 125 ] || problem=$(tail -n 1 "$log.vm-run")
	[ -z "$problem" ] ||
		echo "not ok 1 vm-run: the VM failed: ${problem#vm-run: }" | tee -a "$log"
	rm -f "$log.vm-status"
fi
summary=$("$here/ktap-summary.sh" "$log")
echo "$summary"
case "$summary" in
*" 0 failed,"*) exit 0 ;;
*) exit 1 ;;
esac
