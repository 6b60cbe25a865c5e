#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel's checkpatch.pl (--no-tree -f --terse) over every .c and .h
# of the project, as a maintainer would run it.  Prints every finding;
# exits 1 if one is not a documented exception (scripts/checkpatch.exceptions:
# FILE TYPE, the reasons in docs/checkpatch.md).
#
#   checkpatch.sh [CHECKPATCH]
#
# CHECKPATCH: the path of checkpatch.pl; default $KDIR/scripts/checkpatch.pl
# with KDIR set, else the one of /usr/src/linux-source-6.12.tar.xz,
# unpacked once into .vm/checkpatch/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

die() { echo "checkpatch: $*" >&2; exit 2; }

unpacked_checkpatch() {
	dir=$top/.vm/checkpatch
	tarball=/usr/src/linux-source-6.12.tar.xz
	if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
		[ -r "$tarball" ] || die "no checkpatch.pl: give its path, or set KDIR (no $tarball)"
		mkdir -p "$dir" &&
		tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' || die "unpacking $tarball failed"
	fi
	echo "$dir/scripts/checkpatch.pl"
}

if [ $# -ge 1 ]; then
	checkpatch=$1
elif [ -n "${KDIR:-}" ]; then
	checkpatch=$KDIR/scripts/checkpatch.pl
else
	checkpatch=$(unpacked_checkpatch) || exit 2
fi
[ -x "$checkpatch" ] || die "$checkpatch is not executable"

findings=$(git ls-files '*.c' '*.h' | while read -r f; do
	"$checkpatch" --no-tree -f --terse --show-types "$f" | grep -v '^total:'
done)
unexpected=0
total=0
while IFS= read -r line; do
	[ -n "$line" ] || continue
	total=$((total + 1))
	file=${line%%:*}
	type=$(echo "$line" | sed -n 's/^[^ ]*: [A-Z]*:\([A-Z_]*\):.*/\1/p')
	if grep -qx "$file $type" scripts/checkpatch.exceptions; then
		echo "documented: $line"
	else
		echo "NEW: $line"
		unexpected=$((unexpected + 1))
	fi
done <<END
$findings
END
echo "checkpatch: $total finding(s), $unexpected not documented ($(git ls-files '*.c' '*.h' | wc -l) files)"
[ $unexpected = 0 ]
