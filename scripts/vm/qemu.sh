# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced: pick the QEMU that boots the VM (VM_QEMU) and set $qemu_bin,
# $qemu_firmware (its -L options) and $qemu_label.
#
#   VM_QEMU=10 (default; also "backports"): QEMU 10 from bookworm-backports
#     (qemu-system-x86, -common, -data and seabios), downloaded into $debs
#     and unpacked with dpkg-deb -x into .vm/qemu-VERSION; it runs on
#     bookworm's libraries, which bookworm's qemu-system-x86 brings.
#   VM_QEMU=7.2 (also "bookworm"): bookworm's own qemu-system-x86_64.
#   VM_QEMU=/path/to/qemu-system-x86_64: that binary.
#
# Why 10 by default: over the same runs it injects far fewer duplicate
# interrupts into kvm_amd's guests and runs ipi_stress_test in a third of
# the time (docs/vm-emulators.md has the numbers).

BACKPORTS="deb http://deb.debian.org/debian bookworm-backports main"

# Prints the root QEMU from bookworm-backports is unpacked in.
qemu_backports_root() {
	private_apt bookworm-backports "$BACKPORTS"
	files=""
	for p in qemu-system-x86 qemu-system-common qemu-system-data seabios; do
		files="$files $(fetch_deb "$p/bookworm-backports")" || exit "$VM_FAILURE"
	done
	v=$(basename "$(echo "$files" | awk '{ print $1 }')" | sed 's/.*_1%3a\([0-9.]*\)+.*/\1/')
	root=$vm/qemu-$v
	for f in $files; do
		unpack_deb "$f" "$root"
	done
	echo "$root"
}

qemu_backports() {
	root=$(remembered qemu-backports qemu_backports_root) || exit "$VM_FAILURE"
	qemu_bin=$root/usr/bin/qemu-system-x86_64
	qemu_firmware="-L $root/usr/share/qemu -L $root/usr/share/seabios"
	missing=$(ldd "$qemu_bin" 2>/dev/null | awk '/not found/ { print $1 }' | tr '\n' ' ')
	[ -z "$missing" ] || die "QEMU in $root (bookworm-backports) needs libraries this host lacks: $missing"
}

qemu_select() {
	case ${VM_QEMU:-10} in
	10 | backports) qemu_backports ;;
	7.2 | bookworm)
		qemu_bin=/usr/bin/qemu-system-x86_64
		qemu_firmware=""
		;;
	/*)
		[ -x "$VM_QEMU" ] || die "VM_QEMU=$VM_QEMU is not an executable"
		qemu_bin=$VM_QEMU
		qemu_firmware=""
		;;
	*) die "VM_QEMU=$VM_QEMU: use 10, 7.2 or a path to qemu-system-x86_64" ;;
	esac
	qemu_label="QEMU $("$qemu_bin" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')"
}
