#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unpack the kselftest framework (lib.mk, kselftest.h, kselftest_harness.h,
# kselftest/runner.sh and its helpers, run_kselftest.sh) from Debian's
# linux-source package
# into DEST/tools/testing/selftests, for standalone builds.  Installs the
# package with apt-get when it is missing and we may (root).
#
# usage: get-kselftest.sh DEST
set -eu

dest=${1:?usage: get-kselftest.sh DEST}
version=${KSFT_LINUX_SOURCE:-6.12}
tarball=/usr/src/linux-source-$version.tar.xz

if [ ! -r "$tarball" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "get-kselftest: installing linux-source-$version" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			"linux-source-$version" >&2
	else
		echo "get-kselftest: $tarball is missing; as root run:" >&2
		echo "  apt-get install linux-source-$version" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "get-kselftest: unpacking the kselftest framework from $tarball" >&2
tar -xJf "$tarball" -C "$tmp" --wildcards \
	'*/tools/testing/selftests/lib.mk' \
	'*/tools/testing/selftests/kselftest.h' \
	'*/tools/testing/selftests/kselftest_harness.h' \
	'*/tools/testing/selftests/run_kselftest.sh' \
	'*/tools/testing/selftests/kselftest/*'
src=$(echo "$tmp"/*/tools/testing/selftests)
[ -r "$src/lib.mk" ] || { echo "get-kselftest: no lib.mk in $tarball" >&2; exit 1; }

mkdir -p "$dest/tools/testing"
rm -rf "$dest/tools/testing/selftests"
mv "$src" "$dest/tools/testing/selftests"
echo "get-kselftest: framework in $dest/tools/testing/selftests" >&2
