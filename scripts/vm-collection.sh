#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the collection's test binaries inside the VM (scripts/vm-run.sh) as
# the kselftest runner does: the same KTAP lines ("selftests: kvm: NAME",
# "# SKIP" for exit 4, "# TIMEOUT", "# exit=RC"), each binary bounded by
# the timeout of "settings" (or vm_test_timeout from /vm/env); plus
# "# vm-run:" lines with the kernel, the backend and its parameters, and
# each binary's time.  Busybox ash, coreutils' timeout and stdbuf.
#
# usage: collection.sh NAME...   (binaries of x86_64/, run from there)
timeout=${vm_test_timeout:-$(sed -n 's/^timeout=//p' settings)}
uptime_s() { cut -d' ' -f1 /proc/uptime; }

backend=none
for d in /sys/module/kvm_*; do
	[ -d "$d" ] && backend=${d##*/} && break
done
echo "TAP version 13"
echo "1..$#"
echo "# vm-run: kernel $(uname -r) (${vm_label:-?}), $(nproc) CPUs, tests start $(uptime_s) s after boot"
echo "# vm-run: backend $backend, /dev/kvm $([ -c /dev/kvm ] && echo present || echo missing)"
for p in /sys/module/"$backend"/parameters/*; do
	[ -r "$p" ] && echo "# vm-run: $backend.${p##*/}=$(cat "$p")"
done

cd x86_64 || exit 1
n=0
for name in "$@"; do
	n=$((n + 1))
	start=$(uptime_s)
	echo "# timeout set to $timeout"
	echo "# selftests: kvm: $name"
	{
		/usr/bin/timeout -k 10 "$timeout" /usr/bin/stdbuf -oL "./$name" 2>&1
		echo $? > /tmp/rc
	} | awk '{ print "# " $0; fflush() }'
	rc=$(cat /tmp/rc)
	echo "# vm-run: $name took $(awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }') s"
	case $rc in
	0) echo "ok $n selftests: kvm: $name" ;;
	4) echo "ok $n selftests: kvm: $name # SKIP" ;;
	124) echo "not ok $n selftests: kvm: $name # TIMEOUT $timeout seconds" ;;
	*) echo "not ok $n selftests: kvm: $name # exit=$rc" ;;
	esac
done
echo "# vm-run: done $(uptime_s) s after boot"
