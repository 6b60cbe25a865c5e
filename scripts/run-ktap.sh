#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run test binaries one after another, keep their KTAP output in LOG, and
# end with "N passed, N failed, N skipped".  Exit 1 if anything failed.
#
# usage: run-ktap.sh LOG BINARY...
set -u
log=$1
shift
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$(dirname "$log")"
: > "$log"
for t in "$@"; do
	echo "# running $t" | tee -a "$log"
	"$t" 2>&1 | tee -a "$log"
done
summary=$("$here/ktap-summary.sh" "$log")
echo "$summary"
case "$summary" in
*" 0 failed,"*) exit 0 ;;
*) exit 1 ;;
esac
