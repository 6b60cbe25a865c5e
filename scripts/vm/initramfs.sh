# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced: the VM's initramfs, in two gzip'ed cpio archives that the
# kernel unpacks one after the other (the initrd is their concatenation):
#
#   base (cached in .vm/base-LABEL-MODULE.cpio.gz, rebuilt when what goes
#   into it changes): busybox-static with its applets, coreutils' timeout
#   and stdbuf, libgcc_s (glibc loads it at run time for pthread_cancel),
#   the KVM module and its dependencies in modules.dep order, and
#   scripts/vm-init.sh as /init;
#
#   payload (built for every run): the project's build tree as /kvm
#   (x86_64/, tests/, settings, config), scripts/vm-collection.sh,
#   extra files (VM_FILES) at their host paths, every dynamically linked
#   program with the libraries ldd names, and /vm/cmd and /vm/env: what
#   /init runs.

# copy_with_libs ROOT FILE [DEST]: FILE into ROOT (at DEST, default its own
# path) with the libraries and loader ldd names, at their host paths,
# unless the base archive ($base_root) already has them.
copy_with_libs() {
	dest=${3:-$2}
	mkdir -p "$1$(dirname "$dest")"
	cp -L "$2" "$1$dest" || die "cannot copy $2 into the initramfs"
	ldd "$2" 2>/dev/null |
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$base_root$lib" ] || [ -e "$1$lib" ] && continue
		mkdir -p "$1$(dirname "$lib")"
		cp -L "$lib" "$1$lib"
	done
}

# copy_tree ROOT PATH: a file or a directory, at the same path, each
# dynamically linked program in it with its libraries.
copy_tree() {
	[ -e "$2" ] || die "VM_FILES: $2 does not exist"
	case $2 in /*) ;; *) die "VM_FILES: $2 is not an absolute path" ;; esac
	find "$2" -type f | while read -r f; do
		copy_with_libs "$1" "$f"
	done
	find "$2" -type l | while read -r f; do
		[ -e "$1$f" ] || { mkdir -p "$1$(dirname "$f")"; cp -P "$f" "$1$f"; }
	done
}

cpio_gz() {	# cpio_gz DIR OUT
	(cd "$1" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
		gzip -1 > "$2.tmp" && mv "$2.tmp" "$2" || die "cpio of $1 failed"
}

# The KVM module ($1, e.g. kvm-amd) and its dependencies, dependencies
# first, as "file" lines of modules.dep.  Debian's image package ships no
# modules.dep (depmod makes it on install): "depmod -n" computes it
# without writing anything.
module_chain() {
	if [ -r "$moddir/modules.dep" ]; then
		dep=$(cat "$moddir/modules.dep")
	else
		# depmod -n takes seconds (every module of the kernel): once.
		cache=$vm/modules.dep-$(echo "$moddir" | cksum | cut -d' ' -f1)
		if [ ! -s "$cache" ]; then
			rel=${moddir##*/}
			dbase=$vm/depmod-base
			mkdir -p "$dbase/lib/modules"
			ln -sfn "$moddir" "$dbase/lib/modules/$rel"
			depmod -n -b "$dbase" "$rel" > "$cache.tmp" 2>/dev/null &&
				mv "$cache.tmp" "$cache"
		fi
		dep=$(cat "$cache")
	fi
	line=$(echo "$dep" | grep -E "^[^:#]*/$1\\.ko(\\.(xz|zst|gz))?:" | head -n 1)
	if [ -z "$line" ]; then
		grep -qE "/$1\\.ko\$" "$moddir/modules.builtin" 2>/dev/null ||
			die "no $1 module in $moddir (modules.dep, modules.builtin)"
		return 0
	fi
	list=""
	for d in ${line#*:}; do list="$d $list"; done
	for m in $list ${line%%:*}; do
		case $m in /*) echo "$m" ;; *) echo "$moddir/$m" ;; esac
	done
}

# add_modules ROOT MODULE: decompressed (busybox insmod may not read
# compressed modules), and /lib/modules/vm/order for /init.
add_modules() {
	mkdir -p "$1/lib/modules/vm"
	: > "$1/lib/modules/vm/order"
	[ -n "$moddir" ] || return 0
	for src in $(module_chain "$2"); do
		[ -r "$src" ] || die "$src (from modules.dep) is missing"
		name=$(basename "$src")
		out=$1/lib/modules/vm/${name%.ko*}.ko
		case $name in
		*.ko.xz) xz -dc "$src" > "$out" ;;
		*.ko.gz) gzip -dc "$src" > "$out" ;;
		*.ko.zst) zstd -dcq "$src" > "$out" ;;
		*) cp "$src" "$out" ;;
		esac || die "cannot decompress $src"
		echo "${name%.ko*}.ko" >> "$1/lib/modules/vm/order"
	done
}

# base_archive MODULE: sets $base_cpio (and $base_root, its tree).
base_archive() {
	key=$label-$1
	base_root=$vm/base-$key
	base_cpio=$vm/base-$key.cpio.gz
	manifest=$({
		cksum /bin/busybox /usr/bin/timeout /usr/bin/stdbuf "$top/scripts/vm-init.sh" \
			"$top/scripts/vm/initramfs.sh"
		[ -z "$moddir" ] || module_chain "$1" | xargs ls -l
	} 2>&1)
	if [ -s "$base_cpio" ] && [ "$manifest" = "$(cat "$base_root.manifest" 2>/dev/null)" ]; then
		return 0
	fi
	rm -rf "$base_root"
	mkdir -p "$base_root/bin" "$base_root/proc" "$base_root/sys" "$base_root/dev" \
		"$base_root/tmp" "$base_root/root"
	cp /bin/busybox "$base_root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$base_root/bin/$a"
	done
	br=$base_root
	base_root=/nonexistent
	for prog in /usr/bin/timeout /usr/bin/stdbuf /usr/libexec/coreutils/libstdbuf.so; do
		[ -e "$prog" ] || die "$prog is missing (coreutils)"
		copy_with_libs "$br" "$prog"
	done
	gcc_s=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ { print $NF; exit }')
	[ -n "$gcc_s" ] || die "no libgcc_s.so.1 on this host (libgcc-s1)"
	copy_with_libs "$br" "$gcc_s"
	base_root=$br
	add_modules "$base_root" "$1"
	cp "$top/scripts/vm-init.sh" "$base_root/init"
	chmod 755 "$base_root/init"
	cpio_gz "$base_root" "$base_cpio"
	echo "$manifest" > "$base_root.manifest"
}

# shell_quote WORD: WORD in single quotes, for /vm/cmd.
shell_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# payload_archive BUILD_DIR ARGV...: sets $payload_cpio.
payload_archive() {
	build=$1
	shift
	pr=$vm/payload-$label
	payload_cpio=$pr.cpio.gz
	rm -rf "$pr"
	mkdir -p "$pr/kvm" "$pr/vm"
	for d in x86_64 tests; do
		for f in "$build/$d"/*; do
			[ -f "$f" ] && [ -x "$f" ] && copy_with_libs "$pr" "$f" "/kvm/$d/${f##*/}"
		done
	done
	cp "$top/settings" "$top/config" "$pr/kvm/"
	cp "$top/scripts/vm-collection.sh" "$pr/vm/collection.sh"
	# An absolute program path of the host's goes along.
	case $1 in /*) [ -e "$pr$1" ] || [ -e "$base_root$1" ] || [ ! -f "$1" ] ||
		copy_with_libs "$pr" "$1" ;; esac
	for f in ${VM_FILES:-}; do
		copy_tree "$pr" "$f"
	done
	for w in "$@"; do
		printf '%s ' "$(shell_quote "$w")"
	done > "$pr/vm/cmd"
	env | grep -E '^(KVM_SELFTEST|KSELFTEST)_[A-Za-z0-9_]*=' |
		while IFS= read -r kv; do
			printf 'export %s=%s\n' "${kv%%=*}" "$(shell_quote "${kv#*=}")"
		done > "$pr/vm/env"
	printf 'vm_label=%s\nvm_test_timeout=%s\n' "$(shell_quote "$label")" \
		"$test_timeout" >> "$pr/vm/env"
	cpio_gz "$pr" "$payload_cpio"
}
