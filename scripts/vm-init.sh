#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the initramfs that scripts/vm-run.sh boots under QEMU.  Runs with
# busybox (ash and its applets in /bin) plus coreutils' timeout and stdbuf
# in /usr/bin, copied from the host with their libraries.
#
# It mounts proc, sysfs, devtmpfs (tmpfs with hand-made nodes if devtmpfs
# is missing) and tracefs, loads the KVM modules listed in
# /lib/modules/vm/order (dependencies first), makes /dev/kvm if nothing else
# did, runs every test binary named in /tests/list the way the kselftest
# runner does (same KTAP lines, same per-test timeout from the project's
# "settings", exit 4 = SKIP, 124 = TIMEOUT) and powers the VM off.
#
# The KTAP stream goes to the console (ttyS0, together with the kernel's
# messages) and, clean, to the second serial port (ttyS1), which vm-run.sh
# keeps as the result.  Lines starting "vm-run:" on the console are for
# vm-run.sh: "vm-run: MODULE LOAD FAILED: ..." and "vm-run: done".
export PATH=/usr/bin:/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
if ! mount -t devtmpfs devtmpfs /dev 2>/dev/null; then
	# No devtmpfs: a tmpfs with the nodes we need (major:minor are fixed).
	mount -t tmpfs tmpfs /dev
	mknod /dev/console c 5 1
	mknod /dev/null c 1 3
	mknod /dev/ttyS0 c 4 64
	mknod /dev/ttyS1 c 4 65
fi
exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
	echo "vm-run: tracefs not mounted (tests that need it SKIP with the reason)"

# Open files: init starts with the kernel's limits (1024, hard 4096); a
# login or service under systemd gets the hard limit 524288.  Give the
# tests that hard limit (the soft one stays 1024): a test that needs more
# descriptors (one per vCPU) raises its soft limit itself.
# shellcheck disable=SC3045 # busybox ash has ulimit -H -n
ulimit -H -n 524288 || echo "vm-run: ulimit -H -n 524288 failed"

# fd 3: the clean KTAP copy on ttyS1 (raw: no CR added to each line).
# (A failed "exec 3>" would end the shell, and with it the VM: try first.)
if [ -c /dev/ttyS1 ] && (: > /dev/ttyS1) 2>/dev/null; then
	exec 3>/dev/ttyS1
	stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
else
	echo "vm-run: no /dev/ttyS1: KTAP on the console only"
	exec 3>/dev/null
fi

out() {		# out LINE: one KTAP line to the console and to ttyS1
	printf '%s\n' "$1"
	printf '%s\n' "$1" >&3
}

uptime_s() {	# seconds since boot, as the kernel counts them
	cut -d' ' -f1 /proc/uptime
}

# Settings written by vm-run.sh: test timeout (seconds) and the label.
timeout=300
label=unknown
# shellcheck disable=SC1091
. /vm-run.conf

# Load the modules, dependencies first (vm-run.sh wrote the order from
# modules.dep).  A failure is reported; the tests still run and SKIP
# with their own reason if /dev/kvm is missing.
modlog=/tmp/modules.log
: > "$modlog"
if [ -r /lib/modules/vm/order ]; then
	while read -r m; do
		[ -n "$m" ] || continue
		if ! insmod "/lib/modules/vm/$m" > /tmp/insmod.out 2>&1; then
			echo "vm-run: MODULE LOAD FAILED: $m: $(cat /tmp/insmod.out)"
			echo "# vm-run: insmod $m failed: $(cat /tmp/insmod.out)" >> "$modlog"
		else
			echo "# vm-run: insmod $m" >> "$modlog"
		fi
	done < /lib/modules/vm/order
fi

# /dev/kvm is a misc device; devtmpfs makes it, otherwise use its numbers.
if [ ! -c /dev/kvm ] && [ -r /sys/class/misc/kvm/dev ]; then
	IFS=: read -r major minor < /sys/class/misc/kvm/dev
	mknod /dev/kvm c "$major" "$minor"
fi

# The same lines as tools/testing/selftests/kselftest/runner.sh prints.
total=$(wc -l < /tests/list)
out "TAP version 13"
out "1..$total"
out "# vm-run: kernel $(uname -r) ($label), $(nproc) CPUs, tests start $(uptime_s) s after boot"
while IFS= read -r line; do out "$line"; done < "$modlog"
backend=none
for d in /sys/module/kvm_*; do
	[ -d "$d" ] && backend=${d##*/} && break
done
# shellcheck disable=SC3045 # busybox ash has ulimit -n
out "# vm-run: backend $backend, /dev/kvm $( [ -c /dev/kvm ] && echo present || echo missing), open files limit $(ulimit -n) (hard $(ulimit -H -n))"
for p in /sys/module/"$backend"/parameters/*; do
	[ -r "$p" ] && out "# vm-run: $backend.${p##*/}=$(cat "$p")"
done

n=0
cd /tests/x86_64 || exit 1
while IFS= read -r name; do
	n=$((n + 1))
	start=$(uptime_s)
	out "# timeout set to $timeout"
	out "# selftests: kvm: $name"
	# The test's output, prefixed "# " line by line as it comes; its exit
	# code through a file (the pipeline's status is the loop's).
	{
		/usr/bin/timeout -k 10 "$timeout" /usr/bin/stdbuf -oL "./$name" 2>&1 < /dev/null
		echo $? > /tmp/rc
	} | while IFS= read -r line || [ -n "$line" ]; do
		out "# $line"
	done
	rc=$(cat /tmp/rc)
	out "# vm-run: $name took $(awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }') s"
	case $rc in
	0) out "ok $n selftests: kvm: $name" ;;
	4) out "ok $n selftests: kvm: $name # SKIP" ;;
	124)
		out "#"
		out "not ok $n selftests: kvm: $name # TIMEOUT $timeout seconds"
		;;
	*) out "not ok $n selftests: kvm: $name # exit=$rc" ;;
	esac
done < /tests/list

out "# vm-run: done $(uptime_s) s after boot"
echo "vm-run: done"
exec 3>&-
sync
poweroff -f
# poweroff should not return; if it does, let the kernel halt the VM.
echo o > /proc/sysrq-trigger
sleep 30
