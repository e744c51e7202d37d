# PUMA: a reproducible benchmark for local LLMs, as a pipeline of C filters.
#
#   make                 build every tool into bin/
#   make check           run the test suite (TAP, through prove)
#   make SAN=1 check     the same with AddressSanitizer and UBSan
#   make check-valgrind  the same with every tool under Valgrind's memcheck
#   make ci              what CI runs: -Werror build, check, SAN check, fuzz smoke
#   make deps            install build and test dependencies (Debian/Ubuntu)
#   make data            fetch and convert the public datasets
#   make install         PREFIX=/usr/local DESTDIR=
#
# The protocol's pipelines live in pipelines/*.mk and are included below.

SHELL := bash
.SHELLFLAGS := -o pipefail -ec
.DELETE_ON_ERROR:
.SUFFIXES:

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
LDFLAGS ?=
VERSION := $(shell cat VERSION)

WARN := -std=c11 -Wall -Wextra -pedantic
ifeq ($(WERROR),1)
WARN += -Werror
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcurl yajl 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs libcurl yajl 2>/dev/null || echo -lcurl -lyajl)
LIBS := $(PKG_LIBS) -lcsv -lm -lpthread -ldl
# _XOPEN_SOURCE/_DEFAULT_SOURCE for glibc, _DARWIN_C_SOURCE for macOS.
DEFS := -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -D_DARWIN_C_SOURCE \
	-DPUMA_VERSION='"$(VERSION)"' -DPUMA_DATADIR='"$(PREFIX)/share/puma"'

ifeq ($(SAN),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
BINDIR := $(BUILD)/bin
else
BUILD := build/rel
SANFLAGS :=
BINDIR := bin
endif

ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) $(DEFS) $(PKG_CFLAGS) -Isrc/lib -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

LIB_SRC := $(wildcard src/lib/*.c)
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
TOOLS := $(sort $(patsubst src/%.c,%,$(wildcard src/puma-*.c)))
TOOL_BIN := $(TOOLS:%=$(BINDIR)/%)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
# Small programs the tests drive (not installed).
HELP_SRC := $(wildcard tests/helpers/*.c)
HELP_BIN := $(HELP_SRC:tests/helpers/%.c=$(BUILD)/helpers/%)
MANS := $(wildcard docs/man/*.1)

.PHONY: all check check-san check-valgrind ci deps data install uninstall clean fuzz fuzz-smoke bench help
all: $(TOOL_BIN)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libpuma.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BINDIR)/%: $(BUILD)/%.o $(BUILD)/libpuma.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libpuma.a $(LIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libpuma.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libpuma.a $(LIBS)

$(BUILD)/helpers/%: tests/helpers/%.c $(BUILD)/libpuma.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libpuma.a $(LIBS)

-include $(LIB_OBJ:.o=.d) $(TOOLS:%=$(BUILD)/%.d) $(UNIT_BIN:=.d) $(HELP_BIN:=.d)

# Tests: every tests/*.t is a TAP script; prove counts them all.
PROVE ?= prove
PROVE_FLAGS ?=
check: $(TOOL_BIN) $(UNIT_BIN) $(HELP_BIN)
	PUMA_BIN=$(abspath $(BINDIR)) PUMA_BUILD=$(abspath $(BUILD)) PUMA_SAN=$(SAN) \
		$(PROVE) $(PROVE_FLAGS) tests/*.t

check-san:
	$(MAKE) SAN=1 check

# The suite with every tool run by Valgrind: the tests reach the tools
# through $$PUMA_BIN, here a directory of wrappers that run the real tool
# under memcheck with a log per process.  A memory error or a definite leak
# fails the tool (exit 99) and so its test, and is listed at the end.
# PUMA_VALGRIND=1 tells the tests (peak-memory and CPU-time figures mean
# nothing there).  The log folder is writable by all: a test runs a tool as
# nobody.
# VALGRIND_TESTS=tests/x.t picks some tests (all by default: that is slow).
# Valgrind is named by its absolute path: some tests run a tool with a PATH
# of their own.
VALGRIND ?= valgrind
VALGRIND_FLAGS ?= --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite
VG := build/valgrind
VALGRIND_TESTS ?= tests/*.t
check-valgrind: $(TOOL_BIN) $(UNIT_BIN) $(HELP_BIN)
	@rm -rf $(VG) && mkdir -p $(VG)/bin $(VG)/log && chmod 1777 $(VG)/log
	@for t in $(TOOLS); do \
		printf '#!/bin/sh\nexec %s %s --log-file=%s/%s.%%p.log %s/%s "$$@"\n' \
			"$$(command -v '$(VALGRIND)')" '$(VALGRIND_FLAGS)' '$(abspath $(VG)/log)' $$t '$(abspath $(BINDIR))' $$t \
			>$(VG)/bin/$$t; \
		chmod +x $(VG)/bin/$$t; \
	done
	@st=0; PUMA_BIN=$(abspath $(VG)/bin) PUMA_BUILD=$(abspath $(BUILD)) PUMA_VALGRIND=1 \
		$(PROVE) $(PROVE_FLAGS) $(VALGRIND_TESTS) || st=1; \
	bad=$$(find $(VG)/log -type f -size +0 | sort); \
	if [ -n "$$bad" ]; then \
		echo "check-valgrind: Valgrind reports in:"; printf '  %s\n' $$bad; \
		head -n 40 $$bad; st=1; \
	fi; exit $$st

# The whole of CI: warnings are errors, the suite twice, the fuzzers briefly.
# The real llama-server must be there in CI: its tests may not skip; nor
# may the sweep tests' sshd, Slurm, GNU parallel and Chromium.
ci: export PUMA_REQUIRE_LLAMA := 1
ci: export PUMA_REQUIRE_SWEEP := 1
ci:
	$(MAKE) WERROR=1 all
	$(MAKE) WERROR=1 check
	$(MAKE) WERROR=1 SAN=1 check
	$(MAKE) fuzz-smoke

deps:
	sh scripts/install-deps

# Fuzz targets (clang's libFuzzer): one per parser of untrusted text.
FUZZ_SECONDS ?= 20
FUZZ_SRC := $(wildcard tests/fuzz/*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_CC ?= clang
FUZZ_LIB_SRC := $(LIB_SRC)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined $(DEFS) $(PKG_CFLAGS) -Isrc/lib \
		-o $@ $< $(FUZZ_LIB_SRC) $(LIBS)
fuzz: $(FUZZ_BIN)
fuzz-smoke: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		n=$$(basename $$f); mkdir -p build/fuzz/corpus-$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
			build/fuzz/corpus-$$n tests/fuzz/corpus/$$n 2>build/fuzz/$$n.log \
			|| { tail -n 40 build/fuzz/$$n.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' build/fuzz/$$n.log || true; \
	done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(TOOL_BIN) $(DESTDIR)$(PREFIX)/bin/
	$(if $(MANS),install -m 644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/)
	install -d $(DESTDIR)$(PREFIX)/share/puma
	cp -R config $(DESTDIR)$(PREFIX)/share/puma/

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(PREFIX)/bin/%) \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(MANS)))
	rm -rf $(DESTDIR)$(PREFIX)/share/puma

clean:
	rm -rf build bin

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'

-include pipelines/*.mk
