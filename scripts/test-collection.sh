#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the whole collection, installing what is missing first, against the
# host's KVM when /dev/kvm is usable, otherwise against the embedded KVM
# (scripts/vm-run.sh: Debian's 6.12 kvm_amd under QEMU TCG).  The first
# line says which KVM and why; the KTAP output is kept in
# results/collection.ktap; the last line is "N passed, N failed,
# N skipped", counting every test case that ran.  Exit 0 only when
# nothing failed.
#
# usage: scripts/test-collection.sh [--host|--vm] [make options, e.g. LLVM=1]
#   --host   the host's KVM, even if /dev/kvm is not usable (then every
#            test SKIPs with the reason)
#   --vm     the embedded KVM, even if the host has one (the VM_*
#            variables of scripts/vm-run.sh apply)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

where=auto
case ${1:-} in
--host) where=host; shift ;;
--vm) where=vm; shift ;;
-h | --help) sed -n 's/^# \{0,1\}//; /^usage:/,/^$/p' "$0"; exit 0 ;;
esac
if host=$(scripts/host-kvm.sh); then
	[ $where = auto ] && where=host
	why="the host's KVM is usable ($host)"
else
	[ $where = auto ] && where=vm
	why="this host has no usable KVM: $host"
fi
[ $where = vm ] && [ "${why#the host}" != "$why" ] && why="--vm"
[ $where = host ] && [ "${why#this host}" != "$why" ] && why="--host: $why"

scripts/install-deps.sh || exit 1
mkdir -p results
if [ $where = host ]; then
	echo "test-collection: testing the host's KVM ($why)"
	make -s "$@" all >/dev/null || { echo "build failed"; exit 1; }
	make -s "$@" run_tests 2>&1 | tee results/collection.ktap
else
	echo "test-collection: testing the embedded KVM, Debian's ${KERNEL:-6.12} kvm_amd under QEMU TCG ($why)"
	# vm-run.sh's output, live, without its own summary (made below).
	{
		VM_MAKEFLAGS="${VM_MAKEFLAGS:-} $*" scripts/vm-run.sh 2>&1
		echo "vm-run-status $?"
	} | tee results/vm-run.log |
		grep -v -e '^XFAIL: ' -e '^[0-9]* passed, ' -e '^([0-9]* of the passed' \
			-e '^vm-run-status '
	ktap=$(sed -n 's/^vm-run: KTAP in \(.*\), console in .*/\1/p' results/vm-run.log)
	cp "${ktap:-/dev/null}" results/collection.ktap
	# A VM that failed (panic, oops, kernel warning, hang: vm-run said
	# which above) is one more failed case, whatever the tests reported.
	vm_status=$(sed -n 's/^vm-run-status //p' results/vm-run.log)
	problem=$(grep -m 1 '^vm-run: kernel [^ ]*: [A-Z]' results/vm-run.log)
	if [ -n "$problem" ] || { [ "$vm_status" != 0 ] && [ "$vm_status" != 1 ]; }; then
		echo "not ok 1 vm-run: the VM failed (exit $vm_status) ${problem#vm-run: }" |
			tee -a results/collection.ktap
	fi
fi
summary=$(scripts/ktap-summary.sh results/collection.ktap)
echo "$summary"
case "$summary" in
*" 0 failed,"*) exit 0 ;;
*) exit 1 ;;
esac
