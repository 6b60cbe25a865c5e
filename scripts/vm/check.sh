# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced: what went wrong with the VM itself, from its console, its
# control channel and the emulator's exit status.  vm_problems prints one
# line per problem, "WHAT: LINE" (PANIC, OOPS, KERNEL WARNING, STALL,
# MODULE LOAD FAILED, NO KVM, STALLED, HANG, EMULATOR FAILED, NO STATUS); vm_status
# prints the command's exit status, or nothing.

# The kernel's first line matching $1.
console_first() { grep -m 1 -E "$1" "$raw/console.txt"; }
# The guest's last words (not the emulator's own messages).
console_last() { grep -v -e '^$' -e '^qemu-system' "$raw/console.txt" | tail -n 1; }

vm_status() { sed -n 's/^status \([0-9]*\)$/\1/p' "$raw/ctl" | tail -n 1; }

vm_problems() {
	l=$(console_first 'Kernel panic - not syncing')
	[ -z "$l" ] || echo "PANIC: $l"
	l=$(console_first 'Oops|BUG: |general protection fault|kernel BUG at')
	[ -z "$l" ] || echo "OOPS: $l"
	l=$(console_first 'WARNING: CPU: [0-9]+ PID: [0-9]+ at ')
	[ -z "$l" ] || echo "KERNEL WARNING: $l"
	l=$(console_first 'INFO: task .* blocked for more than|rcu: INFO: .*stall')
	[ -z "$l" ] || echo "STALL: $l"
	sed -n 's/^module-failed /MODULE LOAD FAILED: /p' "$raw/ctl"
	sed -n 's/^vm-failure /NO KVM: /p' "$raw/ctl"
	if [ -e "$raw/stalled" ]; then
		echo "STALLED: no heartbeat from the VM for $(cat "$raw/stalled") s (VM_STALL), ended; last console line: $(console_last); last output line: $(tail -n 1 "$raw/out")"
		return
	fi
	case $boot_rc in
	0) ;;
	124 | 137) echo "HANG: no poweroff within $vm_timeout s (VM_TIMEOUT); last console line: $(console_last)" ;;
	*) echo "EMULATOR FAILED: exit $boot_rc: $(tail -n 1 "$raw/emulator")" ;;
	esac
	[ -n "$(vm_status)" ] || [ "$boot_rc" != 0 ] ||
		echo "NO STATUS: the VM powered off without the command's exit status; last console line: $(console_last)"
}

# One line about the VM, from /init's "info" lines.
vm_summary() {
	kern=$(sed -n 's/^info kernel \([^,]*\),.*/\1/p' "$raw/ctl")
	be=$(sed -n 's/^info backend //p' "$raw/ctl")
	boot=$(sed -n 's/^info kernel .*, \([0-9.]*\) s after boot$/\1/p' "$raw/ctl")
	echo "kernel ${kern:-?}, ${be:-?} under $emulator_label: ready ${boot:-?} s after boot, $boot_seconds s in all"
}
