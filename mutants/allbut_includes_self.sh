# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='all-excluding-self reaches the sender too'
area='shorthands'
needs=''
history='planted'
description='kvm_apic_match_dest(), APIC_DEST_ALLBUT: returns true for every target,
the sender included.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_dest \
		'return target != source;' \
		'return true;'
}
