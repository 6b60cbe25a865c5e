# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced: boot the VM and wait for it.  boot_vm writes the four serial
# ports into $raw/console, $raw/out, $raw/err and $raw/ctl, shows out on
# stdout and err on stderr as they come, and sets $boot_rc (the
# emulator's exit status; 124 or 137 when VM_TIMEOUT ran out) and
# $boot_seconds.  A VM that stops sending its heartbeat ("alive" lines on
# the control channel, every 10 s of its own clock) for VM_STALL seconds
# (default 180) is ended early: $raw/stalled says since when.  So is one
# whose kernel panicked, where the emulator would reboot it rather than
# exit (Bochs has no -no-reboot).

boot_qemu() {
	# One TCG thread for both vCPUs: with multi-threaded TCG the guest
	# kernel's live code patching (a static key flipped while the other
	# vCPU runs the patched code) oopsed on int3.  panic=-1 reboots at
	# once and -no-reboot turns that into QEMU's exit.
	# shellcheck disable=SC2086
	timeout -k 10 "$vm_timeout" "$qemu_bin" $qemu_firmware \
		-accel "${VM_ACCEL:-tcg,thread=single}" -cpu max -smp 2 -m 2G \
		-nographic -no-reboot -monitor none -nic none \
		-serial "file:$raw/console" -serial "file:$raw/out" \
		-serial "file:$raw/err" -serial "file:$raw/ctl" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 ${VM_APPEND:-}" \
		< /dev/null > "$raw/emulator" 2>&1
}

# watch_heartbeat PID: end the emulator PID when the VM's heartbeat stops
# or its kernel panicked.
watch_heartbeat() {
	last=$(date +%s)
	beats=0
	while kill -0 "$1" 2>/dev/null; do
		sleep 2
		now=$(date +%s)
		if grep -q 'Kernel panic - not syncing' "$raw/console"; then
			sleep 2
			pkill -P "$1" 2>/dev/null
			kill "$1" 2>/dev/null
			return
		fi
		n=$(grep -c '^alive ' "$raw/ctl")
		if [ "$n" != "$beats" ]; then
			beats=$n
			last=$now
		elif [ $((now - last)) -ge "${VM_STALL:-180}" ]; then
			echo "$((now - last))" > "$raw/stalled"
			pkill -P "$1" 2>/dev/null
			kill "$1" 2>/dev/null
			return
		fi
	done
}

boot_vm() {
	mkdir -p "$raw"
	for f in console out err ctl emulator; do : > "$raw/$f"; done
	rm -f "$raw/stalled"
	start=$(date +%s.%N)
	boot_$(echo "$emulator" | tr - _) &
	bpid=$!
	watch_heartbeat "$bpid" &
	wpid=$!
	tail -n +1 -f --pid="$bpid" "$raw/out" &
	opid=$!
	tail -n +1 -f --pid="$bpid" "$raw/err" >&2 &
	epid=$!
	trap 'kill $bpid $opid $epid $wpid 2>/dev/null; exit 130' INT TERM
	wait "$bpid"
	boot_rc=$?
	kill "$wpid" 2>/dev/null
	wait "$opid" "$epid" "$wpid" 2>/dev/null
	trap - INT TERM
	boot_seconds=$(elapsed_since "$start")
	# The console with CRs gone, for reading and for results/.
	tr -d '\r' < "$raw/console" > "$raw/console.txt"
}
