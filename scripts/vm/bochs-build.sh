# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced: Bochs 3.0, built from Debian's source with this project's
# corrections, for scripts/vm/bochs.sh.  bochs_build sets $bochs_bin.  The
# BIOS is not built here: scripts/vm/bochs.sh takes Bochs' own BIOS
# (rombios) and the LGPL VGA BIOS from bookworm's bochsbios and vgabios.
#
#   source: bochs_3.0+dfsg.orig.tar.xz of Debian trixie, located with
#     "apt-get source --print-uris" on a private deb-src list and fetched
#     with apt's own apt-helper, which checks the SHA256 apt printed (the
#     .dsc itself answers 404 there: not needed, not fetched); kept in $debs;
#   corrections: bochs_correct below, each a one-line edit that must match
#     exactly once in the unpacked source, or the build stops;
#   build: one headless binary (no GUI library, no plugins) with x86-64,
#     SMP, VMX level 2 (APIC virtualization, posted interrupts) and SVM;
#   cache: .vm/bochs-KEY (VM_BOCHS_CACHE/bochs-KEY if set, e.g. a
#     directory that outlives the clone, as in CI), KEY a checksum of this
#     file, so a changed correction or configure option builds anew.
#     About 6 minutes on 2 cores (make -j2).

BOCHS_SRC_LIST="deb-src http://deb.debian.org/debian trixie main"
BOCHS_ORIG=bochs_3.0+dfsg.orig.tar.xz

# One headless emulator: no display library but "nogui", no debugger, no
# devices beyond the PC's own; x86-64, SMP, VMX with APIC virtualization
# and posted interrupts (level 2), SVM for bochs-amd, AVX for the CPU
# models that want it, and EVEX with it (Bochs 3.0's AVX10.2 conversions
# do not compile without EVEX).
BOCHS_CONFIGURE="--with-nogui --enable-x86-64 --enable-smp --enable-cpu-level=6
	--enable-vmx=2 --enable-svm --enable-avx --enable-evex --enable-all-optimizations
	--enable-pci --enable-a20-pin --enable-monitor-mwait --disable-docbook
	--disable-plugins --disable-debugger --disable-readline"

# bochs_fetch: the path of the source tarball in $debs, fetched if missing.
bochs_fetch() {
	src=$debs/$BOCHS_ORIG
	[ -s "$src" ] && { echo "$src"; return 0; }
	private_apt trixie-src "$BOCHS_SRC_LIST"
	# shellcheck disable=SC2086
	line=$(apt-get $apt_opts source --print-uris -q bochs 2>/dev/null |
	       awk -v f="$BOCHS_ORIG" '$2 == f { print; exit }')
	[ -n "$line" ] || die "apt-get source --print-uris bochs (trixie) names no $BOCHS_ORIG"
	uri=$(echo "$line" | awk '{ gsub(/\047/, "", $1); print $1 }')
	sum=$(echo "$line" | awk '{ print $4 }')
	case $sum in SHA256:*) ;; *) die "no SHA256 for $BOCHS_ORIG from apt: $line" ;; esac
	say "downloading $BOCHS_ORIG"
	/usr/lib/apt/apt-helper download-file "$uri" "$src.part" "$sum" \
		> "$vm/download.log" 2>&1 ||
		{ tail -n 5 "$vm/download.log" >&2; rm -f "$src.part"; die "download of $uri failed"; }
	mv "$src.part" "$src"
	echo "$src"
}

# src_replace FILE WHY OLD NEW: the one line of FILE that contains the
# literal text OLD gets OLD replaced by NEW.  Stops the build when OLD is
# on no line or on more than one: the source is not the one this was
# written for.
src_replace() {
	n=$(awk -v s="$3" 'index($0, s) { n++ } END { print n + 0 }' "$1")
	[ "$n" = 1 ] || die "Bochs correction '$2': expected 1 line of $1 with '$3', found $n"
	awk -v s="$3" -v r="$4" '{
		i = index($0, s)
		if (i) $0 = substr($0, 1, i - 1) r substr($0, i + length(s))
		print
	}' "$1" > "$1.new" || die "cannot edit $1"
	mv "$1.new" "$1" || die "cannot edit $1"
	n=$(awk -v s="$4" 'index($0, s) { n++ } END { print n + 0 }' "$1")
	[ "$n" = 1 ] || die "Bochs correction '$2' did not land in $1"
}

# The corrections, each with the rule it follows.
bochs_correct() {
	# SDM vol. 3C, "Checks on VMX Controls": with "process posted
	# interrupts", bits 5:0 of the posted-interrupt descriptor address
	# must be 0 and no bit may be set beyond the physical-address width.
	# Bochs asked for 4 KiB alignment and failed KVM's VM entries: KVM
	# keeps the descriptor inside struct vcpu_vmx, 64-byte aligned
	# (struct pi_desc is __aligned(64) in 6.12), not page-aligned.
	src_replace "$1/cpu/vmx.cc" "posted-interrupt descriptor: 64-byte alignment" \
		'if (! IsValidPageAlignedPhyAddr(vm->pid_addr)) {' \
		'if ((vm->pid_addr & (BX_PHY_ADDRESS_RESERVED_BITS | 0x3f)) != 0) {'
	# SDM vol. 2A, CPUID leaf 15H: TSC frequency = crystal clock (ECX,
	# Hz) * EBX / EAX.  Bochs' TSC and local APIC timer count its clock
	# ticks, "ips" of them per emulated second, but the skylake-x model
	# reports a ratio without the crystal, and Linux derives a 3.5 GHz TSC
	# from leaf 16H's base frequency: the guest's clock then ran about a
	# hundred times slower than Bochs' own devices (PIT, HPET, RTC) and
	# than the wall clock.  Report what Bochs' counts: crystal = ips,
	# TSC/crystal = 1/1 (Linux also takes its APIC timer rate from there).
	src_replace "$1/cpu/cpudb/intel/corei7_skylake-x.cc" "CPUID 15H: the TSC counts ips" \
		'get_leaf(leaf, 0x00000002, 0x00000124, 0x00000000, 0x00000000);' \
		'get_leaf(leaf, 1, 1, (Bit32u) SIM->get_param_num(BXPN_IPS)->get(), 0);'
	# Log levels only: KVM reads DEBUGCTL (0x1d9, which Bochs does not
	# know and reads as 0 with ignore_bad_msrs) at every VM entry, and an
	# inhibited APICv makes every APIC access an EPT violation; as errors
	# these were 100 MB of log in a few minutes and slowed Bochs down.
	# Debug messages, like the other events of normal operation.
	src_replace "$1/cpu/msr.cc" "unknown RDMSR: a debug message" \
		'BX_ERROR(("RDMSR: Unknown register %#x", index));' \
		'BX_DEBUG(("RDMSR: Unknown register %#x", index));'
	src_replace "$1/cpu/msr.cc" "unknown WRMSR: a debug message" \
		'BX_ERROR(("WRMSR: Unknown register %#x", index));' \
		'BX_DEBUG(("WRMSR: Unknown register %#x", index));'
	src_replace "$1/cpu/paging.cc" "EPT violation exit: a debug message" \
		'BX_ERROR(("VMEXIT: EPT %s for guest paddr' \
		'BX_DEBUG(("VMEXIT: EPT %s for guest paddr'
}

# bochs_compile DIR: unpack, correct, configure and build in DIR.
bochs_compile() {
	rm -rf "$1"
	mkdir -p "$1"
	tar -xJf "$(bochs_fetch)" -C "$1" --strip-components=1 ||
		die "cannot unpack $BOCHS_ORIG"
	bochs_correct "$1"
	say "building Bochs in $1 (about 5 minutes; log: $1/build.log)"
	# shellcheck disable=SC2086
	(cd "$1" && ./configure $BOCHS_CONFIGURE && make -j2) > "$1/build.log" 2>&1 ||
		{ tail -n 20 "$1/build.log" >&2; die "Bochs build failed (log: $1/build.log)"; }
}

# bochs_build: sets $bochs_bin.  VM_BOCHS=PATH takes the bochs binary at
# PATH instead (e.g. a Bochs source tree built by hand).
bochs_build() {
	if [ -n "${VM_BOCHS:-}" ]; then
		[ -x "$VM_BOCHS" ] || die "VM_BOCHS=$VM_BOCHS is not an executable"
		bochs_bin=$VM_BOCHS
		return 0
	fi
	need="g++ make xz"
	for t in $need; do
		command -v "$t" > /dev/null || host_install g++ make xz-utils
	done
	key=$(cksum < "$top/scripts/vm/bochs-build.sh" | cut -d' ' -f1)
	root=${VM_BOCHS_CACHE:-$vm}/bochs-$key
	mkdir -p "${root%/*}"
	bochs_bin=$root/bin/bochs
	[ -x "$bochs_bin" ] && return 0
	bochs_compile "$root.src"
	mkdir -p "$root/bin"
	cp "$root.src/bochs" "$bochs_bin" || die "cannot install Bochs into $root"
	rm -rf "$root.src"
}
