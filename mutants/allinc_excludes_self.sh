# SPDX-License-Identifier: GPL-2.0-only
# A planted bug for scripts/kvm-mutants.sh (docs/mutants.md).
title='all-including-self misses the sender'
area='shorthands'
needs=''
history='planted'
description='kvm_apic_match_dest(), APIC_DEST_ALLINC: the sender is left out.'
mutate() {
	edit arch/x86/kvm/lapic.c kvm_apic_match_dest \
		'return true;' \
		'return target != source;'
}
