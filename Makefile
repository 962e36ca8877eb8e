# netctl: netctld (daemon) and netctl (client).
#
#   make                 build both binaries into build/
#   make check           unit, bus and end-to-end tests, then the unit and
#                        bus tests again under ASan+UBSan (build-asan/)
#   make test            install the Debian packages the tests need, then check
#   make setup           install the packages netctl needs, build, install
#                        into ~/.local and start the user service
#   make install         PREFIX (default ~/.local) and DESTDIR honoured
#   make uninstall

VERSION := 0.1.0

PREFIX ?= $(HOME)/.local
BINDIR ?= $(PREFIX)/bin
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

BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

DAEMON_PKGS := libsystemd sqlite3 libnotify libical glib-2.0
CLIENT_PKGS := libsystemd

WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter \
            -Wmissing-prototypes -Wstrict-prototypes -Werror
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -DNETCTL_VERSION='"$(VERSION)"' \
               -Icommon -Idaemon -Iclient $(WARNINGS) -MMD -MP
OPT_CFLAGS ?= -g -O2

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
UNIT_SRC := $(wildcard tests/unit/test-*.c)

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
# The Windows time zone table is generated from the system's CLDR data.
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o) $(BUILD)/generated/windows-zones-table.o
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

GENERATED := $(BUILD)/units/netctld.service \
             $(BUILD)/share/dbus-1/services/org.netctl.Netctl1.service

all: $(BUILD)/netctld $(BUILD)/netctl $(GENERATED)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) $(DAEMON_CFLAGS) -c $< -o $@

$(BUILD)/generated/windows-zones-table.c: tools/gen-windows-zones
	@mkdir -p $(@D)
	tools/gen-windows-zones > $@.tmp && mv $@.tmp $@

$(BUILD)/generated/windows-zones-table.o: $(BUILD)/generated/windows-zones-table.c
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) -c $< -o $@

$(BUILD)/netctld: $(BUILD)/daemon/main.o $(DAEMON_OBJ) $(COMMON_OBJ)
	$(CC) $(SAN_LDFLAGS) $^ -o $@ $(DAEMON_LIBS)

$(BUILD)/netctl: $(BUILD)/client/main.o $(CLIENT_OBJ) $(COMMON_OBJ)
	$(CC) $(SAN_LDFLAGS) $^ -o $@ $(CLIENT_LIBS)

# Unit tests link the daemon's and client's objects minus their main.o.
$(BUILD)/tests/%: tests/unit/%.c $(DAEMON_OBJ) $(CLIENT_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Itests/unit $(OPT_CFLAGS) $(DAEMON_CFLAGS) $< \
	    $(DAEMON_OBJ) $(CLIENT_OBJ) $(COMMON_OBJ) -o $@ $(SAN_LDFLAGS) $(DAEMON_LIBS)

unit-tests: $(UNIT_BIN)

$(BUILD)/units/%: units/%.in
	@mkdir -p $(@D)
	sed -e 's|@bindir@|$(BINDIR)|g' $< > $@

$(BUILD)/share/dbus-1/services/%: share/dbus-1/services/%.in
	@mkdir -p $(@D)
	sed -e 's|@bindir@|$(BINDIR)|g' $< > $@

# check: everything, plain build first, then the sanitizer build of the
# unit and bus tests.  The runner prints one line per test and a closing
# "N passed, N failed" line, and exits non-zero on any failure.
check: all unit-tests
	$(MAKE) SAN=1 BUILD=build-asan all unit-tests
	tests/run --build $(BUILD) --asan-build build-asan

# test: what a fresh machine needs, then check (the README's test command).
test:
	tools/install-deps test
	$(MAKE) check

setup:
	tools/install-deps run
	$(MAKE) all
	$(MAKE) install
	systemctl --user daemon-reload
	systemctl --user restart netctld.service

install: all
	install -Dm755 $(BUILD)/netctld $(DESTDIR)$(BINDIR)/netctld
	install -Dm755 $(BUILD)/netctl $(DESTDIR)$(BINDIR)/netctl
	install -Dm644 $(BUILD)/units/netctld.service \
	    $(DESTDIR)$(USERUNITDIR)/netctld.service
	install -Dm644 $(BUILD)/share/dbus-1/services/org.netctl.Netctl1.service \
	    $(DESTDIR)$(DBUSSERVICEDIR)/org.netctl.Netctl1.service
	install -Dm644 share/netctl.conf.example $(DESTDIR)$(DATADIR)/doc/netctl/netctl.conf.example
	install -Dm644 share/org.netctl.Netctl1.xml \
	    $(DESTDIR)$(DATADIR)/dbus-1/interfaces/org.netctl.Netctl1.xml

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/netctld $(DESTDIR)$(BINDIR)/netctl \
	    $(DESTDIR)$(USERUNITDIR)/netctld.service \
	    $(DESTDIR)$(DBUSSERVICEDIR)/org.netctl.Netctl1.service \
	    $(DESTDIR)$(DATADIR)/dbus-1/interfaces/org.netctl.Netctl1.xml \
	    $(DESTDIR)$(DATADIR)/doc/netctl/netctl.conf.example

clean:
	rm -rf build build-asan

.PHONY: all check test setup install uninstall clean unit-tests

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
