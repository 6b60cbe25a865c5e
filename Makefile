# SPDX-License-Identifier: GPL-2.0-only
#
# KVM selftests for APIC IDs that differ from vCPU IDs, APICv/AVIC
# inhibition and IPI delivery.
#
# In a kernel tree the kselftest framework is taken from the tree: from ../
# as tools/testing/selftests/kvm itself, from ../../ beside the kernel's
# KVM selftests as tools/testing/selftests/kvm/NAME (the kernel overlay:
# "make kernel_overlay KDIR=TREE", docs/kernel-overlay.md); standalone it
# is unpacked from Debian's linux-source package into .kselftest/
# (scripts/get-kselftest.sh) on first use.

SRC_DIR := $(patsubst %/,%,$(dir $(realpath $(firstword $(MAKEFILE_LIST)))))

ARCH ?= $(shell uname -m)
ifeq ($(ARCH),x86)
ARCH_DIR := x86_64
else
ARCH_DIR := $(ARCH)
endif

ifneq ($(wildcard $(SRC_DIR)/../lib.mk),)
KSFT_DIR := $(abspath $(SRC_DIR)/..)
KSFT_STANDALONE :=
else ifeq ($(words $(wildcard $(SRC_DIR)/../../lib.mk $(SRC_DIR)/../../kselftest.h)),2)
KSFT_DIR := $(abspath $(SRC_DIR)/../..)
KSFT_STANDALONE :=
else
KSFT_DIR := $(SRC_DIR)/.kselftest/tools/testing/selftests
KSFT_STANDALONE := 1
endif

# The library's harness wants the kselftest headers of a recent tree
# (constructor priorities, XFAIL, a skip told by exit status KSFT_SKIP).
# In an older tree (6.1's harness has none of them) the collection is
# compiled against those of linux-source-6.12, unpacked into .kselftest/
# as standalone; the tree's lib.mk and runner still build, install and
# run it.
KSFT_HDR_DIR := $(KSFT_DIR)
ifeq ($(KSFT_STANDALONE),)
ifeq ($(shell grep -ls KSELFTEST_PRIO_TEST $(KSFT_DIR)/kselftest_harness.h),)
KSFT_HDR_DIR := $(SRC_DIR)/.kselftest/tools/testing/selftests
endif
endif

# Sources are found by name:
#   x86_64/*_test.c   tests of the collection: built by "all", run by
#                     "run_tests", installed
#   x86_64/*_bench.c  benchmarks: built by "all", installed, not run
#   tests/*_test.c    the project's own tests ("make check"), not installed
#   lib/*.c, lib/$(ARCH_DIR)/*.[cS]   the library
src_names = $(sort $(patsubst $(SRC_DIR)/%.c,%,$(wildcard $(SRC_DIR)/$(1))))

TEST_GEN_PROGS := $(call src_names,$(ARCH_DIR)/*_test.c)
TEST_GEN_PROGS_EXTENDED := $(call src_names,$(ARCH_DIR)/*_bench.c)
PROJECT_TESTS := $(call src_names,tests/*_test.c)
# The project's tests that run VMs; the others run on the host alone.
PROJECT_KVM_TESTS := tests/apicv_observer_test tests/host_conditions_test tests/lib_report_test

LIBKVM_SRCS := $(patsubst $(SRC_DIR)/%,%,$(sort $(wildcard $(SRC_DIR)/lib/*.c) \
	$(wildcard $(SRC_DIR)/lib/$(ARCH_DIR)/*.c $(SRC_DIR)/lib/$(ARCH_DIR)/*.S)))

# Standalone, "make install INSTALL_PATH=DIR" lays DIR out as the kernel's
# kselftest install does: DIR/kvm/ with the tests, DIR/run_kselftest.sh,
# DIR/kselftest/ and DIR/kselftest-list.txt.  In a kernel tree, the
# selftests Makefile does that and hands us DIR/kvm itself.
ifneq ($(KSFT_STANDALONE),)
ifneq ($(INSTALL_PATH),)
KSFT_INSTALL_TOP := $(abspath $(INSTALL_PATH))
override INSTALL_PATH := $(KSFT_INSTALL_TOP)/kvm
endif
endif

OVERRIDE_TARGETS := 1
include $(KSFT_DIR)/lib.mk

$(KSFT_DIR)/lib.mk:
	$(SRC_DIR)/scripts/get-kselftest.sh $(SRC_DIR)/.kselftest

LIBKVM_OBJS := $(patsubst %.S,$(OUTPUT)/%.o,$(patsubst %.c,$(OUTPUT)/%.o,$(LIBKVM_SRCS)))
PROJECT_TEST_PROGS := $(patsubst %,$(OUTPUT)/%,$(PROJECT_TESTS))
ALL_PROGS := $(TEST_GEN_PROGS) $(TEST_GEN_PROGS_EXTENDED) $(PROJECT_TEST_PROGS)
ALL_OBJS := $(LIBKVM_OBJS) $(patsubst %,%.o,$(ALL_PROGS))

ifneq ($(KSFT_HDR_DIR),$(KSFT_DIR))
$(ALL_OBJS): | $(KSFT_HDR_DIR)/kselftest_harness.h

$(KSFT_HDR_DIR)/kselftest_harness.h:
	$(SRC_DIR)/scripts/get-kselftest.sh $(SRC_DIR)/.kselftest
endif

# Guest code is compiled into the same objects as host code, and the guest
# runs it through KVM's instruction emulator on some hosts: no SSE/AVX/x87
# anywhere (-mgeneral-regs-only), no red zone (guest interrupts push onto
# the interrupted stack), no stack protector or fortify calls into libc,
# and fixed link addresses so guest and host agree on every address.
# _GNU_SOURCE as a 6.12 tree's lib.mk defines it (a 6.1 tree's does not).
CFLAGS += -D_GNU_SOURCE= -Wall -Wstrict-prototypes -Wuninitialized \
	  -Wno-unknown-pragmas -O2 -g -std=gnu11 -MD -MP \
	  -mgeneral-regs-only -mno-red-zone -fno-stack-protector \
	  -fno-PIE -fno-strict-aliasing -fno-omit-frame-pointer \
	  -U_FORTIFY_SOURCE -fmacro-prefix-map=$(SRC_DIR)/= \
	  -I$(SRC_DIR)/include -I$(SRC_DIR)/include/$(ARCH_DIR) -I$(KSFT_HDR_DIR) \
	  $(KHDR_INCLUDES) $(EXTRA_CFLAGS)
LDFLAGS += -pthread -no-pie

# make SAN=1: AddressSanitizer and UndefinedBehaviorSanitizer.  Guest code is
# instrumented too; the library then backs the guest addresses of ASan's
# shadow with a zeroed memory slot so its checks pass (and its redzones
# work) in the guest, and gcc is told not to move locals onto a fake stack
# that only the host's runtime knows.  gcc only: clang turns memcpy() in
# guest code into calls into the host's runtime.
ifeq ($(SAN),1)
ifneq ($(LLVM),)
$(error SAN=1 is supported with gcc only)
endif
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     --param=asan-use-after-return=0
CFLAGS += $(SAN_FLAGS) -DKVM_SELFTEST_SANITIZERS
# Static runtimes: the kselftest runner preloads stdbuf's library, which a
# dynamic ASan runtime refuses to come after.
LDFLAGS += $(SAN_FLAGS) -static-libasan -static-libubsan
endif

EXTRA_CLEAN += $(ALL_OBJS) $(ALL_OBJS:.o=.d) $(PROJECT_TEST_PROGS)

$(OUTPUT)/%.o: $(SRC_DIR)/%.c
	@mkdir -p $(dir $@)
	$(call msg,CC,,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/%.o: $(SRC_DIR)/%.S
	@mkdir -p $(dir $@)
	$(call msg,AS,,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(ALL_PROGS): %: %.o $(LIBKVM_OBJS)
	$(call msg,LD,,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

-include $(ALL_OBJS:.o=.d)

ifneq ($(KSFT_INSTALL_TOP),)
install: install_kselftest_top

install_kselftest_top: all
	@mkdir -p $(KSFT_INSTALL_TOP)/kselftest
	@cp $(KSFT_DIR)/kselftest/*.sh $(KSFT_DIR)/kselftest/*.pl $(KSFT_INSTALL_TOP)/kselftest/
	@cp $(KSFT_DIR)/run_kselftest.sh $(KSFT_INSTALL_TOP)/
	@$(MAKE) -s --no-print-directory emit_tests COLLECTION=kvm \
		> $(KSFT_INSTALL_TOP)/kselftest-list.txt

# A tarball of the installed tree, as the kernel's "make gen_tar" makes.
gen_tar: install
	@mkdir -p $(KSFT_INSTALL_TOP)/kselftest-packages
	tar czf $(KSFT_INSTALL_TOP)/kselftest-packages/kselftest.tar.gz \
		--exclude=kselftest-packages -C $(KSFT_INSTALL_TOP) .

.PHONY: install_kselftest_top gen_tar
endif

# The kselftest runner names each test "selftests: <dir>: NAME" and reads
# "settings" from $BASE_DIR/<dir>, <dir> being $PWD below its own tree.
# Standalone, run from kvm/ there, a link to this directory, so that both
# are those of an in-tree run; the timeout is passed explicitly as well,
# for a make run from elsewhere (-f), where the shell resets $PWD.
ifneq ($(KSFT_STANDALONE),)
run_tests: export kselftest_override_timeout := \
	$(shell sed -n 's/^timeout=//p' $(SRC_DIR)/settings)
run_tests: export PWD := $(KSFT_DIR)/kvm
run_tests: $(KSFT_DIR)/kvm

$(KSFT_DIR)/kvm:
	@ln -sfn $(SRC_DIR) $@
endif


# The project's own tests: host-only unit tests on the host; the library's
# self-tests, which run VMs, on the host's KVM or, where there is none
# usable, in the embedded KVM (scripts/vm-run.sh).
check: all $(PROJECT_TEST_PROGS)
	@$(SRC_DIR)/scripts/run-ktap.sh $(OUTPUT)/results/project.ktap \
		$(filter-out $(PROJECT_KVM_TESTS:%=$(OUTPUT)/%),$(PROJECT_TEST_PROGS)) \
		--kvm $(PROJECT_KVM_TESTS:%=$(OUTPUT)/%)

# Build the project's own tests without running them.
check-build: $(PROJECT_TEST_PROGS)

.PHONY: check check-build

# The collection under the embedded KVM: a Debian kernel's KVM, booted in
# an emulator (scripts/vm-run.sh; KERNEL=6.12 (default), 6.1, or a vmlinuz
# with MODULES=its lib/modules/RELEASE; EMULATOR=qemu, bochs (kvm_intel with
# APICv) or bochs-amd, VM_EMULATOR the same), and the table of every KVM at
# hand (scripts/vm-matrix.sh; MATRIX="6.1 6.12@qemu-7.2 6.12@bochs ...").
VM_EMULATOR ?= $(EMULATOR)
vm_run:
	@$(SRC_DIR)/scripts/vm-run.sh $(if $(KERNEL),--kernel "$(KERNEL)") \
		$(if $(MODULES),--modules "$(MODULES)") \
		$(if $(VM_EMULATOR),--emulator "$(VM_EMULATOR)")

vm_matrix:
	@$(SRC_DIR)/scripts/vm-matrix.sh $(MATRIX)

.PHONY: vm_run vm_matrix

# The planted-bug score (docs/mutants.md): KVM's modules rebuilt from
# Debian's source with one bug of mutants/ planted at a time, the whole
# collection run on each in the embedded VM (scripts/kvm-mutants.sh).
# KERNEL=6.12 (default), EMULATOR=qemu or bochs (APICv), MUTANTS=name,...
kvm_mutants:
	@$(SRC_DIR)/scripts/kvm-mutants.sh --kernel "$(or $(KERNEL),6.12)" \
		$(if $(VM_EMULATOR),--emulator "$(VM_EMULATOR)") \
		$(if $(MUTANTS),--mutants "$(MUTANTS)")

.PHONY: kvm_mutants

# The kernel overlay (scripts/kernel-overlay.sh, docs/kernel-overlay.md):
# the collection beside the kernel's KVM selftests in a kernel tree,
# KDIR/tools/testing/selftests/kvm/apic_ids, so that "make -C
# tools/testing/selftests TARGETS=kvm run_tests" (install, gen_tar) builds
# and runs the kernel's tests and these together.  Again to refresh the
# copy; kernel_overlay_remove restores the tree.
kernel_overlay_usage = $(if $(KDIR),,echo "usage: make $@ KDIR=<kernel tree>" >&2; exit 2;)
kernel_overlay:
	@$(kernel_overlay_usage) $(SRC_DIR)/scripts/kernel-overlay.sh "$(KDIR)"

kernel_overlay_remove:
	@$(kernel_overlay_usage) $(SRC_DIR)/scripts/kernel-overlay.sh --remove "$(KDIR)"

.PHONY: kernel_overlay kernel_overlay_remove
