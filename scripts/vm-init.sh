#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the initramfs that scripts/vm-run.sh boots.  Runs with busybox
# (ash and its applets in /bin) plus coreutils' timeout and stdbuf.
#
# Mounts proc, sysfs, devtmpfs and tracefs, loads the KVM modules listed in
# /lib/modules/vm/order (dependencies first), makes /dev/kvm if devtmpfs
# did not, then runs the command in /vm/cmd (shell words) from /kvm with
# the environment of /vm/env, and powers the VM off.
#
# Serial ports: ttyS0 the kernel's console; ttyS1 the command's stdout;
# ttyS2 its stderr; ttyS3 the control channel to vm-run.sh, one line
# each: "info TEXT", "module-failed MODULE: MESSAGE", "vm-failure REASON",
# "alive SECONDS" every 10 s (the heartbeat: vm-run.sh ends a VM whose
# clock and CPUs stopped), and last "status N", the command's exit status.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs is already writable memory: /tmp stays as it is, with the
# files vm-run.sh put there (VM_FILES from the host's /tmp).
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

for p in 1 2 3; do
	stty -F "/dev/ttyS$p" raw -echo 115200 2>/dev/null
done
exec 3>/dev/ttyS3
ctl() { printf '%s\n' "$*" >&3; }
finish() {
	ctl "status $1"
	exec 3>&-
	# Let the serial ports send what is queued before the power goes:
	# stty sets the line with TCSADRAIN, which waits for the output.
	# Under Bochs the UART sends at its baud rate in emulated time, and
	# the end of the control channel (the status) was lost at poweroff.
	for p in 1 2 3; do
		stty -F "/dev/ttyS$p" raw -echo 115200 2>/dev/null
	done
	sync
	poweroff -f
	echo o > /proc/sysrq-trigger
	sleep 30
}

# Open files: init starts with the kernel's limits (1024, hard 4096); a
# login under systemd gets the hard limit 524288.  Give the command that
# hard limit (the soft one stays 1024): a test that needs one descriptor
# per vCPU raises its soft limit itself.
# shellcheck disable=SC3045 # busybox ash has ulimit -H -n
ulimit -H -n 524288

while read -r m; do
	[ -n "$m" ] || continue
	if out=$(insmod "/lib/modules/vm/$m" 2>&1); then
		ctl "info insmod $m"
	else
		ctl "module-failed $m: $out"
	fi
done < /lib/modules/vm/order

if [ ! -c /dev/kvm ] && [ -r /sys/class/misc/kvm/dev ]; then
	IFS=: read -r major minor < /sys/class/misc/kvm/dev
	mknod /dev/kvm c "$major" "$minor"
fi

backend=none
for d in /sys/module/kvm_*; do
	[ -d "$d" ] && backend=${d##*/} && break
done
ctl "info kernel $(uname -r), $(nproc) CPUs, $(cut -d' ' -f1 /proc/uptime) s after boot"
ctl "info backend $backend"
params=""
for p in /sys/module/"$backend"/parameters/*; do
	[ -r "$p" ] && params="$params ${p##*/}=$(cat "$p")"
done
ctl "info params$params"
if [ ! -c /dev/kvm ]; then
	ctl "vm-failure no /dev/kvm in the VM (backend: $backend)"
	finish 125
fi

(while :; do ctl "alive $(cut -d' ' -f1 /proc/uptime)"; sleep 10; done) &

# shellcheck disable=SC1091
. /vm/env
cd /kvm || finish 125
eval "set -- $(cat /vm/cmd)"
"$@" < /dev/null > /dev/ttyS1 2> /dev/ttyS2
finish $?
