# netctl: netctld (daemon) and netctl (client).
#
#   make                 build both binaries into build/
#   make check           unit, bus and end-to-end tests, then the unit and
#                        bus tests again under ASan+UBSan (build-asan/)
#   make test            install the Debian packages the tests need, then check
#   make setup           install the packages netctl needs, build, install
#                        into ~/.local and start the user service
#   make install         PREFIX (default ~/.local) and DESTDIR honoured
#   CPPFLAGS, CFLAGS and LDFLAGS from the environment are added (dpkg-buildflags)
#   make uninstall
#   make bench           netctl against remind, calcurse, taskwarrior and khal
#                        (bench/README.md; BENCH_QUICK=1 for a short run)

VERSION := 0.1.0

PREFIX ?= $(HOME)/.local
BINDIR ?= $(PREFIX)/bin
# The full client's library, where netctl looks for it: ../lib/netctl from
# its own directory (client/main.c), so beside BINDIR, whatever BINDIR is.
CLIENTLIBDIR = $(patsubst %/,%,$(dir $(BINDIR)))/lib/netctl
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
# A packager's /usr puts user units under lib/, a home install under share/,
# which is where systemd --user looks for each.
ifeq ($(PREFIX),/usr)
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
else
USERUNITDIR ?= $(DATADIR)/systemd/user
endif
DBUSSERVICEDIR ?= $(DATADIR)/dbus-1/services
# Where each shell looks (Debian's zsh looks in vendor-completions, which
# debian/rules passes; a home install needs ~/.local/share/zsh/site-functions
# added to fpath).
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d

BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
SCDOC ?= scdoc

DAEMON_PKGS := libsystemd sqlite3 libnotify libical glib-2.0
CLIENT_PKGS := libsystemd

WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter \
            -Wmissing-prototypes -Wstrict-prototypes -Werror
OPT_CFLAGS ?= -g -O2

# FUZZ=1 builds the objects for libFuzzer targets (clang); warnings stay
# on but are not fatal there, since clang and gcc warn differently.
ifeq ($(FUZZ),1)
CC := clang
OPT_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
WARNINGS := $(filter-out -Werror,$(WARNINGS))
endif

BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -DNETCTL_VERSION='"$(VERSION)"' \
               -Icommon -Idaemon -Iclient $(WARNINGS) -MMD -MP

# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.
ifeq ($(SAN),1)
OPT_CFLAGS := -g -O1 -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_LDFLAGS := -fsanitize=address,undefined
endif

DAEMON_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DAEMON_PKGS))
DAEMON_LIBS := $(shell $(PKG_CONFIG) --libs $(DAEMON_PKGS)) -lpthread -lm
CLIENT_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(CLIENT_PKGS))
CLIENT_LIBS := $(shell $(PKG_CONFIG) --libs $(CLIENT_PKGS)) -lm

COMMON_SRC := $(wildcard common/*.c)
DAEMON_SRC := $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLIENT_SRC := $(filter-out client/main.c,$(wildcard client/*.c))
# netctl itself is the front (client/main.c): linked without libsystemd,
# it runs `netctl add` on the direct socket and loads the rest of the
# client, libnetctl-client.so, for everything else (client/quick-add.h).
FRONT_SRC := client/main.c client/quick-add.c client/dbus-wire.c client/args.c client/report.c \
             client/direct-socket.c
UNIT_SRC := $(wildcard tests/unit/test-*.c)

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
# The Windows time zone table is generated from the system's CLDR data.
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o) $(BUILD)/generated/windows-zones-table.o
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(BUILD)/%.o)
FRONT_OBJ := $(FRONT_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

GENERATED := $(BUILD)/units/netctld.service \
             $(BUILD)/share/dbus-1/services/org.netctl.Netctl1.service
# Man pages: share/man/NAME.SECTION.scd -> $(BUILD)/man/NAME.SECTION.  After
# .TH (which resets them): no hyphenation, ragged right, and no line break
# after a "-", so that option and field names are never split.
MAN_PAGES := $(patsubst share/man/%.scd,$(BUILD)/man/%,$(wildcard share/man/*.scd))

all: $(BUILD)/netctld $(BUILD)/netctl $(BUILD)/libnetctl-client.so $(GENERATED) $(MAN_PAGES)

# -fPIC last, after the environment's CFLAGS: the client's objects also go
# into a shared library.
COMPILE = $(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(DAEMON_CFLAGS) -fPIC

# The compile command, in a file rewritten only when the command changes:
# every object depends on it, so that objects built with other flags (an
# older checkout's, or other CFLAGS) are rebuilt rather than linked.
$(BUILD)/compile-command: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(COMPILE))' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

FORCE:

$(BUILD)/%.o: %.c $(BUILD)/compile-command
	@mkdir -p $(@D)
	$(COMPILE) -c $< -o $@

$(BUILD)/generated/windows-zones-table.c: tools/gen-windows-zones
	@mkdir -p $(@D)
	tools/gen-windows-zones > $@.tmp && mv $@.tmp $@

$(BUILD)/generated/windows-zones-table.o: $(BUILD)/generated/windows-zones-table.c
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/netctld: $(BUILD)/daemon/main.o $(DAEMON_OBJ) $(COMMON_OBJ)
	$(CC) $(SAN_LDFLAGS) $(LDFLAGS) $^ -o $@ $(DAEMON_LIBS)

# The front takes from common/ only what it uses (an archive), and links
# no libsystemd: a common/ object that needs it fails this link.
$(BUILD)/libcommon.a: $(COMMON_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/netctl: $(FRONT_OBJ) $(BUILD)/libcommon.a
	$(CC) $(SAN_LDFLAGS) $(LDFLAGS) $^ -o $@ -lm

# The library: every verb; the front's own call path is not in it.
LIBCLIENT_OBJ := $(filter-out $(BUILD)/client/quick-add.o $(BUILD)/client/dbus-wire.o,$(CLIENT_OBJ))

$(BUILD)/libnetctl-client.so: $(LIBCLIENT_OBJ) $(COMMON_OBJ) client/libnetctl-client.map
	$(CC) -shared $(SAN_LDFLAGS) $(LDFLAGS) -Wl,--version-script=client/libnetctl-client.map \
	    $(LIBCLIENT_OBJ) $(COMMON_OBJ) -o $@ $(CLIENT_LIBS)

# Unit tests link the daemon's and client's objects minus their main.o.
$(BUILD)/tests/%: tests/unit/%.c $(DAEMON_OBJ) $(CLIENT_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Itests/unit $(OPT_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(DAEMON_CFLAGS) $< \
	    $(DAEMON_OBJ) $(CLIENT_OBJ) $(COMMON_OBJ) -o $@ $(SAN_LDFLAGS) $(LDFLAGS) $(DAEMON_LIBS)

unit-tests: $(UNIT_BIN)

# Fuzzing: every parser and the bus argument decoding, each run for
# FUZZ_SECONDS after replaying fuzz/regressions.  `make test` runs a short
# pass; `make fuzz FUZZ_SECONDS=600` a longer one.
FUZZ_TARGETS := ics when vcard config bus wire
FUZZ_SECONDS ?= 60
FUZZ_BIN := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz-%)

# (The client's reply reader, client/dbus-wire.c, is the one client object
# a target needs.)
$(BUILD)/fuzz/fuzz-%: fuzz/fuzz-%.c $(DAEMON_OBJ) $(COMMON_OBJ) $(BUILD)/client/dbus-wire.o
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(DAEMON_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined $< \
	    $(DAEMON_OBJ) $(COMMON_OBJ) $(BUILD)/client/dbus-wire.o -o $@ $(DAEMON_LIBS)

fuzz-binaries: $(FUZZ_BIN)

fuzz:
	$(MAKE) FUZZ=1 BUILD=build-fuzz fuzz-binaries
	tools/run-fuzz build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(BUILD)/units/%: units/%.in
	@mkdir -p $(@D)
	sed -e 's|@bindir@|$(BINDIR)|g' $< > $@

$(BUILD)/share/dbus-1/services/%: share/dbus-1/services/%.in
	@mkdir -p $(@D)
	sed -e 's|@bindir@|$(BINDIR)|g' $< > $@

$(BUILD)/man/%: share/man/%.scd Makefile
	@mkdir -p $(@D)
	sed -e 's|@VERSION@|$(VERSION)|g' $< | $(SCDOC) | \
	    sed -e '/^\.TH /a .nh\n.ad l\n.cflags 0 -' > $@.tmp && mv $@.tmp $@

# check: everything, plain build first, then the sanitizer build of the
# unit and bus tests.  The runner prints one line per test and a closing
# "N passed, N failed" line, and exits non-zero on any failure.
check: all unit-tests
	$(MAKE) SAN=1 BUILD=build-asan all unit-tests
	tests/run --build $(BUILD) --asan-build build-asan

# test: what a fresh machine needs, then check and a short fuzz pass (the
# README's test command).
TEST_FUZZ_SECONDS ?= 20
test:
	tools/install-deps test
	$(MAKE) check
	$(MAKE) fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

# bench: netctl against remind, calcurse, taskwarrior and khal on the same
# data, in one run; prints a table and writes bench/results/*.json (see
# bench/README.md).  About 12 minutes, most of it a 10-minute idle window;
# BENCH_QUICK=1 for about 3, BENCH_IDLE_SECONDS=N to set the window.
# Numbers, not pass/fail: nothing here is part of check.
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -Icommon $(WARNINGS) -O2

$(BUILD)/bench/bench-client: bench/bench-client.c common/bus-names.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(CLIENT_CFLAGS) $(shell $(PKG_CONFIG) --cflags libical) $< \
	    -o $@ $(LDFLAGS) $(CLIENT_LIBS) $(shell $(PKG_CONFIG) --libs libical)

bench:
	bench/install-peers
	$(MAKE) all $(BUILD)/bench/bench-client
	/usr/bin/python3 bench/run.py --build $(BUILD)

setup:
	tools/install-deps run
	$(MAKE) all
	$(MAKE) install
	systemctl --user daemon-reload
	systemctl --user restart netctld.service

install: all
	install -Dm755 $(BUILD)/netctld $(DESTDIR)$(BINDIR)/netctld
	install -Dm755 $(BUILD)/netctl $(DESTDIR)$(BINDIR)/netctl
	install -Dm644 $(BUILD)/libnetctl-client.so $(DESTDIR)$(CLIENTLIBDIR)/libnetctl-client.so
	@# Generated here, not copied from $(BUILD): BINDIR may differ from the
	@# one the build saw (make && make install PREFIX=/usr).
	install -d $(DESTDIR)$(USERUNITDIR) $(DESTDIR)$(DBUSSERVICEDIR)
	sed -e 's|@bindir@|$(BINDIR)|g' units/netctld.service.in > $(DESTDIR)$(USERUNITDIR)/netctld.service
	sed -e 's|@bindir@|$(BINDIR)|g' share/dbus-1/services/org.netctl.Netctl1.service.in \
	    > $(DESTDIR)$(DBUSSERVICEDIR)/org.netctl.Netctl1.service
	chmod 644 $(DESTDIR)$(USERUNITDIR)/netctld.service $(DESTDIR)$(DBUSSERVICEDIR)/org.netctl.Netctl1.service
	install -Dm644 share/netctl.conf.example $(DESTDIR)$(DATADIR)/doc/netctl/netctl.conf.example
	install -Dm644 share/org.netctl.Netctl1.xml \
	    $(DESTDIR)$(DATADIR)/dbus-1/interfaces/org.netctl.Netctl1.xml
	for page in $(MAN_PAGES); do \
	    install -Dm644 $$page $(DESTDIR)$(MANDIR)/man$${page##*.}/$${page##*/} || exit 1; \
	done
	install -Dm644 share/completions/netctl.bash $(DESTDIR)$(BASHCOMPDIR)/netctl
	install -Dm644 share/completions/_netctl $(DESTDIR)$(ZSHCOMPDIR)/_netctl
	install -Dm644 share/completions/netctl.fish $(DESTDIR)$(FISHCOMPDIR)/netctl.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/netctld $(DESTDIR)$(BINDIR)/netctl \
	    $(DESTDIR)$(CLIENTLIBDIR)/libnetctl-client.so \
	    $(DESTDIR)$(USERUNITDIR)/netctld.service \
	    $(DESTDIR)$(DBUSSERVICEDIR)/org.netctl.Netctl1.service \
	    $(DESTDIR)$(DATADIR)/dbus-1/interfaces/org.netctl.Netctl1.xml \
	    $(DESTDIR)$(DATADIR)/doc/netctl/netctl.conf.example \
	    $(foreach page,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(page)))/$(notdir $(page))) \
	    $(DESTDIR)$(BASHCOMPDIR)/netctl $(DESTDIR)$(ZSHCOMPDIR)/_netctl \
	    $(DESTDIR)$(FISHCOMPDIR)/netctl.fish
	-rmdir $(DESTDIR)$(CLIENTLIBDIR) 2>/dev/null

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all check test setup install uninstall clean unit-tests fuzz fuzz-binaries bench FORCE

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
