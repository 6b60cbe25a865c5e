# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced: Bochs as the VM's emulator (vm-run.sh --emulator bochs or
# bochs-amd).  bochs_select builds Bochs if needed (scripts/vm/bochs-build.sh)
# and sets $emulator_label; boot_bochs and boot_bochs_amd follow boot.sh's
# contract: the four serial ports into $raw/console, $raw/out, $raw/err
# and $raw/ctl, bounded by $vm_timeout (exit status 124/137 when it runs
# out), 0 when the guest powered off.
#
#   bochs      CPU model corei7_skylake_x: VMX with APIC virtualization,
#              virtual-interrupt delivery and posted interrupts, so that
#              kvm_intel loads with enable_apicv=Y;
#   bochs-amd  CPU model ryzen: SVM with nested paging, for kvm_amd.
#
# Bochs cannot load a bzImage itself: the kernel and the initrd go on an
# ISO image that the BIOS boots with isolinux (host packages isolinux and
# xorriso).  The BIOS is Bochs' own (bookworm's bochsbios, with the LGPL
# VGA BIOS of vgabios): the SeaBIOS image in Bochs' source lists one CPU
# in its ACPI tables, as Bochs does not set the CMOS CPU count it reads,
# and with that count set it printed nothing in 180 s.  Two CPUs
# (count=2), display "nogui", the PC's serial ports into files; Bochs' own
# log, errors and panics only, in $raw/bochs.log.
#
# Time: Bochs counts one clock tick per instruction, "ips" of them per
# emulated second; the TSC and the local APIC timer count those ticks, and
# the CPU model reports that rate in CPUID 15H (bochs-build.sh), so the
# guest kernel's clock is Bochs' clock.  With sync=none every device timer
# counts the same ticks and, when both CPUs are halted, Bochs skips to the
# next timer event at once: the guest's time is consistent, and idle time
# costs nothing.  ips=250000000 makes the TSC a 250 MHz one; Bochs runs
# about a fifth of that here, so the guest's clock runs at about a third
# of the wall clock while busy (docs/bochs.md: why not a slower TSC).
#
# Environment: VM_BOCHS (a bochs binary to use instead, see
# bochs-build.sh), VM_BOCHS_IPS (ticks per emulated second, default
# 250000000), VM_BOCHS_SYNC (Bochs' clock: none (default), realtime,
# slowdown or both), VM_BOCHS_QUANTUM (instructions a CPU runs before the
# other's turn, default 16), VM_MEM (MiB, default 2048), VM_BOCHS_LOG
# (Bochs' log levels: "error" by default, "info" for more).

bochs_select() {
	. "$top/scripts/vm/bochs-build.sh"
	missing=""
	[ -r /usr/lib/ISOLINUX/isolinux.bin ] || missing="$missing isolinux"
	[ -r /usr/lib/syslinux/modules/bios/ldlinux.c32 ] || missing="$missing syslinux-common"
	command -v xorriso > /dev/null || missing="$missing xorriso"
	[ -r /usr/share/bochs/BIOS-bochs-latest ] || missing="$missing bochsbios"
	[ -r /usr/share/vgabios/vgabios.bin ] || missing="$missing vgabios"
	# shellcheck disable=SC2086
	host_install $missing
	bochs_build
	emulator_label="Bochs 3.0 $(bochs_model)"
}

bochs_model() {
	case $emulator in
	bochs) echo corei7_skylake_x ;;
	bochs-amd) echo ryzen ;;
	esac
}

# The guest kernel idles with HLT, not MWAIT.  Bochs arms MONITOR by
# invalidating the monitored address as a linear one in every CPU's TLB,
# which for a paging guest is not where the monitored line is mapped: a
# store by the other CPU through a TLB entry filled before does not wake
# the MWAIT.  Linux wakes an idle CPU that polls by such a store, without
# an IPI (sched_wake_idle_without_ipi): traced here, 10 of 88 of those
# woke only at the CPU's next timer interrupt (1-4 ms later), and a vCPU
# thread woken that way stays asleep until then (docs/bochs.md).
BOCHS_APPEND="idle=halt"

# bochs_iso ISO: the kernel, the initrd and an isolinux that boots them
# with the kernel parameters at once.
bochs_iso() {
	d=$raw/iso
	rm -rf "$d"
	mkdir -p "$d/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		"$d/isolinux/" || die "cannot copy isolinux"
	cp "$vmlinuz" "$d/vmlinuz" && cp "$initrd" "$d/initrd" || die "cannot copy the kernel"
	cat > "$d/isolinux/isolinux.cfg" <<-EOF
		default vm
		prompt 0
		timeout 0
		label vm
		  kernel /vmlinuz
		  initrd /initrd
		  append console=ttyS0 panic=-1 $BOCHS_APPEND ${VM_APPEND:-}
	EOF
	xorriso -as mkisofs -quiet -o "$1" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
		"$d" > "$raw/xorriso.log" 2>&1 ||
		{ tail -n 5 "$raw/xorriso.log" >&2; die "xorriso failed"; }
	rm -rf "$d"
}

# bochs_log_levels: Bochs' "info" lines are one per virtual-interrupt
# evaluation with APICv on: too many to keep by default.
bochs_log_levels() {
	case ${VM_BOCHS_LOG:-error} in
	info) echo "debug: action=ignore
info: action=report
error: action=report" ;;
	*) echo "debug: action=ignore
info: action=ignore
error: action=report" ;;
	esac
}

# bochs_rc MODEL ISO: the configuration, on stdout.
bochs_rc() {
	cat <<-EOF
		config_interface: textconfig
		display_library: nogui
		megs: ${VM_MEM:-2048}
		cpu: model=$1, count=2, ips=${VM_BOCHS_IPS:-250000000}, quantum=${VM_BOCHS_QUANTUM:-16}, reset_on_triple_fault=1, ignore_bad_msrs=1
		clock: sync=${VM_BOCHS_SYNC:-none}, time0=utc
		romimage: file=/usr/share/bochs/BIOS-bochs-latest
		vgaromimage: file=/usr/share/vgabios/vgabios.bin
		vga: extension=vbe
		pci: enabled=1, chipset=i440fx
		ata0-master: type=cdrom, path=$2, status=inserted
		boot: cdrom
		mouse: enabled=0
		com1: enabled=1, mode=file, dev=$raw/console
		com2: enabled=1, mode=file, dev=$raw/out
		com3: enabled=1, mode=file, dev=$raw/err
		com4: enabled=1, mode=file, dev=$raw/ctl
		log: $raw/bochs.log
		panic: action=fatal
		$(bochs_log_levels)
	EOF
}

# boot_bochs_model MODEL: Bochs until the guest powers off (Bochs ends
# with "ACPI control: soft power off" as a fatal message: status 0 here),
# bounded by $vm_timeout.
boot_bochs_model() {
	iso=$raw/boot.iso
	bochs_iso "$iso"
	bochs_rc "$1" "$iso" > "$raw/bochsrc"
	timeout -k 10 "$vm_timeout" "$bochs_bin" -q -f "$raw/bochsrc" \
		< /dev/null > "$raw/emulator" 2>&1
	rc=$?
	case $rc in
	124 | 137) return "$rc" ;;
	esac
	grep -q 'ACPI control: soft power off' "$raw/bochs.log" "$raw/emulator" && return 0
	return "$rc"
}

boot_bochs() { boot_bochs_model corei7_skylake_x; }
boot_bochs_amd() { boot_bochs_model ryzen; }
