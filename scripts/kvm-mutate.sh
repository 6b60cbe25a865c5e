#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Plant one bug of the catalogue (mutants/NAME.sh) into an unpacked KVM
# source tree, or check that every bug of the catalogue still applies.
#
#   kvm-mutate.sh apply MUTANT TREE   edit TREE (the directory holding
#                                     arch/x86/kvm and virt/kvm) in place
#   kvm-mutate.sh check TREE [MUTANT...]
#                                     apply each (default: all of
#                                     mutants/) to a scratch copy of the
#                                     files it edits; one line per bug
#   kvm-mutate.sh info MUTANT         its fields, one "key=value" a line
#
# A bug file sets title, area, needs, history and description and defines
# mutate(), which calls the edit primitives below.  Every primitive finds
# its anchor text literally (no regular expressions), inside one function
# definition (or the whole file when FUNCTION is ""), and fails loudly
# unless the anchor is there exactly once: a source that moved on makes the
# bug fail to apply, never plants it somewhere else.  The kernel's code is
# not in the project: a bug is the short anchor it looks for and the text
# that replaces it, written here.
#
#   edit FILE FUNCTION OLD NEW          replace OLD (within one line) by NEW
#   insert_after FILE FUNCTION ANCHOR TEXT
#                                       TEXT as new line(s) after the line
#                                       holding ANCHOR
#   delete_line FILE FUNCTION ANCHOR    remove the line holding ANCHOR
#   edit_after FILE FUNCTION CONTEXT OLD NEW
#                                       replace the first OLD at or after
#                                       the line holding CONTEXT (which
#                                       must be there exactly once): for a
#                                       line the function has twice
#
# Exit status: 0 applied; 1 an anchor did not match exactly once, or the
# bug file is malformed (the message says which bug, file, function and
# anchor).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mutant_tree=.

fail() { echo "kvm-mutate: $*" >&2; exit 1; }

# mutate_awk FILE FUNCTION OP ANCHOR TEXT: the edited FILE on stdout.
# OP is edit, insert or delete; ANCHOR and TEXT come in through the
# environment so that awk does not interpret backslashes in them.
mutate_awk() {
	M_FUNC=$2 M_OP=$3 M_ANCHOR=$4 M_TEXT=$5 M_CTX=${6:-} awk '
	function is_def_start(line, f) {
		# "type name(" at column 0, or "name(" after a "*"
		return line ~ /^[A-Za-z_]/ && index(line, f "(") > 0 &&
		       substr(line, index(line, f "(") - 1, 1) ~ /[ *\t]/
	}
	{ line[NR] = $0 }
	END {
		f = ENVIRON["M_FUNC"]; op = ENVIRON["M_OP"]
		anchor = ENVIRON["M_ANCHOR"]; text = ENVIRON["M_TEXT"]
		first = 1; last = NR; defs = 0
		if (f != "") {
			for (i = 1; i <= NR; i++) {
				if (!is_def_start(line[i], f))
					continue
				# a prototype ends with ";" before any "{"
				body = 0
				for (j = i; j <= NR; j++) {
					if (index(line[j], "{")) { body = 1; break }
					if (line[j] ~ /;[ \t]*$/) { body = 0; break }
				}
				if (!body)
					continue
				for (k = j; k <= NR && line[k] != "}"; k++)
					;
				defs++; first = i; last = k
			}
			if (defs != 1) {
				printf "function %s defined %d times (expected once)\n", f, defs > "/dev/stderr"
				exit 2
			}
		}
		ctx = ENVIRON["M_CTX"]
		if (ctx != "") {
			n = 0
			for (i = first; i <= last; i++)
				if (index(line[i], ctx)) { n++; c = i }
			if (n != 1) {
				printf "context '%s' matched %d times (expected once)\n", ctx, n > "/dev/stderr"
				exit 4
			}
			for (i = c; i <= last; i++)
				if (index(line[i], anchor)) { first = i; last = i; break }
			if (i > last) {
				printf "anchor not found after the context\n" > "/dev/stderr"
				exit 3
			}
		}
		hits = 0
		for (i = first; i <= last; i++) {
			s = line[i]
			while ((p = index(s, anchor)) > 0) {
				hits++; at = i
				s = substr(s, p + length(anchor))
			}
		}
		if (hits != 1) {
			printf "anchor matched %d times (expected once)\n", hits > "/dev/stderr"
			exit 3
		}
		for (i = 1; i <= NR; i++) {
			if (i != at) { print line[i]; continue }
			if (op == "edit") {
				p = index(line[i], anchor)
				print substr(line[i], 1, p - 1) text substr(line[i], p + length(anchor))
			} else if (op == "insert") {
				print line[i]; print text
			}
			# delete: nothing
		}
	}' "$1"
}

# apply_op FILE FUNCTION OP ANCHOR TEXT [CONTEXT]: FILE (relative to the
# tree) edited.
apply_op() {
	path=$mutant_tree/$1
	[ -f "$path" ] || fail "$mutant_name: $1: no such file in $mutant_tree"
	[ -n "$4" ] || fail "$mutant_name: $1: empty anchor"
	if ! mutate_awk "$path" "$2" "$3" "$4" "$5" "${6:-}" > "$path.mutant" 2> "$path.mutant-err"; then
		msg=$(cat "$path.mutant-err")
		rm -f "$path.mutant" "$path.mutant-err"
		fail "$mutant_name: $1: ${2:-(whole file)}: '$4': $msg"
	fi
	rm -f "$path.mutant-err"
	cmp -s "$path" "$path.mutant" && { rm -f "$path.mutant"; fail "$mutant_name: $1: the edit changed nothing"; }
	cat "$path.mutant" > "$path" && rm -f "$path.mutant"
	mutant_files="$mutant_files $1"
}

edit() { [ $# = 4 ] || fail "$mutant_name: edit FILE FUNCTION OLD NEW"; apply_op "$1" "$2" edit "$3" "$4"; }
insert_after() { [ $# = 4 ] || fail "$mutant_name: insert_after FILE FUNCTION ANCHOR TEXT"; apply_op "$1" "$2" insert "$3" "$4"; }
edit_after() { [ $# = 5 ] || fail "$mutant_name: edit_after FILE FUNCTION CONTEXT OLD NEW"; apply_op "$1" "$2" edit "$4" "$5" "$3"; }
delete_line() { [ $# = 3 ] || fail "$mutant_name: delete_line FILE FUNCTION ANCHOR"; apply_op "$1" "$2" delete "$3" ""; }

# load MUTANT: source the bug file and check its fields.
load() {
	[ -r "$1" ] || fail "$1: no such bug file"
	mutant_name=$(basename "$1" .sh)
	title="" area="" needs="" history="" description=""
	unset -f mutate 2>/dev/null
	# shellcheck disable=SC1090
	. "$1"
	for v in title area history description; do
		eval "[ -n \"\${$v}\" ]" || fail "$mutant_name: '$v' is not set"
	done
	case $needs in "" | apicv | avic) ;; *) fail "$mutant_name: needs='$needs' (\"\", apicv or avic)" ;; esac
	command -v mutate >/dev/null || fail "$mutant_name: no mutate() function"
}

apply() {	# apply MUTANT TREE
	load "$1"
	mutant_tree=$2
	mutant_files=""
	[ -d "$mutant_tree/arch/x86/kvm" ] || fail "$mutant_tree: no arch/x86/kvm"
	mutate
	[ -n "$mutant_files" ] || fail "$mutant_name: mutate() edited nothing"
}

# check TREE [MUTANT...]: each bug applied to a scratch copy of TREE's
# sources (the .c and .h files of arch/x86/kvm and virt/kvm).
check() {
	tree=$1
	shift
	[ $# -gt 0 ] || set -- "$top"/mutants/*.sh
	scratch=$(mktemp -d /tmp/kvm-mutate.XXXXXX)
	bad=0
	for m in "$@"; do
		rm -rf "$scratch/t"
		mkdir -p "$scratch/t"
		(cd "$tree" && find arch/x86/kvm virt/kvm -name '*.[ch]' | cpio -pdm --quiet "$scratch/t")
		if out=$( (apply "$m" "$scratch/t") 2>&1); then
			echo "ok   $(basename "$m" .sh)"
		else
			echo "FAIL $(basename "$m" .sh): $out"
			bad=1
		fi
	done
	rm -rf "$scratch"
	return $bad
}

info() {
	load "$1"
	printf 'name=%s\ntitle=%s\narea=%s\nneeds=%s\nhistory=%s\ndescription=%s\n' \
		"$mutant_name" "$title" "$area" "$needs" "$history" \
		"$(echo "$description" | tr '\n\t' '  ' | tr -s ' ')"
}

case ${1:-} in
apply) [ $# = 3 ] || fail "usage: kvm-mutate.sh apply MUTANT TREE"; apply "$2" "$3" ;;
check) [ $# -ge 2 ] || fail "usage: kvm-mutate.sh check TREE [MUTANT...]"; shift; check "$@" ;;
info) [ $# = 2 ] || fail "usage: kvm-mutate.sh info MUTANT"; info "$2" ;;
*) sed -n '/^#   kvm-mutate.sh apply/,/^#  *kvm-mutate.sh info/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
