#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the whole collection against the running kernel with the kselftest
# runner, installing what is missing first.  The KTAP output is kept in
# results/collection.ktap; the last line is "N passed, N failed, N skipped".
#
# usage: scripts/test-collection.sh [make options, e.g. LLVM=1]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

scripts/install-deps.sh || exit 1
make -s "$@" all >/dev/null || { echo "build failed"; exit 1; }
mkdir -p results
make -s "$@" run_tests 2>&1 | tee results/collection.ktap
summary=$(scripts/ktap-summary.sh results/collection.ktap)
echo "$summary"
case "$summary" in
*" 0 failed,"*) exit 0 ;;
*) exit 1 ;;
esac
