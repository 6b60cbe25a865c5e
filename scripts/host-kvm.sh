#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Is there a KVM on this host the collection can use?  Exit 0 and print
# "BACKEND, kernel RELEASE" when /dev/kvm is a character device this user
# can open for reading and writing; otherwise exit 1 and print why not.
#
# usage: host-kvm.sh
backend=none
for d in /sys/module/kvm_*; do
	[ -d "$d" ] && backend=${d##*/} && break
done
if [ ! -e /dev/kvm ]; then
	if [ -d /sys/module/kvm ]; then
		echo "/dev/kvm does not exist (the kvm module is loaded, no backend is)"
	else
		echo "/dev/kvm does not exist"
	fi
	exit 1
fi
if [ ! -c /dev/kvm ]; then
	echo "/dev/kvm is not a character device"
	exit 1
fi
if ! { : <> /dev/kvm; } 2>/dev/null; then
	echo "/dev/kvm cannot be opened for reading and writing by uid $(id -u)"
	exit 1
fi
echo "$backend, kernel $(uname -r)"
