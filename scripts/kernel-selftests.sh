#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the kernel's own KVM selftests from Debian's linux-source package,
# to run them beside the collection (e.g. ipi_bench -c with their
# xapic_ipi_test, in the embedded VM with VM_FILES).  Unpacks the parts of
# the tree that "make headers" and tools/testing/selftests/kvm need into
# .vm/linux-source-VERSION once, builds there, and prints the directory of
# the built tests (x86_64/xapic_ipi_test, ...).  Installs the package
# with apt-get when it is missing and we may (root).
#
# usage: kernel-selftests.sh [VERSION]     (default 6.12)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
version=${1:-6.12}
tarball=/usr/src/linux-source-$version.tar.xz
tree=$top/.vm/linux-source-$version

say() { echo "kernel-selftests: $*" >&2; }

if [ ! -r "$tarball" ]; then
	[ "$(id -u)" = 0 ] || { say "$tarball is missing: apt-get install linux-source-$version"; exit 1; }
	say "installing linux-source-$version"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "linux-source-$version" >&2
fi

if [ ! -e "$tree/.unpacked" ]; then
	say "unpacking the parts of $tarball the selftests need into $tree"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --wildcards '*/tools/*' '*/scripts/*' \
		'*/Makefile' '*/Kbuild' '*/Kconfig*' '*/include/*' '*/arch/x86/*'
	mv "$tree.tmp"/linux-source-* "$tree"
	rm -rf "$tree.tmp"
	touch "$tree/.unpacked"
fi

if [ ! -e "$tree/usr/include/linux/kvm.h" ]; then
	say "make headers"
	make -s -C "$tree" headers >&2
fi
say "building tools/testing/selftests/kvm"
make -s -j2 -C "$tree/tools/testing/selftests/kvm" > "$tree/selftests-build.log" 2>&1 ||
	{ tail -n 20 "$tree/selftests-build.log" >&2; say "build failed"; exit 1; }
echo "$tree/tools/testing/selftests/kvm"
