#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build KVM's modules (kvm.ko, kvm-amd.ko, kvm-intel.ko) from Debian's
# linux-source package, against Debian's headers of the kernel image with
# the same version, as they are or with one planted bug (mutants/NAME.sh,
# applied by scripts/kvm-mutate.sh), into a modules folder that
#
#   scripts/vm-run.sh --kernel VMLINUZ --modules DIR
#
# boots.  Prints VMLINUZ (that image's, unpacked into .vm/kernels) on
# stdout; its messages go to stderr.
#
#   kvm-modules.sh [--kernel 6.12] [--mutant mutants/NAME.sh] DIR
#
# Nothing is installed on the host: the headers (linux-headers-ABI-amd64,
# its -common and linux-kbuild-*) and the image are fetched with apt-get
# download and unpacked with dpkg-deb -x into .vm/kvm-modules/ABI/ and
# .vm/kernels/.  Only arch/x86/kvm, virt/kvm and include/trace come out
# of /usr/src/linux-source-VERSION.tar.xz; three edits written here make
# arch/x86/kvm/Makefile build outside the kernel tree (checked to match
# exactly once each).  The build runs in .vm/kvm-modules/ABI/tree and a
# copy of the unmodified build is kept as .../pristine: a planted bug
# starts from that copy, at the same path, so that kbuild rebuilds only
# the objects its edit touches (seconds, not minutes).  BTF is not
# generated (no pahole needed); modules are stripped of debug info.
#
# environment: KVM_MODULES_JOBS (make -j, default 2), KVM_MODULES_DIR (where
# the unpacked trees and builds are kept, default .vm/kvm-modules; CI keeps
# them across clones), VM_DEB_DIR (where downloaded packages are kept,
# default .vm/deb).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/vm/common.sh"
. "$top/scripts/vm/apt.sh"
say() { echo "kvm-modules: $*" >&2; }
die() { echo "kvm-modules: $*" >&2; exit 1; }

usage() {
	sed -n '/^#   kvm-modules.sh/s/^#   //p' "$0" >&2
	exit 2
}

# The linux-headers-ABI-amd64 package whose version is the source's.
headers_package() {
	apt-cache pkgnames "linux-headers-$kernel." 2>/dev/null |
		grep -E "^linux-headers-$(echo "$kernel" | sed 's/\./\\./g')\\.[0-9]+\\+[a-z0-9]+-amd64\$" |
		sort -V | while read -r p; do
			apt-cache show "$p=$src_version" >/dev/null 2>&1 && echo "$p"
		done | tail -n 1
}

resolve_versions() {
	tarball=/usr/src/linux-source-$kernel.tar.xz
	if [ ! -r "$tarball" ]; then
		host_install "linux-source-$kernel"
	fi
	src_version=$(dpkg-query -W -f '${Version}' "linux-source-$kernel" 2>/dev/null)
	[ -n "$src_version" ] || die "linux-source-$kernel is not installed (dpkg-query)"
	f=$vm/resolved/kvm-modules-$kernel
	if [ "$(sed -n 1p "$f" 2>/dev/null)" = "$src_version" ]; then
		abi=$(sed -n 2p "$f")
	else
		hp=$(headers_package)
		[ -n "$hp" ] || die "apt knows no linux-headers-$kernel.*-amd64 of version $src_version" \
			"(the source's); upgrade linux-source-$kernel to the current version"
		abi=${hp#linux-headers-}
		mkdir -p "$vm/resolved"
		printf '%s\n%s\n' "$src_version" "$abi" > "$f"
	fi
	base=${abi%-amd64}
	cache=${KVM_MODULES_DIR:-$vm/kvm-modules}/$abi
	mkdir -p "$cache"
}

# The headers of ABI, with their Makefile pointed at the unpacked -common.
unpack_headers() {
	hroot=$cache/headers
	for p in "linux-headers-$abi" "linux-headers-$base-common" "linux-kbuild-$base"; do
		unpack_deb "$(apt_opts="" fetch_deb "$p=$src_version")" "$hroot"
	done
	hdir=$hroot/usr/src/linux-headers-$abi
	mk=$hdir/Makefile
	want="include $hroot/usr/src/linux-headers-$base-common/Makefile"
	if [ "$(cat "$mk")" != "$want" ]; then
		[ "$(grep -c "^include /usr/src/linux-headers-$base-common/Makefile\$" "$mk")" = 1 ] ||
			die "$mk: not the one-line include of the -common Makefile it was"
		echo "$want" > "$mk"
	fi
}

# The image package: $vmlinuz and $image_moddir.
unpack_image() {
	deb=$(apt_opts="" fetch_deb "linux-image-$abi-unsigned=$src_version")
	iroot=$vm/kernels/$(basename "$deb" .deb)
	unpack_deb "$deb" "$iroot"
	vmlinuz=$iroot/boot/vmlinuz-$abi
	image_moddir=$iroot/lib/modules/$abi
	[ -r "$vmlinuz" ] && [ -d "$image_moddir" ] || die "$deb: no boot/vmlinuz-$abi or lib/modules/$abi"
}

# makefile_edit FILE OLD NEW: replace the line OLD (exactly once) by NEW.
makefile_edit() {
	[ "$(grep -cxF "$2" "$1")" = 1 ] || die "$1: line '$2' not there exactly once (source changed?)"
	M_OLD=$2 M_NEW=$3 awk '$0 == ENVIRON["M_OLD"] { print ENVIRON["M_NEW"]; next } { print }' \
		"$1" > "$1.new" && mv "$1.new" "$1"
}

# The sources, unpacked once, their Makefile made to build as an external
# module: its include path is its own directory, trace.h's
# TRACE_INCLUDE_PATH (../../arch/x86/kvm, relative to include/trace)
# resolves through -idirafter the unpacked include/trace, and
# virt/kvm/Makefile.kvm is included by a relative path.
unpack_sources() {
	src=$cache/src
	stamp="$src_version $(stat -c %Y "$tarball")"
	[ "$(cat "$src/.unpacked" 2>/dev/null)" = "$stamp" ] && return 0
	say "unpacking arch/x86/kvm, virt/kvm and include/trace of $tarball"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	d=linux-source-$kernel
	tar -xJf "$tarball" -C "$src.tmp" "$d/arch/x86/kvm" "$d/virt/kvm" "$d/include/trace" ||
		die "tar -xJf $tarball failed"
	mv "$src.tmp/$d" "$src" && rm -rf "$src.tmp"
	mk=$src/arch/x86/kvm/Makefile
	makefile_edit "$mk" 'ccflags-y += -I $(srctree)/arch/x86/kvm' \
		'ccflags-y += -I $(src) -idirafter $(src)/../../../include/trace'
	makefile_edit "$mk" 'include $(srctree)/virt/kvm/Makefile.kvm' \
		'include $(src)/../../../virt/kvm/Makefile.kvm'
	echo "$stamp" > "$src/.unpacked"
}

kbuild() {	# kbuild LOG: make the modules in $cache/tree
	make -C "$hdir" M="$cache/tree/arch/x86/kvm" -j"${KVM_MODULES_JOBS:-2}" \
		CONFIG_DEBUG_INFO_BTF_MODULES= modules > "$1" 2>&1
}

# The unmodified build, kept in $cache/pristine.
build_pristine() {
	stamp=$(cat "$src/.unpacked")
	[ "$(cat "$cache/pristine/.built" 2>/dev/null)" = "$stamp" ] && return 0
	say "building the unmodified modules (a few minutes; log: $cache/pristine.log)"
	t0=$(date +%s.%N)
	rm -rf "$cache/tree" "$cache/pristine"
	cp -a "$src" "$cache/tree"
	kbuild "$cache/pristine.log" || { tail -n 20 "$cache/pristine.log" >&2; die "build failed"; }
	cp -a "$cache/tree" "$cache/pristine"
	echo "$stamp" > "$cache/pristine/.built"
	say "built in $(elapsed_since "$t0") s"
}

# The build with MUTANT planted, in $cache/tree (a copy of pristine).
build_mutant() {
	name=$(basename "$1" .sh)
	log=$cache/mutant.log
	rm -rf "$cache/tree"
	cp -a "$cache/pristine" "$cache/tree"
	"$top/scripts/kvm-mutate.sh" apply "$1" "$cache/tree" || die "$name: does not apply"
	# The edit, for the log.
	for f in $(cd "$cache/src" && find arch/x86/kvm virt/kvm -name '*.[ch]'); do
		cmp -s "$cache/src/$f" "$cache/tree/$f" ||
			(cd "$cache" && diff -u "src/$f" "tree/$f") >&2
	done
	t0=$(date +%s.%N)
	kbuild "$log" || { tail -n 20 "$log" >&2; die "$name: build failed (log: $log)"; }
	say "$name: planted and rebuilt in $(elapsed_since "$t0") s"
}

# The image's modules.dep (depmod -n: the package ships none), once.
image_deps() {
	f=$cache/image-modules.dep
	if [ ! -s "$f" ]; then
		d=$cache/depmod
		rm -rf "$d" && mkdir -p "$d/lib/modules"
		ln -s "$image_moddir" "$d/lib/modules/$abi"
		depmod -n -b "$d" "$abi" 2>/dev/null | awk '/^#/ { exit } { print }' > "$f.tmp" &&
			mv "$f.tmp" "$f" || die "depmod -n on $image_moddir failed"
	fi
	cat "$f"
}

# out_dir DIR BUILT: DIR holds the three modules of BUILT (stripped), the
# image's modules they depend on, and a modules.dep made by depmod -n.
out_dir() {
	dir=$1
	rm -rf "$dir"
	mkdir -p "$dir/kernel/arch/x86/kvm"
	for m in kvm kvm-amd kvm-intel; do
		ko=$2/arch/x86/kvm/$m.ko
		[ -s "$ko" ] || die "$ko was not built"
		magic=$(modinfo -F vermagic "$ko" | awk '{ print $1 }')
		[ "$magic" = "$abi" ] || die "$ko: vermagic $magic, the image is $abi"
		strip --strip-debug -o "$dir/kernel/arch/x86/kvm/$m.ko" "$ko" || die "strip $ko failed"
	done
	image_deps | grep -E '^kernel/arch/x86/kvm/kvm(-amd|-intel)?\.ko[.a-z]*:' |
		tr ' ' '\n' | grep -v '^kernel/arch/x86/kvm/' | grep '\.ko' | sort -u |
		while read -r m; do
			mkdir -p "$dir/$(dirname "$m")"
			cp "$image_moddir/$m" "$dir/$m" || exit 1
		done || die "copying the modules KVM depends on failed"
	d=$cache/depmod-out
	rm -rf "$d" && mkdir -p "$d/lib/modules"
	ln -s "$(cd "$dir" && pwd)" "$d/lib/modules/$abi"
	depmod -n -b "$d" "$abi" 2>/dev/null | awk '/^#/ { exit } { print }' > "$dir/modules.dep"
	rm -rf "$d"
	grep -q '^kernel/arch/x86/kvm/kvm-amd\.ko:.*kvm\.ko' "$dir/modules.dep" ||
		die "depmod found no kvm-amd.ko -> kvm.ko dependency in $dir"
}

kernel=6.12
mutant=""
while [ $# -gt 1 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--mutant) mutant=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ $# = 1 ] || usage
case $1 in -*) usage ;; esac
out=$1
case $out in /*) ;; *) out=$(pwd)/$out ;; esac

resolve_versions
mkdir -p "$cache"
exec 9> "$cache/lock"
flock -w 3600 9 || die "another kvm-modules.sh held $cache/lock for an hour"
unpack_headers
unpack_image
unpack_sources
build_pristine
if [ -n "$mutant" ]; then
	build_mutant "$mutant"
	out_dir "$out" "$cache/tree"
else
	out_dir "$out" "$cache/pristine"
fi
echo "$vmlinuz"
