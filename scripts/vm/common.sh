# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by scripts/vm-*.sh: paths, messages, and installing host tools.
#
# Everything fetched or built for the VMs lives in $vm (.vm/ of the
# project, ignored by git); downloaded packages in $debs (VM_DEB_DIR),
# which may be shared across clones.  Nothing is installed on the host but
# tools from Debian's own suites, with apt-get, as root.

vm=${VM_DIR:-$top/.vm}
debs=${VM_DEB_DIR:-$vm/deb}
results=$top/results
mkdir -p "$vm" "$debs" "$results"

# vm-run's own messages go to stderr: stdout is the program's.
say() { echo "vm-run: $*" >&2; }

# A failure of the VM machinery itself, not of the program run in it:
# one line and exit status 125 (as "git bisect run" and "docker run" use it).
VM_FAILURE=125
die() { echo "vm-run: $*" >&2; exit "$VM_FAILURE"; }

# host_install PACKAGE...: apt-get install what is missing (root only).
host_install() {
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		die "missing: $*; as root: apt-get install --no-install-recommends $*"
	fi
	say "installing $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "$@" > "$vm/apt-install.log" 2>&1 ||
		{ apt-get update -q >> "$vm/apt-install.log" 2>&1 &&
		  apt-get install -y -q --no-install-recommends "$@" \
			>> "$vm/apt-install.log" 2>&1; } ||
		{ tail -n 20 "$vm/apt-install.log" >&2; die "apt-get install $* failed"; }
}

# need_tools: the tools every VM needs on the host.  qemu-system-x86 from
# bookworm also brings the libraries the backports QEMU links against.
need_tools() {
	pkgs=""
	command -v qemu-system-x86_64 >/dev/null || pkgs="$pkgs qemu-system-x86"
	# busybox-static: the initramfs has no libraries for a dynamic busybox.
	if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
		pkgs="$pkgs busybox-static"
	fi
	command -v cpio >/dev/null || pkgs="$pkgs cpio"
	command -v xz >/dev/null || pkgs="$pkgs xz-utils"
	command -v depmod >/dev/null || pkgs="$pkgs kmod"
	command -v make >/dev/null || pkgs="$pkgs make"
	command -v zstd >/dev/null || pkgs="$pkgs zstd"
	# shellcheck disable=SC2086
	host_install $pkgs
}

# elapsed_since START: seconds since START (date +%s.%N), one decimal.
elapsed_since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

# remembered KEY FUNCTION ARG...: FUNCTION's output (a path), kept in
# .vm/resolved/KEY for a day while that path exists: what apt resolved a
# name to, without asking apt (a second each time) on every run.
remembered() {
	key=$1
	shift
	f=$vm/resolved/$key
	if [ -n "$(find "$f" -mtime -1 2>/dev/null)" ] && [ -e "$(cat "$f")" ]; then
		cat "$f"
		return 0
	fi
	mkdir -p "$vm/resolved"
	out=$("$@") || exit "$VM_FAILURE"
	echo "$out" > "$f"
	echo "$out"
}
