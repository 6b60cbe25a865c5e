#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the collection, or one command, under the embedded KVM: a Debian
# kernel booted in an emulator whose CPU has hardware virtualization, so
# that the booted kernel's KVM runs the tests' VMs.  Works on any x86-64
# Debian 12 host, with or without /dev/kvm.
#
#   vm-run.sh [OPTIONS]                 the whole collection (KTAP on
#                                       stdout, results/vm-LABEL.ktap,
#                                       "N passed, N failed, N skipped")
#   vm-run.sh [OPTIONS] -- PROGRAM [ARG...]
#                                       one command, run from the build
#                                       tree (x86_64/..., tests/...) or a
#                                       busybox applet (sh -c '...')
#
# In command mode the program's stdout and stderr pass through unprefixed,
# vm-run's own messages go to stderr, and the exit status is the
# program's; a failure of the VM (panic, hang, no /dev/kvm, a module that
# does not load, the emulator failing) is one line on stderr and exit
# status 125.  In collection mode the exit status is 0 when nothing
# failed, 1 when something did, 125 when the VM failed.
#
# options:
#   --kernel K     6.12 (default), 6.1, a linux-image-... package, or a
#                  path to a vmlinuz (with --modules its lib/modules/RELEASE)
#   --modules DIR  the modules of --kernel PATH
#   --emulator E   qemu (default): QEMU TCG, AMD CPU with SVM, kvm_amd;
#                  bochs: Bochs 3.0, Intel CPU with VMX and APICv, kvm_intel
#                  with enable_apicv=Y (a run without it fails: APICV OFF);
#                  bochs-amd: Bochs 3.0, AMD CPU with SVM, kvm_amd
#                  (scripts/vm/bochs.sh: its own settings)
# environment:
#   VM_QEMU        10 (default, bookworm-backports), 7.2 (bookworm), or a path
#   VM_FILES       extra files or directories (absolute paths) copied into
#                  the VM at the same paths, with the libraries they need
#   VM_TESTS       collection mode: the binaries to run (default: all)
#   VM_TIMEOUT     seconds for the whole VM (default 900; 2400 under Bochs)
#   VM_STALL       seconds without the VM's heartbeat before it is ended as
#                  stalled (default 180; 600 under Bochs)
#   VM_TEST_TIMEOUT  collection mode: seconds per binary (default "settings")
#   VM_OUTPUT      the build tree to take (default: build into .vm/build)
#   VM_MAKEFLAGS   extra make options for that build (e.g. SAN=1)
#   VM_APPEND      more kernel parameters; VM_ACCEL QEMU's -accel
#   VM_DEB_DIR     where downloaded packages are kept (default .vm/deb)
#   VM_BOCHS, VM_BOCHS_CACHE, VM_BOCHS_IPS, VM_BOCHS_SYNC, VM_BOCHS_LOG, VM_MEM
#                  Bochs' binary, build cache and settings (scripts/vm/bochs.sh)
#   VM_VERBOSE=1   show the kernel's console on stderr afterwards
# KVM_SELFTEST_* and KSELFTEST_* variables are passed into the VM.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/vm/common.sh"
. "$top/scripts/vm/apt.sh"
. "$top/scripts/vm/kernel.sh"
. "$top/scripts/vm/qemu.sh"
. "$top/scripts/vm/bochs.sh"
. "$top/scripts/vm/initramfs.sh"
. "$top/scripts/vm/boot.sh"
. "$top/scripts/vm/check.sh"

usage() {
	sed -n '/^#   vm-run.sh/,/^# KVM_SELFTEST/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

kernel=${KERNEL:-6.12}
modules=${MODULES:-}
emulator=qemu
command_mode=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?--kernel needs a value}; shift 2 ;;
	--modules) modules=${2:?--modules needs a value}; shift 2 ;;
	--emulator) emulator=${2:?--emulator needs a value}; shift 2 ;;
	--) shift; command_mode=1; break ;;
	-h | --help) usage ;;
	*) echo "vm-run: unknown option $1" >&2; usage ;;
	esac
done
[ $command_mode = 0 ] || [ $# -gt 0 ] || usage
case $emulator in
qemu | bochs-amd) kvm_module=kvm-amd ;;
bochs) kvm_module=kvm-intel ;;
*) die "--emulator $emulator: not known (qemu, bochs, bochs-amd)" ;;
esac

vm_timeout=${VM_TIMEOUT:-900}
test_timeout=${VM_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' "$top/settings")}

need_tools
kernel_select "$kernel" "$modules"
run_label=$label
case $emulator in
qemu)
	qemu_select
	emulator_label="$qemu_label TCG"
	case ${VM_QEMU:-10} in
	10 | backports) ;;
	/*) run_label=$label-qemu-custom ;;
	*) run_label=$label-qemu-$VM_QEMU ;;
	esac
	;;
bochs*)
	bochs_select
	run_label=$label-$emulator
	# The guest's clock runs at a third of the wall clock or less while
	# busy (scripts/vm/bochs.sh): its 10 s heartbeat came every 30-60 s.
	VM_STALL=${VM_STALL:-600}
	# The collection takes 6-7 min here (docs/bochs.md): room for a slower host.
	vm_timeout=${VM_TIMEOUT:-2400}
	;;
esac

build=${VM_OUTPUT:-$vm/build}
if [ -z "${VM_OUTPUT:-}" ]; then
	# shellcheck disable=SC2086
	make -s -C "$top" OUTPUT="$build" ${VM_MAKEFLAGS:-} all check-build \
		> "$vm/build.log" 2>&1 ||
		{ tail -n 30 "$vm/build.log" >&2; die "build failed (log: $vm/build.log)"; }
fi

if [ $command_mode = 0 ]; then
	tests=""
	for src in $(ls "$top"/x86_64/*_test.c | LC_ALL=C sort); do
		name=$(basename "$src" .c)
		case " ${VM_TESTS:-$name} " in *" $name "*) tests="$tests $name" ;; esac
	done
	[ -n "$tests" ] || die "VM_TESTS='${VM_TESTS:-}' names no test of x86_64/"
	# shellcheck disable=SC2086
	set -- sh /vm/collection.sh $tests
fi

base_archive "$kvm_module"
payload_archive "$build" "$@"
initrd=$vm/initrd-$run_label
cat "$base_cpio" "$payload_cpio" > "$initrd"
raw=$vm/raw-$run_label
say "booting $(basename "$vmlinuz") ($label) under $emulator_label (bound: $vm_timeout s)"
boot_vm

problems=$(vm_problems)
# Under Bochs the point is APICv: a kvm_intel without it fails the run
# (in command mode too, as a failure of the VM: 125).
apicv_off=""
if [ "$emulator" = bochs ] && grep -q '^info params' "$raw/ctl"; then
	apicv=$(sed -n 's/^info params.* enable_apicv=\([^ ]*\).*/\1/p' "$raw/ctl")
	if [ "$apicv" != Y ]; then
		apicv_off="APICV OFF: kvm_intel enable_apicv=${apicv:-?} (Bochs' VMX should give Y)"
		problems="${problems:+$problems
}$apicv_off"
	fi
fi
say "$(vm_summary)"
cp "$raw/console.txt" "$results/vm-$run_label.console.log"
[ "${VM_VERBOSE:-0}" = 1 ] && cat "$raw/console.txt" >&2
if [ -n "$problems" ]; then
	echo "$problems" | sed "s/^/vm-run: kernel $run_label: /" >&2
fi
status=$(vm_status)

if [ $command_mode = 1 ]; then
	[ -n "$status" ] || die "VM failure, no exit status (console: results/vm-$run_label.console.log)"
	[ -z "$apicv_off" ] || exit "$VM_FAILURE"
	[ "$status" != 125 ] || ! grep -q '^vm-failure' "$raw/ctl" || exit "$VM_FAILURE"
	exit "$status"
fi

ktap=$results/vm-$run_label.ktap
cp "$raw/out" "$ktap"
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$ktap" | head -n 1)
got=$(grep -cE '^(not )?ok [0-9]+ selftests: ' "$ktap")
if [ -z "$plan" ]; then
	problems="$problems
NO KTAP PLAN"
	echo "vm-run: kernel $run_label: NO KTAP PLAN: no '1..N' line from the VM" >&2
elif [ "$got" != "$plan" ]; then
	problems="$problems
INCOMPLETE"
	echo "vm-run: kernel $run_label: INCOMPLETE: $got of $plan test binaries reported" >&2
fi
say "KTAP in $ktap, console in $results/vm-$run_label.console.log"
summary=$("$top/scripts/ktap-summary.sh" "$ktap")
echo "$summary"
[ -n "$status" ] || exit "$VM_FAILURE"
[ -z "$problems" ] || exit 1
case $(echo "$summary" | tail -n 1) in
*" 0 failed,"*) exit 0 ;;
*) exit 1 ;;
esac
