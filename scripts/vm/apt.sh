# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced: download packages with apt-get, from the host's sources or from
# a private list under .vm/apt/NAME (another suite, e.g.
# bookworm-backports), without touching the host's apt configuration or
# installing anything.  Downloads are kept in $debs and reused.

# private_apt NAME LINE: apt-get options for a private sources list
# holding LINE, its package lists fetched once a day.
private_apt() {
	d=$vm/apt/$1
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	printf '%s\n' "$2" > "$d/sources.list.new"
	cmp -s "$d/sources.list.new" "$d/sources.list" 2>/dev/null ||
		{ mv "$d/sources.list.new" "$d/sources.list"; rm -f "$d/updated"; }
	rm -f "$d/sources.list.new"
	apt_opts="-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=/dev/null"
	apt_opts="$apt_opts -o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache"
	apt_opts="$apt_opts -o Debug::NoLocking=1"
	[ "$(id -u)" = 0 ] && apt_opts="$apt_opts -o APT::Sandbox::User=root"
	if [ -z "$(find "$d/updated" -mtime -1 2>/dev/null)" ]; then
		say "apt-get update ($1: $2)"
		# shellcheck disable=SC2086
		apt-get $apt_opts update -q > "$d/update.log" 2>&1 ||
			{ tail -n 5 "$d/update.log" >&2; die "apt-get update for $1 failed"; }
		touch "$d/updated"
	fi
}

# fetch_deb PACKAGE[/SUITE]: the path of its .deb in $debs, downloaded with
# the options of the last private_apt (or the host's sources) if missing.
fetch_deb() {
	# shellcheck disable=SC2086
	file=$(apt-get ${apt_opts:-} download --print-uris -q "$1" 2>/dev/null |
	       awk 'NR == 1 { print $2 }')
	[ -n "$file" ] || die "apt knows no package $1"
	if [ ! -s "$debs/$file" ]; then
		say "downloading $file"
		# shellcheck disable=SC2086
		(cd "$debs" && apt-get ${apt_opts:-} download -q "$1" > "$vm/download.log" 2>&1) ||
			{ tail -n 5 "$vm/download.log" >&2; die "apt-get download $1 failed"; }
		[ -s "$debs/$file" ] || die "apt-get download $1 did not leave $file in $debs"
	fi
	echo "$debs/$file"
}

# unpack_deb DEB DIR: dpkg-deb -x once (a stamp marks a finished unpack).
unpack_deb() {
	[ -e "$2/.unpacked-$(basename "$1")" ] && return 0
	mkdir -p "$2"
	dpkg-deb -x "$1" "$2" || die "dpkg-deb -x $1 failed"
	touch "$2/.unpacked-$(basename "$1")"
}
