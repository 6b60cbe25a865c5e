#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the collection under another KVM: a Debian kernel booted in QEMU's
# TCG, which emulates an AMD CPU with SVM and nested paging, so the booted
# kernel's kvm_amd runs the tests' VMs (AVIC is not emulated: APICv checks
# SKIP there).  Nothing is installed on the host but the tools (QEMU,
# busybox-static, ...); everything fetched or built goes to .vm/.
#
#  1. builds the tests into .vm/build (make OUTPUT=...);
#  2. KERNEL=6.1 or 6.12 (or a full linux-image-... package name): downloads
#     the newest matching linux-image-*-amd64-unsigned package with apt-get
#     download into .vm/deb and unpacks it with dpkg-deb -x into
#     .vm/kernels; KERNEL=/path/to/vmlinuz takes that image and its modules
#     from MODULES=/path/to/lib/modules/RELEASE (none: KVM built in);
#  3. builds an initramfs (cpio, gzip): busybox-static, coreutils' timeout
#     and stdbuf, the test binaries (dynamically linked: copied with the
#     libraries ldd names and the dynamic loader), kvm-amd.ko and what it
#     depends on per modules.dep (decompressed), and scripts/vm-init.sh as
#     /init, which runs the tests like the kselftest runner;
#  4. boots it: qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2 -m 2G, the
#     kernel console on ttyS0 (shown with VM_VERBOSE=1), the clean KTAP on
#     ttyS1 (shown as it comes), bounded by VM_TIMEOUT seconds;
#  5. keeps results/vm-LABEL.ktap and results/vm-LABEL.console.log, reports
#     a panic, an oops, a kernel warning, a hang, a missing KTAP plan or a
#     module that did not load as "vm-run: kernel LABEL: WHAT: LINE", and
#     ends with "N passed, N failed, N skipped".  Exit 0 only when none of
#     these happened and nothing failed.
#
# usage: vm-run.sh [--kernel 6.1|6.12|linux-image-...|/path/to/vmlinuz]
#                  [--modules /path/to/lib/modules/RELEASE]
# environment: KERNEL, MODULES (as the options), VM_TIMEOUT (seconds for the
#   whole VM, default 900), VM_TEST_TIMEOUT (seconds per test binary,
#   default: "settings"), VM_ACCEL (QEMU's -accel, default
#   tcg,thread=single), VM_APPEND (more kernel parameters), VM_VERBOSE=1
#   (show the whole console, not only the KTAP), VM_SKIP_BUILD=1 (use the
#   binaries already in .vm/build, as vm-matrix.sh does), VM_TESTS (the
#   test binaries to run, space-separated; default: all), VM_DEB_DIR (where
#   downloaded kernel packages are kept, default .vm/deb).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
vm=$top/.vm
results=$top/results
# Downloaded kernel packages: kept across clones if VM_DEB_DIR says where.
debs=${VM_DEB_DIR:-$vm/deb}

kernel=${KERNEL:-}
modules=${MODULES:-}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?--kernel needs a value}; shift 2 ;;
	--modules) modules=${2:?--modules needs a value}; shift 2 ;;
	*) echo "usage: vm-run.sh [--kernel 6.1|6.12|PACKAGE|VMLINUZ] [--modules DIR]" >&2; exit 2 ;;
	esac
done
kernel=${kernel:-6.12}

# Whole-VM bound.  Measured here (2 cores): boot and insmod 2.5-4 s; the
# whole run 16-30 s under 6.12 and ~215 s under 6.1, where
# ipi_delivery_test alone takes ~196 s (its senders wait out interrupts
# that 6.1 does not deliver).  900 s is four times the slowest run; each
# test is also bounded inside the VM by "settings" (300 s).
vm_timeout=${VM_TIMEOUT:-900}
test_timeout=${VM_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' "$top/settings")}
test_timeout=${test_timeout:-45}
# One TCG thread for both vCPUs by default: with multi-threaded TCG the
# kernel's live code patching (text_poke_bp(), e.g. when a test enables a
# tracepoint) raced and oopsed on int3 here.  VM_ACCEL overrides.
accel=${VM_ACCEL:-tcg,thread=single}

say() { echo "vm-run: $*"; }
die() { echo "vm-run: $*" >&2; exit 2; }

# --- host tools ------------------------------------------------------------
# Install what is missing (as root), as scripts/install-deps.sh does.
apt_install() {
	if [ "$(id -u)" != 0 ]; then
		die "missing:$*; run as root: apt-get install --no-install-recommends$*"
	fi
	say "installing$*" >&2
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends "$@" >&2 ||
		{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "$@" >&2; } ||
		die "apt-get install$* failed"
}
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
# shellcheck disable=SC2086
[ -z "$pkgs" ] || apt_install $pkgs

mkdir -p "$vm" "$results"

# --- the kernel ------------------------------------------------------------
# Newest linux-image-VERSION...-amd64-unsigned apt knows of (not cloud, rt).
find_package() {
	re=$(printf '%s' "$1" | sed 's/[.+]/\\&/g')
	apt-cache pkgnames linux-image- 2>/dev/null |
		grep -E "^linux-image-${re}[.-].*-amd64-unsigned\$" |
		grep -vE -- '-(cloud|rt)-amd64' | sort -V | tail -n 1
}

case $kernel in
/* | ./* | ../*)
	[ -r "$kernel" ] || die "KERNEL=$kernel: no such file"
	vmlinuz=$kernel
	moddir=$modules
	[ -z "$moddir" ] || [ -d "$moddir" ] || die "MODULES=$moddir: no such directory"
	label=${moddir##*/}
	label=${label:-$(basename "$kernel")}
	;;
*)
	[ -z "$modules" ] || die "MODULES is only for KERNEL=/path/to/vmlinuz"
	label=$kernel
	case $kernel in
	linux-image-*) pkg=$kernel ;;
	*)
		pkg=$(find_package "$kernel")
		if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
			apt-get update -q >&2
			pkg=$(find_package "$kernel")
		fi
		[ -n "$pkg" ] || die "no linux-image-$kernel*-amd64-unsigned package known to apt (apt-cache pkgnames linux-image-)"
		;;
	esac
	mkdir -p "$debs"
	deb=$(ls "$debs/${pkg}_"*.deb 2>/dev/null | tail -n 1)
	if [ -z "$deb" ]; then
		say "downloading $pkg"
		sandbox=""
		[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
		# shellcheck disable=SC2086
		(cd "$debs" && apt-get download -q $sandbox "$pkg") >&2 ||
			die "apt-get download $pkg failed"
		deb=$(ls "$debs/${pkg}_"*.deb 2>/dev/null | tail -n 1)
		[ -n "$deb" ] || die "apt-get download $pkg left no .deb in $debs"
	fi
	root=$vm/kernels/$(basename "$deb" .deb)
	if [ ! -e "$root/.unpacked" ]; then
		rm -rf "$root"
		mkdir -p "$root"
		dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x $deb failed"
		touch "$root/.unpacked"
	fi
	vmlinuz=$(ls "$root"/boot/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$vmlinuz" ] || die "no boot/vmlinuz-* in $deb"
	moddir=$(ls -d "$root"/lib/modules/* "$root"/usr/lib/modules/* 2>/dev/null | head -n 1)
	[ -n "$moddir" ] || die "no lib/modules/RELEASE in $deb"
	say "kernel $label: $(basename "$deb")"
	;;
esac

# --- the initramfs ---------------------------------------------------------
if [ "${VM_SKIP_BUILD:-0}" != 1 ]; then
	say "building the tests into $vm/build"
	make -s -C "$top" OUTPUT="$vm/build" all > "$vm/build.log" 2>&1 ||
		{ tail -n 30 "$vm/build.log" >&2; die "build failed (log: $vm/build.log)"; }
fi

st=$vm/initramfs-$label
rm -rf "$st"
mkdir -p "$st/bin" "$st/usr/bin" "$st/usr/libexec/coreutils" "$st/proc" \
	"$st/sys" "$st/dev" "$st/tmp" "$st/tests/x86_64" "$st/lib/modules/vm"
[ "$(id -u)" = 0 ] && mknod -m 600 "$st/dev/console" c 5 1 2>/dev/null

cp /bin/busybox "$st/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$st/bin/$a"
done

# A dynamically linked program with the libraries and the loader it needs,
# at the same paths as on the host.
copy_libs() {
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$st$lib" ] && continue
		mkdir -p "$st$(dirname "$lib")"
		cp -L "$lib" "$st$lib"
	done
}
for prog in /usr/bin/timeout /usr/bin/stdbuf; do
	[ -x "$prog" ] || die "$prog is missing (coreutils)"
	cp "$prog" "$st$prog"
	copy_libs "$prog"
done
stdbuf_lib=/usr/libexec/coreutils/libstdbuf.so
[ -r "$stdbuf_lib" ] && cp "$stdbuf_lib" "$st$stdbuf_lib" && copy_libs "$stdbuf_lib"

# The collection: x86_64/*_test.c, in the order make sorts them.
: > "$st/tests/list"
for src in $(ls "$top"/x86_64/*_test.c | LC_ALL=C sort); do
	name=$(basename "$src" .c)
	case " ${VM_TESTS:-$name} " in *" $name "*) ;; *) continue ;; esac
	bin=$vm/build/x86_64/$name
	[ -x "$bin" ] || die "$bin was not built"
	cp "$bin" "$st/tests/x86_64/$name"
	copy_libs "$bin"
	echo "$name" >> "$st/tests/list"
done
[ -s "$st/tests/list" ] || die "VM_TESTS='${VM_TESTS:-}' names no test of x86_64/"
cp "$top/settings" "$st/tests/x86_64/settings"

# kvm-amd.ko and its dependencies, in the order modprobe would load them:
# modules.dep lists a module's dependencies so that loading them from the
# last to the first works.  Debian's image package ships no modules.dep
# (depmod makes it on install): "depmod -n" computes it from the modules
# without writing anything.
modules_dep() {
	if [ -r "$moddir/modules.dep" ]; then
		cat "$moddir/modules.dep"
		return
	fi
	rel=${moddir##*/}
	case ${moddir%/*} in
	*/lib/modules) base=${moddir%/lib/modules/*} ;;
	*)
		base=$vm/depmod-base
		mkdir -p "$base/lib/modules"
		ln -sfn "$moddir" "$base/lib/modules/$rel"
		;;
	esac
	depmod -n -b "${base:-/}" "$rel" 2>/dev/null
}
: > "$st/lib/modules/vm/order"
if [ -n "$moddir" ]; then
	line=$(modules_dep | grep -E '^[^:#]*/kvm-amd\.ko(\.(xz|zst|gz))?:' | head -n 1)
	if [ -z "$line" ]; then
		grep -qE '/kvm-amd\.ko$' "$moddir/modules.builtin" 2>/dev/null ||
			die "no kvm-amd module in $moddir (modules.dep, modules.builtin)"
		say "kvm-amd is built into the kernel"
	fi
	mod=${line%%:*}
	deps=${line#*:}
	list=""
	for d in $deps; do list="$d $list"; done
	for m in $list $mod; do
		case $m in /*) src=$m ;; *) src=$moddir/$m ;; esac
		[ -r "$src" ] || die "$src (from modules.dep) is missing"
		name=$(basename "$src")
		# busybox insmod may not read compressed modules: decompress here.
		case $name in
		*.ko.xz) xz -dc "$src" > "$st/lib/modules/vm/${name%.xz}" ;;
		*.ko.gz) gzip -dc "$src" > "$st/lib/modules/vm/${name%.gz}" ;;
		*.ko.zst)
			command -v zstd >/dev/null || apt_install zstd
			zstd -dcq "$src" > "$st/lib/modules/vm/${name%.zst}"
			;;
		*) cp "$src" "$st/lib/modules/vm/$name" ;;
		esac || die "cannot decompress $src"
		echo "${name%.ko*}.ko" >> "$st/lib/modules/vm/order"
	done
fi

printf "timeout='%s'\nlabel='%s'\n" "$test_timeout" "$label" > "$st/vm-run.conf"
cp "$top/scripts/vm-init.sh" "$st/init"
chmod 755 "$st/init"

initrd=$vm/initramfs-$label.cpio.gz
(cd "$st" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -6 > "$initrd" ||
	die "cpio failed"
say "initramfs $initrd ($(du -k "$initrd" | cut -f1) KiB): $(tr '\n' ' ' < "$st/tests/list")modules: $(tr '\n' ' ' < "$st/lib/modules/vm/order")"

# --- boot ------------------------------------------------------------------
ktap=$results/vm-$label.ktap
console=$results/vm-$label.console.log
raw_ktap=$vm/ktap-$label.raw
raw_console=$vm/console-$label.raw
: > "$raw_ktap"
: > "$raw_console"

qpid=""
tpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

say "booting $(basename "$vmlinuz") under QEMU TCG (bound: $vm_timeout s, per test: $test_timeout s)"
start=$(date +%s)
# panic=-1: a panic reboots at once, and -no-reboot makes that QEMU's exit.
# No NIC (its option ROM is not needed, nor wanted).  stdin is /dev/null:
# nothing is typed into the VM, and the terminal stays as it is.
timeout -k 10 "$vm_timeout" qemu-system-x86_64 \
	-accel "$accel" -cpu max -smp 2 -m 2G \
	-nographic -no-reboot -monitor none -nic none \
	-serial stdio -serial "file:$raw_ktap" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 ${VM_APPEND:-}" \
	< /dev/null > "$raw_console" 2>&1 &
qpid=$!
# Show the run as it goes: the KTAP stream, or the whole console.
if [ "${VM_VERBOSE:-0}" = 1 ]; then
	tail -n +1 -f --pid="$qpid" "$raw_console" &
else
	tail -n +1 -f --pid="$qpid" "$raw_ktap" &
fi
tpid=$!
wait "$qpid"
qrc=$?
qpid=""
wait "$tpid" 2>/dev/null
tpid=""
elapsed=$(($(date +%s) - start))

# --- results ---------------------------------------------------------------
tr -d '\r' < "$raw_console" > "$console"
tr -d '\r' < "$raw_ktap" > "$ktap"
if ! grep -q '^TAP version' "$ktap" && grep -q '^TAP version' "$console"; then
	# No ttyS1 in the VM: take the KTAP lines from the console.
	sed -n '/^TAP version/,$p' "$console" |
		grep -E '^(TAP version|[0-9]+\.\.[0-9]+$|ok |not ok |#)' > "$ktap"
fi

problems=0
report() {	# report WHAT LINE
	echo "vm-run: kernel $label: $1: $2"
	problems=$((problems + 1))
}
# The kernel's lines only: not the tests' output that /init echoes ("# ...").
first() { grep -v '^#' "$console" | grep -m 1 -E "$1"; }
# The guest's last words (not QEMU's own "terminating on signal").
last_line() { grep -v -e '^$' -e '^qemu-system' "$console" | tail -n 1; }

line=$(first 'Kernel panic - not syncing')
[ -z "$line" ] || report PANIC "$line"
line=$(first 'Oops|BUG: |general protection fault|kernel BUG at')
[ -z "$line" ] || report OOPS "$line"
line=$(first 'WARNING: CPU: [0-9]+ PID: [0-9]+ at ')
[ -z "$line" ] || report "KERNEL WARNING" "$line"
line=$(first 'INFO: task .* blocked for more than|rcu: INFO: .*stall')
[ -z "$line" ] || report STALL "$line"
grep -E '^vm-run: MODULE LOAD FAILED' "$console" | while IFS= read -r line; do
	echo "vm-run: kernel $label: ${line#vm-run: }"
done
grep -q '^vm-run: MODULE LOAD FAILED' "$console" && problems=$((problems + 1))
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	report HANG "no poweroff within $vm_timeout s (VM_TIMEOUT); last console line: $(last_line)"
elif [ "$qrc" != 0 ]; then
	report "QEMU FAILED" "exit $qrc: $(last_line)"
fi
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$ktap" | head -n 1)
if [ -z "$plan" ]; then
	report "NO KTAP PLAN" "no '1..N' line from the VM; last console line: $(last_line)"
else
	got=$(grep -cE '^(not )?ok [0-9]+ selftests: ' "$ktap")
	[ "$got" = "$plan" ] ||
		report INCOMPLETE "$got of $plan test binaries reported; last console line: $(last_line)"
fi

release=$(sed -n 's/^# vm-run: kernel \([^ ]*\) .*/\1/p' "$ktap" | head -n 1)
backend=$(sed -n 's/^# vm-run: backend \([^ ,]*\).*/\1/p' "$ktap" | head -n 1)
boot=$(sed -n 's/.*tests start \([0-9.]*\) s after boot.*/\1/p' "$ktap" | head -n 1)
say "kernel $label (${release:-?}, ${backend:-?}): boot and insmod ${boot:-?} s, whole run $elapsed s; KTAP in $ktap, console in $console"
summary=$("$top/scripts/ktap-summary.sh" "$ktap")
echo "$summary"
[ "$problems" = 0 ] || exit 1
case $(echo "$summary" | tail -n 1) in
*" 0 failed,"*) exit 0 ;;
*) exit 1 ;;
esac
