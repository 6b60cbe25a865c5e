# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel overlay's hook (scripts/kernel-overlay.sh,
# docs/kernel-overlay.md).  With the project copied to
# tools/testing/selftests/kvm/NAME of a kernel tree, the GNUmakefile that
# script writes beside the kernel's kvm Makefile includes that Makefile,
# unchanged, and then this file, which adds the collection to the
# kernel's KVM selftests:
#
#   all        also builds the collection, by the project's own Makefile
#              in a sub-make (its own library, include paths and flags;
#              nothing of the kernel's lib/ and include/ is seen by it, nor
#              its files by the kernel's tests), into $(OUTPUT)/NAME
#   run_tests, install, emit_tests (kselftest-list.txt), clean
#              take the collection's tests (TEST_GEN_PROGS) and benchmarks
#              (TEST_GEN_PROGS_EXTENDED) with the kernel's: lib.mk expands
#              those in its recipes, after this file is read
#
# Read after lib.mk and after every rule of the kernel's Makefile, so none
# of their rules (nor lib.mk's pattern rules of 6.1) applies to the
# collection's binaries: they get theirs here.  x86 only; elsewhere this
# file adds nothing.  Installed, every test is kvm/BASENAME: a name the
# kernel's tests already have stops the build with an error rather than
# overwrite one of them.

ifneq ($(filter x86 x86_64,$(ARCH)),)

kvm_overlay_dir := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
kvm_overlay_src := $(abspath $(kvm_overlay_dir))
kvm_overlay_out := $(OUTPUT)/$(notdir $(kvm_overlay_dir))
kvm_overlay_progs = $(patsubst $(kvm_overlay_src)/%.c,$(kvm_overlay_out)/%,\
	$(wildcard $(kvm_overlay_src)/x86_64/$(1)))
kvm_overlay_tests := $(call kvm_overlay_progs,*_test.c)
kvm_overlay_benches := $(call kvm_overlay_progs,*_bench.c)

kvm_overlay_clash := $(filter $(notdir $(kvm_overlay_tests) $(kvm_overlay_benches)),\
	$(notdir $(TEST_GEN_PROGS) $(TEST_GEN_PROGS_EXTENDED) $(TEST_PROGS)))
ifneq ($(kvm_overlay_clash),)
$(error $(kvm_overlay_dir): the kernel has tests of the same name: $(kvm_overlay_clash); \
	remove the overlay (scripts/kernel-overlay.sh --remove))
endif

TEST_GEN_PROGS += $(kvm_overlay_tests)
TEST_GEN_PROGS_EXTENDED += $(kvm_overlay_benches)

all: kvm_overlay_all
clean: kvm_overlay_clean

kvm_overlay_all:
	$(MAKE) -C $(kvm_overlay_src) OUTPUT=$(kvm_overlay_out) all

kvm_overlay_clean:
	$(MAKE) -C $(kvm_overlay_src) OUTPUT=$(kvm_overlay_out) clean

# Built by kvm_overlay_all; the empty recipe keeps every other rule away.
$(kvm_overlay_tests) $(kvm_overlay_benches): kvm_overlay_all ;

.PHONY: kvm_overlay_all kvm_overlay_clean

endif
