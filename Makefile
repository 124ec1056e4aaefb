# vagus - one non-recursive Makefile.
#
# Public targets (each installs missing Debian packages first, via `deps`):
#   make            build everything into build/ (programs in build/bin/)
#   make check      unit + integration tests, then again under ASan+UBSan
#   make run        the daemon on its built-in simulator with the live console
#   make run-web    the daemon on its simulator with the web console (prints its URL)
#   make bench      benchmarks that print figures (speed, memory, accuracy)
#   make fuzz       libFuzzer targets (clang), each run FUZZ_SECONDS
#   make soak       long-running daemon soak test
#   make deps       apt-get the build dependencies (sudo when not root)
#   make install    programs, man pages (docs/man, into PREFIX/share/man) and
#                   service files (PREFIX=/usr/local, DESTDIR)
#   make clean
#
# Source layout (docs/ARCHITECTURE.md): every .c in common/ analysis/ io/
# link/ sim/ drivers/ protocol/ report/ goes into one static library per folder; daemon/*.c except main.c into
# libvg_daemon.a; tools/NAME.c becomes build/bin/NAME; tests/unit/*.c and
# tests/integration/*.c become test programs; tests/bench/*.c benchmarks;
# tests/fuzz/*.c fuzz targets. A new file needs no Makefile change.

BUILD ?= build
SAN ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

DEB_PKGS = pkg-config libzmq3-dev libkissfft-dev libusb-1.0-0-dev libserialport-dev \
	libcjson-dev libcmocka-dev libedf-dev libinih-dev libncurses-dev libsodium-dev \
	python3 tmux groff-base man-db python3-mne libsqlite3-dev libpq-dev libcairo2-dev \
	postgresql chromium poppler-utils python3-zmq python3-matplotlib libmicrohttpd-dev \
	python3-websocket openssl
FUZZ_PKGS = clang libclang-rt-14-dev

.PHONY: all check run run-web bench fuzz soak deps fuzz-deps clean install _all _check _bench _fuzz _soak _run
.DEFAULT_GOAL := all
.SECONDARY:

# ---------------------------------------------------------------- public
all: deps
	@$(MAKE) --no-print-directory -j$(JOBS) _all

check: deps
	@$(MAKE) --no-print-directory -j$(JOBS) _all
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build-asan SAN=1 _all
	@bash tests/run.sh build build-asan

run: deps
	@$(MAKE) --no-print-directory _all
	@bash tools/run-live.sh

run-web: deps
	@$(MAKE) --no-print-directory _all
	@bash tools/run-web.sh

bench: deps
	@$(MAKE) --no-print-directory BUILD=build-bench OPT=-O2 _bench

fuzz: deps fuzz-deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang FUZZ=1 _fuzz

soak: deps
	@$(MAKE) --no-print-directory _all
	@bash tests/soak.sh build

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi

fuzz-deps:
	@missing=""; for p in $(FUZZ_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi

clean:
	rm -rf build build-asan build-bench build-fuzz

# ---------------------------------------------------------------- internal
PKGS = libzmq libcjson kissfft-float libusb-1.0 libserialport inih sqlite3 libpq cairo fontconfig
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT ?= -O2 -g
WARN = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wshadow -Wpointer-arith -Wformat=2 -Wundef \
	-Wvla -Wno-unused-parameter
CPPFLAGS_VG = -D_GNU_SOURCE -Icommon -Ianalysis -Iio -Ilink -Isim -Idrivers -Iprotocol -Idaemon -Ireport -Itests/support
# UB is fatal wherever a sanitizer runs (issue 15: a report that only prints
# let `make fuzz` say "no crash" over three real findings). gcc's "undefined"
# leaves out float-cast-overflow ((int64_t)1e89), so it is named.
SAN_OPTS = -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
FUZZ_OPTS = -fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_LINK = -fsanitize=address,undefined
SANFLAGS = $(if $(SAN),$(SAN_OPTS))
FUZZFLAGS = $(if $(FUZZ),$(FUZZ_OPTS))
CFLAGS_ALL = -std=c11 $(OPT) $(WARN) $(CPPFLAGS_VG) $(PKG_CFLAGS) $(SANFLAGS) $(FUZZFLAGS) -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(if $(FUZZ),$(FUZZ_LINK))
# EDFlib from its static archive (libedf-dev ships it): one shared object
# fewer to map at every start of the tools (vagus-analyze beats: 0.15 ms)
LIBS_ALL = $(PKG_LIBS) -Wl,-Bstatic -ledf -Wl,-Bdynamic -lm

# link order: most dependent first
LIBORDER = daemon report protocol drivers sim link io analysis common

define libsrc
$(filter-out daemon/main.c,$(wildcard $(1)/*.c))
endef
lib_of = $(BUILD)/lib/libvg_$(1).a
obj_of = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

ALL_LIBS = $(foreach d,$(LIBORDER),$(call lib_of,$(d)))
LINK_LIBS = $(ALL_LIBS) $(LIBS_ALL)

TOOLS_SRC = $(wildcard tools/*.c)
TOOL_DIRS = $(patsubst %/,%,$(dir $(wildcard tools/*/*.c)))
TOOLS = $(patsubst tools/%.c,$(BUILD)/bin/%,$(TOOLS_SRC)) \
	$(patsubst tools/%,$(BUILD)/bin/%,$(sort $(TOOL_DIRS)))
DAEMON = $(BUILD)/bin/vagusd
UNIT_SRC = $(wildcard tests/unit/*.c) $(wildcard tests/integration/*.c)
TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TEST_SUPPORT = $(wildcard tests/support/*.c)
BENCH_SRC = $(wildcard tests/bench/*.c)
BENCHES = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
# the same targets built with the normal compiler around tests/fuzz/regress_main.c:
# make check feeds them tests/fuzz/regress/NAME/ (every crash found) and the seeds
REGRESS = $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(FUZZ_SRC))

ALL_SRC = $(foreach d,$(LIBORDER),$(call libsrc,$(d))) daemon/main.c $(TOOLS_SRC) \
	$(wildcard tools/*/*.c) \
	$(UNIT_SRC) $(TEST_SUPPORT) $(BENCH_SRC)

_all: $(DAEMON) $(TOOLS) $(TESTS) $(REGRESS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

define lib_rule
$(call lib_of,$(1)): $(call obj_of,$(call libsrc,$(1)))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	@echo "  AR      $$@"
	@ar rcs $$@ $$^
endef
$(foreach d,$(LIBORDER),$(eval $(call lib_rule,$(d))))

$(DAEMON): $(BUILD)/obj/daemon/main.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $< $(LINK_LIBS)

# tools that draw on the terminal also link ncurses (TOOL_LIBS, per target)
CURSES_LIBS := $(shell pkg-config --libs ncursesw 2>/dev/null)
$(BUILD)/bin/vagus-console: TOOL_LIBS = $(CURSES_LIBS)
# the web console: HTTP(S) server, password hashing, threads
WEB_LIBS := $(shell pkg-config --libs libmicrohttpd libsodium 2>/dev/null) -lpthread
$(BUILD)/bin/vagus-web: TOOL_LIBS = $(WEB_LIBS)
# its page, compiled in: www/* -> assets_gen.c (checked in; regenerated when www/ changes)
tools/vagus-web/assets_gen.c: $(wildcard tools/vagus-web/www/*) tools/vagus-web/gen_assets.py
	@echo "  GEN     $@"
	@python3 tools/vagus-web/gen_assets.py tools/vagus-web/www $@

# multi-file tools: tools/NAME/*.c -> build/bin/NAME
define tooldir_rule
$(BUILD)/bin/$(notdir $(1)): $(call obj_of,$(wildcard $(1)/*.c)) $(ALL_LIBS)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	@$$(CC) $$(LDFLAGS_ALL) -o $$@ $(call obj_of,$(wildcard $(1)/*.c)) $$(LINK_LIBS) $$(TOOL_LIBS)
endef
$(foreach t,$(sort $(TOOL_DIRS)),$(eval $(call tooldir_rule,$(t))))

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $< $(LINK_LIBS) $(TOOL_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(call obj_of,$(TEST_SUPPORT)) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $< $(call obj_of,$(TEST_SUPPORT)) $(LINK_LIBS) -lcmocka

$(BUILD)/tests/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/regress_main.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/obj/tests/fuzz/regress_main.o $(LINK_LIBS)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(call obj_of,$(TEST_SUPPORT)) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $< $(call obj_of,$(TEST_SUPPORT)) $(LINK_LIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer,address,undefined -o $@ $< $(LINK_LIBS)

_bench: $(DAEMON) $(TOOLS) $(BENCHES)
	@bash tests/bench.sh $(BUILD)

_fuzz: $(FUZZERS)
	@bash tests/fuzz.sh $(BUILD) $${FUZZ_SECONDS:-120}

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- install
PREFIX ?= /usr/local
DESTDIR ?=
MAN_PAGES = $(wildcard docs/man/*.[158])
.PHONY: install install-man
install: all install-man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/vagus \
		$(DESTDIR)/lib/systemd/system $(DESTDIR)/etc/udev/rules.d \
		$(DESTDIR)$(PREFIX)/share/doc/vagus $(DESTDIR)$(PREFIX)/share/vagus/python \
		$(DESTDIR)$(PREFIX)/share/vagus/web
	install -m 0755 build/bin/* $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 clients/python/vagus_client.py $(DESTDIR)$(PREFIX)/share/vagus/python/
	install -m 0755 clients/python/record_csv.py $(DESTDIR)$(PREFIX)/share/vagus/python/
	install -m 0644 tools/vagus-web/www/* $(DESTDIR)$(PREFIX)/share/vagus/web/
	install -m 0644 dist/vagusd.service $(DESTDIR)/lib/systemd/system/
	install -m 0644 dist/60-vagus.rules $(DESTDIR)/etc/udev/rules.d/
	install -m 0640 dist/vagusd.conf.example $(DESTDIR)/etc/vagus/vagusd.conf.example
	install -m 0644 README.md protocol/PROTOCOL.md $(DESTDIR)$(PREFIX)/share/doc/vagus/
	@echo "create the user once: useradd --system --user-group --home /var/lib/vagus vagus"

# man pages (hand-written roff, docs/man/NAME.N) into $(PREFIX)/share/man/manN
install-man:
	@for f in $(MAN_PAGES); do \
	  n=$${f##*.}; install -d $(DESTDIR)$(PREFIX)/share/man/man$$n && \
	  install -m 0644 $$f $(DESTDIR)$(PREFIX)/share/man/man$$n/ || exit 1; \
	done
