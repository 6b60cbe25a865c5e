#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the project's own tests (the library's self-tests and the host-only
# unit tests; "make check"), installing what is missing first.  The KTAP
# output is kept in results/project.ktap; the last line is
# "N passed, N failed, N skipped".
#
# usage: scripts/test-project.sh [make options, e.g. LLVM=1]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

scripts/install-deps.sh || exit 1
exec make -s "$@" check
