#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Try a proposed fix of a KVM deviation (fixes/NAME.sh, the planted-edit
# format of mutants/*.sh; docs/reports/README.md): build KVM's modules with
# it applied (scripts/kvm-modules.sh --mutant) and run a program on them in
# the embedded VM (scripts/vm-run.sh --modules).
#
#   kvm-fix.sh [--stock] [--kernel 6.12] [--emulator E] FIX [-- PROGRAM [ARG...]]
#
# FIX is a name in fixes/ or a path to a fix file.  PROGRAM defaults to the
# fix's own check (its "program" field: the case of its report).  --stock
# builds the same modules without the edit, the same way, so that a run
# before and a run after differ by the fix alone.  --emulator goes to
# vm-run.sh (qemu: kvm_amd; bochs: kvm_intel with APICv).
#
# Output and exit status are vm-run.sh's in command mode: the program's
# stdout and stderr, its exit status (125: the VM failed).  The modules
# are built into .vm/kvm-fix/modules/KERNEL-fix (or -stock); the build's
# messages and the edit as a diff go to stderr.
#
# environment: what scripts/kvm-modules.sh takes (KVM_MODULES_DIR,
# VM_DEB_DIR, KVM_MODULES_JOBS) and what scripts/vm-run.sh takes (VM_QEMU,
# VM_TIMEOUT, ...).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)

say() { echo "kvm-fix: $*" >&2; }
die() { echo "kvm-fix: $*" >&2; exit 1; }
usage() {
	sed -n '/^#   kvm-fix.sh/s/^#   //p' "$0" >&2
	exit 2
}

stock=0
kernel=6.12
emulator=qemu
while [ $# -gt 0 ]; do
	case $1 in
	--stock) stock=1; shift ;;
	--kernel) kernel=${2:?--kernel needs a value}; shift 2 ;;
	--emulator) emulator=${2:?--emulator needs a value}; shift 2 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
fix=$1
shift
case $fix in
*/*) ;;
*) fix=$top/fixes/${fix%.sh}.sh ;;
esac
[ -r "$fix" ] || die "no fix file $fix (fixes/: $(cd "$top/fixes" && echo *.sh | sed 's/\.sh//g'))"
fix=$(cd "$(dirname "$fix")" && pwd)/$(basename "$fix")
name=$(basename "$fix" .sh)
if [ $# -gt 0 ]; then
	[ "$1" = -- ] || usage
	shift
fi
if [ $# = 0 ]; then
	# shellcheck disable=SC1090
	program=$(program=""; . "$fix"; echo "$program")
	[ -n "$program" ] || die "$name: no program given and the fix names none (program=...)"
	# shellcheck disable=SC2086
	set -- $program
fi

mods=$top/.vm/kvm-fix/modules/$kernel-fix
[ $stock = 0 ] || mods=$top/.vm/kvm-fix/modules/$kernel-stock
mkdir -p "$(dirname "$mods")"
if [ $stock = 1 ]; then
	say "$name: building the unmodified modules (--stock)"
	vmlinuz=$("$top/scripts/kvm-modules.sh" --kernel "$kernel" "$mods")
else
	say "$name: building the modules with the fix"
	vmlinuz=$("$top/scripts/kvm-modules.sh" --kernel "$kernel" --mutant "$fix" "$mods")
fi || die "$name: the modules did not build"
state=fixed
[ $stock = 0 ] || state=stock
say "$name: running $* ($emulator, $state modules)"
exec "$top/scripts/vm-run.sh" --kernel "$vmlinuz" --modules "$mods" --emulator "$emulator" -- "$@"
