# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced: the kernel the VM boots.  kernel_select KERNEL MODULES sets
# $vmlinuz, $moddir (its lib/modules/RELEASE, or empty: KVM built in) and
# $label.
#
#   KERNEL=6.1 or 6.12 (or a full linux-image-... package name): the newest
#     matching linux-image-*-amd64-unsigned package of the host's apt
#     sources, downloaded into $debs and unpacked into .vm/kernels;
#   KERNEL=/path/to/vmlinuz: that image, its modules in MODULES.

# Newest linux-image-VERSION...-amd64-unsigned apt knows of (not cloud, rt).
find_kernel_package() {
	re=$(printf '%s' "$1" | sed 's/[.+]/\\&/g')
	apt-cache pkgnames linux-image- 2>/dev/null |
		grep -E "^linux-image-${re}[.-].*-amd64-unsigned\$" |
		grep -vE -- '-(cloud|rt)-amd64' | sort -V | tail -n 1
}

# Prints the .deb of linux-image package $1 (or of the newest for a
# version), downloaded if missing.
kernel_deb_for() {
	case $1 in
	linux-image-*) pkg=$1 ;;
	*)
		pkg=$(find_kernel_package "$1")
		if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
			apt-get update -q > "$vm/apt-update.log" 2>&1
			pkg=$(find_kernel_package "$1")
		fi
		[ -n "$pkg" ] || die "no linux-image-$1*-amd64-unsigned package known to apt"
		;;
	esac
	apt_opts="" fetch_deb "$pkg"
}

kernel_from_package() {
	deb=$(remembered "kernel-$1" kernel_deb_for "$1") || exit "$VM_FAILURE"
	root=$vm/kernels/$(basename "$deb" .deb)
	unpack_deb "$deb" "$root"
	vmlinuz=$(ls "$root"/boot/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$vmlinuz" ] || die "no boot/vmlinuz-* in $deb"
	moddir=$(ls -d "$root"/lib/modules/* "$root"/usr/lib/modules/* 2>/dev/null | head -n 1)
	[ -n "$moddir" ] || die "no lib/modules/RELEASE in $deb"
	kernel_deb=$(basename "$deb")
}

kernel_select() {
	kernel_deb=""
	case $1 in
	/* | ./* | ../*)
		[ -r "$1" ] || die "KERNEL=$1: no such file"
		vmlinuz=$1
		moddir=$2
		[ -z "$moddir" ] || [ -d "$moddir" ] || die "MODULES=$moddir: no such directory"
		label=${moddir##*/}
		label=${label:-$(basename "$1")}
		;;
	*)
		[ -z "$2" ] || die "MODULES is only for KERNEL=/path/to/vmlinuz"
		label=$1
		kernel_from_package "$1"
		;;
	esac
}
