#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Put the collection beside the kernel's own KVM selftests, or take it out
# again (docs/kernel-overlay.md).
#
#   kernel-overlay.sh [--name NAME] KDIR            install (again)
#   kernel-overlay.sh [--name NAME] --remove KDIR   remove
#
# KDIR is a kernel source tree (the top, with tools/testing/selftests/kvm).
# Install writes two things into its tools/testing/selftests/kvm, and
# changes nothing else there:
#
#   NAME/         (default apic_ids) the project's files (the git checkout's
#                 tracked and untracked-but-not-ignored files), with a
#                 .kernel-overlay stamp and a .gitignore of "*" so that the
#                 kernel tree's git status stays clean
#   GNUmakefile   three lines: GNU make reads it before Makefile; it
#                 includes the kernel's Makefile, unchanged, then
#                 NAME/kernel-overlay.mk, which adds the collection's tests
#                 to the kernel's (built by the project's own Makefile in a
#                 sub-make, with its own library) for all, run_tests,
#                 install, emit_tests (kselftest-list.txt) and clean
#
# Installing again replaces NAME/ with a fresh copy (its build products
# go with it) and leaves an identical GNUmakefile alone.  --remove deletes
# both, so the tree is byte for byte what it was; it touches only what
# carries the overlay's mark, and a tree without the overlay is left as
# it is.  Exit status 0 on success, 1 on an error (nothing half done is
# left behind: the copy is made beside NAME/ and moved into place).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
mark="kvm-selftests kernel overlay"

say() { echo "kernel-overlay: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
	sed -n 's/^#   kernel-overlay.sh/usage: kernel-overlay.sh/p' "$0" >&2
	exit 2
}

# kvm_dir KDIR: the kernel's KVM selftests folder, checked.
kvm_dir() {
	d=$1/tools/testing/selftests/kvm
	[ -f "$d/Makefile" ] && [ -f "$d/../lib.mk" ] ||
		die "$1 is not a kernel tree (no tools/testing/selftests/kvm/Makefile)"
	[ -e "$d/kernel-overlay.mk" ] &&
		die "$d is the collection itself (the in-tree placement), not the kernel's"
	echo "$d"
}

# ours FILE: FILE carries the overlay's mark.
ours() {
	[ -f "$1" ] && grep -q "$mark" "$1"
}

# gnumakefile NAME: the hook, on stdout.
gnumakefile() {
	cat <<EOF
# $mark: read before Makefile; scripts/kernel-overlay.sh --remove deletes it
include Makefile
-include $1/kernel-overlay.mk
EOF
}

# project_files: the files to copy, NUL-separated, relative to $top.
project_files() {
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$top" ls-files -z --cached --others --exclude-standard
	else
		(cd "$top" && find Makefile kernel-overlay.mk settings config \
			include lib x86_64 tests scripts docs README.md \
			-type f ! -name '*.[od]' -print0 2>/dev/null)
	fi
}

# version: what was copied, for the stamp (stable across reinstalls).
version() {
	git -C "$top" describe --always --dirty 2>/dev/null || echo unknown
}

# copy_project DEST: a fresh copy of the project in DEST.
copy_project() {
	mkdir "$1"
	project_files |
		(cd "$top" && tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
		tar -xf - -C "$1" || return 1
	[ -f "$1/kernel-overlay.mk" ] ||
		{ say "no kernel-overlay.mk in the copy"; return 1; }
	echo "# $mark: $(version) from $top" > "$1/.kernel-overlay"
	echo '*' > "$1/.gitignore"
}

install_overlay() {	# install_overlay KVMDIR NAME
	dir=$1/$2
	if [ -e "$dir" ] && ! ours "$dir/.kernel-overlay"; then
		die "$dir exists and is not the overlay: not touching it"
	fi
	if [ -e "$1/GNUmakefile" ] && ! ours "$1/GNUmakefile"; then
		die "$1/GNUmakefile exists and is not the overlay's: not touching it"
	fi
	rm -rf "$dir.new"
	copy_project "$dir.new" ||
		{ rm -rf "$dir.new"; die "copying the project failed"; }
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	gnumakefile "$2" > "$1/GNUmakefile.new"
	if cmp -s "$1/GNUmakefile.new" "$1/GNUmakefile"; then
		rm -f "$1/GNUmakefile.new"
	else
		mv "$1/GNUmakefile.new" "$1/GNUmakefile"
	fi
	say "installed $(version) in $dir; hook: $1/GNUmakefile"
}

remove_overlay() {	# remove_overlay KVMDIR NAME
	found=0
	if ours "$1/GNUmakefile"; then
		rm -f "$1/GNUmakefile"
		found=1
	elif [ -e "$1/GNUmakefile" ]; then
		say "$1/GNUmakefile is not the overlay's: left alone"
	fi
	if ours "$1/$2/.kernel-overlay"; then
		rm -rf "$1/$2"
		found=1
	elif [ -e "$1/$2" ]; then
		say "$1/$2 is not the overlay: left alone"
	fi
	rm -rf "$1/$2.new"
	[ $found = 1 ] && say "removed from $1" || say "no overlay in $1"
}

name=apic_ids
remove=0
while [ $# -gt 0 ]; do
	case $1 in
	--remove) remove=1; shift ;;
	--name) name=${2:?--name needs a value}; shift 2 ;;
	-h | --help) usage ;;
	-*) say "unknown option $1"; usage ;;
	*) break ;;
	esac
done
[ $# = 1 ] || usage
case $name in
*/* | .* | '' | lib | include | x86 | x86_64 | aarch64 | arm64 | s390 | s390x | riscv)
	die "--name $name: not a folder name of its own" ;;
esac
kvm=$(kvm_dir "$1")
if [ $remove = 1 ]; then
	remove_overlay "$kvm" "$name"
else
	install_overlay "$kvm" "$name"
fi
