# baton: one non-recursive Makefile for the shell, the engine, the tests and the NFs.
#   make            build ./baton (installs missing Debian packages first, see mk/deps.sh)
#   make run        build, then open the shell on a bundled trace
#   make test       build, then run every test; ends with "N passed, N failed"
#   make deps       install the Debian packages baton needs, when any is missing
#   make lint       check the one-way include arrows of DESIGN.md section 2
#   make asan       the same build and tests under AddressSanitizer and UBSan
#   make fuzz       every fuzz target for FUZZ_TIME seconds (default 60)
#   make bench      every figure of DESIGN.md section 11 as a table, and $(BUILD)/bench.json
#   make soak       a locks build under a looped churn trace for SOAK_TIME seconds (default 600)
#   make clean      remove build/ and ./baton
# WERROR=1 turns warnings into errors (CI); V=1 shows full compiler lines.

.DEFAULT_GOAL := all
BUILD ?= build
VERSION := 0.1.0

# Goals that must work before anything is installed.
NOCONF_GOALS := clean deps lint
ifneq ($(filter-out $(NOCONF_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(BUILD)/config.mk
endif

# Re-run on every make: installs what is missing, and rewrites the flags only when they change,
# so make restarts only when something really changed.
$(BUILD)/config.mk: FORCE
	@mkdir -p $(BUILD)
	@sh mk/deps.sh
	@sh mk/config.sh > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

deps:
	@sh mk/deps.sh

CC := gcc
OPT ?= -O2
WARN := -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wmissing-prototypes \
	-Wstrict-prototypes -Wold-style-definition -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif
SAN ?=
CFLAGS := -std=gnu11 -g $(OPT) $(WARN) $(SAN) -MMD -MP -I. -D_GNU_SOURCE \
	-DBATON_VERSION='"$(VERSION)"' -DBATON_LLVM_VERSION='"$(LLVM_VERSION)"' \
	-DBATON_DPDK_VERSION='"$(DPDK_VERSION)"' -DBATON_ROOT='"$(CURDIR)"' \
	-DBATON_BUILD_DIR='"$(abspath $(BUILD))"' -DBATON_NF_CC='"$(CC)"' \
	-DBATON_CLANG='"$(CLANG)"' $(PKG_CFLAGS)
LDFLAGS := $(SAN) -Wl,--as-needed
LDLIBS := $(PKG_LIBS) $(LLVM_LIBS) -ldl -lm

# Objects depend on the flags they were built with, so WERROR=1 or SAN=... rebuilds them.
FLAGS_FILE := $(BUILD)/flags
ifneq ($(filter-out $(NOCONF_GOALS),$(or $(MAKECMDGOALS),all)),)
ifneq ($(CC) $(CFLAGS) $(LDFLAGS),$(file < $(FLAGS_FILE)))
$(shell mkdir -p $(BUILD))
$(file > $(FLAGS_FILE),$(CC) $(CFLAGS) $(LDFLAGS))
endif
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

SRCS_engine := $(wildcard engine/*.c)
SRCS_lua := $(wildcard lua/*.c)
SRCS_viz := $(wildcard viz/*.c)
SRCS_repl := $(filter-out repl/main.c,$(wildcard repl/*.c))
ENGINE_OBJS := $(SRCS_engine:%.c=$(BUILD)/%.o)
UI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(SRCS_lua) $(SRCS_viz) $(SRCS_repl))
LIB_OBJS := $(ENGINE_OBJS) $(UI_OBJS)
# Two archives, so engine unit tests link without the shell and the shell's tests with both.
LIBENGINE := $(BUILD)/libengine.a
LIBUI := $(BUILD)/libui.a

# The state library (DESIGN.md section 3), built three ways from one source and position
# independent, so the NF shared objects and the DPDK builds can take it in. libc only.
SRCS_nfslib := $(wildcard nfs/lib/*.c)
NF_VARIANTS := plain traced locked
NF_DEF_plain :=
NF_DEF_traced := -DNF_BUILD_TRACED
NF_DEF_locked := -DNF_BUILD_LOCKED
NF_CFLAGS := -std=gnu11 -g $(OPT) $(WARN) $(SAN) -MMD -MP -fPIC -Infs/lib
NFLIB_OBJS := $(foreach v,$(NF_VARIANTS),$(SRCS_nfslib:nfs/lib/%.c=$(BUILD)/nfs/$(v)/%.o))
NFLIBS := $(NF_VARIANTS:%=$(BUILD)/nfs/libnf-%.a)

# Fuzz targets (libFuzzer, clang-14, ASan and UBSan): one per NF, the packet helpers, the trace
# reader, the command line, key and field-set parsing, and the state library against a model.
FUZZ_CC := clang-14
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I. -Infs/lib
FUZZ_NFS := $(basename $(notdir $(wildcard nfs/*.c)))
FUZZ_BINS := $(FUZZ_NFS:%=$(BUILD)/fuzz/nf_%) $(BUILD)/fuzz/packet $(BUILD)/fuzz/pcap \
	$(BUILD)/fuzz/cmdline $(BUILD)/fuzz/key $(BUILD)/fuzz/nfslib $(BUILD)/fuzz/seed
FUZZ_TIME ?= 60
# The engine and shell targets take the sources they test in, built with the fuzz flags; the
# libraries come from config.mk, and --as-needed keeps those the target does not call (Lua,
# readline, Z3) out of it.
FUZZ_ENGINE_CFLAGS = $(FUZZ_CFLAGS) -D_GNU_SOURCE $(PKG_CFLAGS) -DBATON_VERSION='"$(VERSION)"'
FUZZ_LIBS = -Wl,--as-needed $(PKG_LIBS) -lm
FUZZ_PCAP_SRCS := engine/trace.c engine/tstat.c engine/flow.c engine/htab.c engine/sbuf.c \
	engine/val.c engine/err.c engine/xalloc.c
FUZZ_CMDLINE_SRCS := repl/args.c repl/cmd.c engine/sbuf.c engine/val.c engine/err.c \
	engine/xalloc.c
FUZZ_KEY_SRCS := engine/rss.c engine/nic.c engine/fieldset.c engine/portmap.c \
	engine/toeplitz.c engine/gf2.c engine/rng.c engine/json.c engine/tracegen.c engine/htab.c \
	engine/val.c engine/sbuf.c engine/err.c engine/xalloc.c
# Helpers the key target links but does not test: rss.c names fields and prints constraints
# through shard.c, and portmap.c asks nfload.c for ports. Built without coverage, one section
# per function, so --gc-sections drops the rest of them (shard.c's analysis code would pull in
# Z3 through smt.c, which the fuzz targets leave out).
FUZZ_HELPER_CFLAGS = -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -ffunction-sections -fdata-sections -I. -D_GNU_SOURCE \
	-DBATON_CLANG='"$(CLANG)"' -DBATON_NF_CC='"$(CC)"' $(PKG_CFLAGS)
FUZZ_KEY_HELPERS := $(BUILD)/fuzz/helper/shard.o $(BUILD)/fuzz/helper/nfload.o

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)

BATON_BIN ?= baton

all: $(BATON_BIN) $(NFLIBS)

$(BATON_BIN): $(BUILD)/repl/main.o $(LIBUI) $(LIBENGINE)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(LIBENGINE): $(ENGINE_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBUI): $(UI_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(BUILD)/config.mk $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# Only engine/ir.c sees LLVM's headers (DESIGN.md section 2).
$(BUILD)/engine/ir.o: CFLAGS += $(LLVM_CFLAGS)

define nflib_variant
$(BUILD)/nfs/$(1)/%.o: nfs/lib/%.c $(FLAGS_FILE)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$< ($(1))"
	$$(Q)$$(CC) $$(NF_CFLAGS) $$(NF_DEF_$(1)) -c -o $$@ $$<

$(BUILD)/nfs/libnf-$(1).a: $(SRCS_nfslib:nfs/lib/%.c=$(BUILD)/nfs/$(1)/%.o)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach v,$(NF_VARIANTS),$(eval $(call nflib_variant,$(v))))

# Unit tests of the state library link one of its builds: nfslib_ plain, nfstraced_ traced,
# nfslocked_ locked. nf_NAME tests one NF (nfs/NAME.c) with the plain build. -I. (here only, not
# in NF_CFLAGS, which builds the state library too) lets them include "tests/test.h".
$(BUILD)/tests/unit/nfslib_%: tests/unit/nfslib_%.c $(wildcard tests/*.h) $(BUILD)/nfs/libnf-plain.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(NF_CFLAGS) -I. $(LDFLAGS) -o $@ $< $(BUILD)/nfs/libnf-plain.a -lm

$(BUILD)/tests/unit/nfstraced_%: tests/unit/nfstraced_%.c $(wildcard tests/*.h) $(BUILD)/nfs/libnf-traced.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(NF_CFLAGS) -I. $(LDFLAGS) -o $@ $< $(BUILD)/nfs/libnf-traced.a -lm

$(BUILD)/tests/unit/nfslocked_%: tests/unit/nfslocked_%.c $(wildcard tests/*.h) $(BUILD)/nfs/libnf-locked.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(NF_CFLAGS) -I. $(LDFLAGS) -o $@ $< $(BUILD)/nfs/libnf-locked.a -lm

$(BUILD)/tests/unit/nf_%: tests/unit/nf_%.c nfs/%.c $(wildcard tests/*.h) $(BUILD)/nfs/libnf-plain.a
	@mkdir -p $(dir $@)
	@echo "  CC      $< nfs/$*.c"
	$(Q)$(CC) $(NF_CFLAGS) -I. $(LDFLAGS) -o $@ $< nfs/$*.c $(BUILD)/nfs/libnf-plain.a -lm

$(BUILD)/fuzz/nf_%: tests/fuzz/fuzz_nf.c nfs/%.c $(SRCS_nfslib) $(wildcard nfs/lib/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_nf.c nfs/$*.c $(SRCS_nfslib)

$(BUILD)/fuzz/packet: tests/fuzz/fuzz_packet.c nfs/lib/packet.h tests/nfpkt.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_packet.c

$(BUILD)/fuzz/pcap: tests/fuzz/fuzz_pcap.c $(FUZZ_PCAP_SRCS) $(wildcard engine/*.h) \
		$(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_ENGINE_CFLAGS) -o $@ tests/fuzz/fuzz_pcap.c $(FUZZ_PCAP_SRCS) \
		$(FUZZ_LIBS)

$(BUILD)/fuzz/cmdline: tests/fuzz/fuzz_cmdline.c $(FUZZ_CMDLINE_SRCS) $(wildcard repl/*.h) \
		$(wildcard engine/*.h) $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_ENGINE_CFLAGS) -o $@ tests/fuzz/fuzz_cmdline.c $(FUZZ_CMDLINE_SRCS) \
		$(FUZZ_LIBS)

$(BUILD)/fuzz/helper/%.o: engine/%.c $(wildcard engine/*.h) $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fuzz helper)"
	$(Q)$(FUZZ_CC) $(FUZZ_HELPER_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/key: tests/fuzz/fuzz_key.c $(FUZZ_KEY_SRCS) $(FUZZ_KEY_HELPERS) \
		$(wildcard engine/*.h) $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_ENGINE_CFLAGS) -Wl,--gc-sections -o $@ tests/fuzz/fuzz_key.c \
		$(FUZZ_KEY_SRCS) $(FUZZ_KEY_HELPERS) $(FUZZ_LIBS)

$(BUILD)/fuzz/nfslib: tests/fuzz/fuzz_nfslib.c $(SRCS_nfslib) $(wildcard nfs/lib/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_nfslib.c $(SRCS_nfslib)

$(BUILD)/fuzz/seed: tests/fuzz/seed.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) -std=gnu11 -O2 $(WARN) -o $@ $< $(PKG_LIBS)

$(BUILD)/tests/unit/engine_%: tests/unit/engine_%.c $(wildcard tests/*.h) $(LIBENGINE) $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBENGINE) $(LDLIBS)

# The toeplitz test compares with DPDK's rte_softrss (header-only, nothing to link).
$(BUILD)/tests/unit/engine_toeplitz: CFLAGS += $(DPDK_CFLAGS)
$(BUILD)/tests/unit/engine_fieldset: CFLAGS += $(DPDK_CFLAGS)

# Toeplitz speed: the table version, the reference and DPDK's rte_softrss on the same tuples.
TOEPLITZ_BENCH := $(BUILD)/tests/bench/toeplitz
$(TOEPLITZ_BENCH): tests/bench/toeplitz.c $(LIBENGINE) $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(DPDK_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBENGINE) -lm

$(BUILD)/tests/unit/%: tests/unit/%.c $(wildcard tests/*.h) $(LIBUI) $(LIBENGINE) $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBUI) $(LIBENGINE) $(LDLIBS)

run: $(BATON_BIN)
	./$(BATON_BIN) -i -e 'load fw' -e 'replay pcaps/bidir.pcap --lan 192.168.0.0/16' \
		-e 'tutorial next'

# make asan sets NOFUZZ: the fuzz targets carry their own sanitizers and ran in make test.
test: $(BATON_BIN) $(NFLIBS) $(UNIT_BINS) $(if $(NOFUZZ),,$(FUZZ_BINS))
	@BUILD=$(BUILD) BATON=$(BATON_BIN) NOFUZZ=$(NOFUZZ) sh tests/run.sh

# Every fuzz target for FUZZ_TIME seconds (default 60) on corpora seeded from pcaps/.
fuzz: $(FUZZ_BINS)
	@BUILD=$(BUILD) FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/run.sh

# The arrows of DESIGN.md section 2: nfs/lib <- engine <- lua, viz <- repl.
lint:
	@sh mk/lint.sh

# Every figure of DESIGN.md section 11, repeated, as one table; the same as JSON in
# $(BUILD)/bench.json. BENCH_QUICK=1: one short run of each (tests/e2e/bench.sh does that).
bench: $(BATON_BIN) $(NFLIBS) $(TOEPLITZ_BENCH)
	@BATON=$(BATON_BIN) TOEPLITZ_BENCH=$(TOEPLITZ_BENCH) BENCH_JSON=$(BUILD)/bench.json \
		sh tests/bench/run.sh

# tests/e2e/bench.sh runs the bench once, quickly: the Toeplitz figures need their program.
test: $(TOEPLITZ_BENCH)

# A locks build on 2 workers under a looped churn trace, counters every second: nothing
# unaccounted, no mbuf leaked (tests/soak.lua). make test runs it for 3 s (tests/e2e/soak.sh).
SOAK_TIME ?= 600
soak: $(BATON_BIN) $(NFLIBS)
	@BATON=$(BATON_BIN) SOAK_TIME=$(SOAK_TIME) sh tests/soak.sh

asan:
	$(MAKE) BUILD=build/asan BATON_BIN=build/asan/baton OPT=-O1 NOFUZZ=1 \
		SAN='-fsanitize=address,undefined -fno-omit-frame-pointer' test

clean:
	rm -rf build baton

FORCE:
.PHONY: all run test fuzz bench soak deps lint asan clean FORCE

-include $(LIB_OBJS:.o=.d) $(NFLIB_OBJS:.o=.d) $(BUILD)/repl/main.d
