#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what building and running the collection needs on Debian 12, if
# it is missing: a C toolchain and make, clang (LLVM=1 builds), perl and
# coreutils' timeout (the kselftest runner), rsync (kselftest install), and
# linux-source-6.12 (the kselftest framework for standalone builds).
#
# usage: install-deps.sh [--clang]
set -eu

pkgs=""
need() {	# need COMMAND-OR-FILE PACKAGE
	case "$1" in
	/*) [ -e "$1" ] || pkgs="$pkgs $2" ;;
	*) command -v "$1" >/dev/null 2>&1 || pkgs="$pkgs $2" ;;
	esac
}

need make make
need gcc gcc
need /usr/include/stdio.h libc6-dev
need /usr/include/linux/kvm.h linux-libc-dev
need perl perl
need timeout coreutils
need xz xz-utils
need rsync rsync
need /usr/src/linux-source-6.12.tar.xz linux-source-6.12
[ "${1:-}" = --clang ] && need clang clang

[ -n "$pkgs" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$pkgs; run as root: apt-get install$pkgs" >&2
	exit 1
fi
echo "install-deps: installing$pkgs" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q $pkgs >&2 || { apt-get update -q >&2 && apt-get install -y -q $pkgs >&2; }
