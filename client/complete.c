/* SPDX-License-Identifier: MIT */
/* netctl __complete ids|contacts|interactions: the candidates the shell
 * completions in share/completions/ offer, one per line as
 * "VALUE<TAB>DESCRIPTION".  Hidden from --help; for the completions only.
 *
 * A Tab must never hang the shell, start a service or print into the
 * command line, so this does not use client_call(): the call does not
 * start netctld by D-Bus activation (no daemon, no candidates), it gives
 * up after a short timeout, and every failure is a silent exit 1. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "client.h"
#include "timeparse.h"

#define COMPLETE_TIMEOUT_USEC (2 * 1000000ULL)

static int complete_call(sd_bus *bus, const char *interface, const char *method,
                         sd_bus_message **ret_reply, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;

        int r = sd_bus_message_new_method_call(bus, &m, NETCTL_BUS_NAME, NETCTL_OBJECT_PATH, interface,
                                               method);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
                return r;
        r = sd_bus_message_set_auto_start(m, false);
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, COMPLETE_TIMEOUT_USEC, NULL, ret_reply);
}

/* Prints s with tabs, newlines and other control characters as spaces, so
 * that one candidate stays one line of two fields. */
static void print_field(const char *s) {
        for (; *s; s++)
                putchar((unsigned char) *s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static int complete_ids(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = complete_call(bus, NETCTL_IFACE_FOLLOWUPS, "List", &reply, "xxs", INT64_MIN, INT64_MAX,
                              "open");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_FOLLOWUP_SIG);
        if (r < 0)
                return r;
        for (;;) {
                uint64_t id, every;
                const char *uid, *text, *kind, *contact;
                int64_t due, done_at, notified_at;
                int every_fixed;

                r = sd_bus_message_read(reply, NETCTL_FOLLOWUP_SIG, &id, &uid, &text, &kind, &due, &done_at,
                                        &every, &every_fixed, &notified_at, &contact);
                if (r <= 0)
                        return r;
                printf("%" PRIu64 "\t", id);
                print_field(text);
                putchar('\n');
        }
}

static int complete_contacts(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        /* Only the leading (t id, s uid, s handle, s name) is read; the rest
         * of each contact is skipped whatever it holds. */
        char contents[sizeof NETCTL_CONTACT_SIG];
        size_t n = strlen(NETCTL_CONTACT_SIG);

        memcpy(contents, NETCTL_CONTACT_SIG + 1, n - 2);
        contents[n - 2] = '\0';
        if (strncmp(contents, "tsss", 4) != 0)
                return -EBADMSG;

        int r = complete_call(bus, NETCTL_IFACE_CONTACTS, "List", &reply, "a{sv}", 0);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_CONTACT_SIG);
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_STRUCT, contents)) > 0) {
                uint64_t id;
                const char *uid, *handle, *name;

                r = sd_bus_message_read(reply, "tsss", &id, &uid, &handle, &name);
                if (r >= 0)
                        r = sd_bus_message_skip(reply, contents + 4);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
                print_field(handle);
                putchar('\t');
                print_field(name);
                putchar('\n');
        }
        return r;
}

static int complete_interactions(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = complete_call(bus, NETCTL_IFACE_CONTACTS, "ListInteractions", &reply, "su", "", 0);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_INTERACTION_SIG);
        if (r < 0)
                return r;
        for (;;) {
                uint64_t id, contact_id;
                const char *handle, *name, *kind, *gave, *got, *note;
                int64_t at, created;
                int lead;
                char when[64];

                r = sd_bus_message_read(reply, NETCTL_INTERACTION_SIG, &id, &contact_id, &handle, &name, &kind,
                                        &at, &gave, &got, &note, &lead, &created);
                if (r <= 0)
                        return r;
                local_time_format(at, when, sizeof when);
                printf("%" PRIu64 "\t", id);
                print_field(kind);
                fputs(" with ", stdout);
                print_field(name);
                printf(", %s\n", when);
        }
}

int verb_complete(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (argc != 2)
                return EXIT_USAGE;
        if (strcmp(argv[1], "ids") != 0 && strcmp(argv[1], "contacts") != 0 &&
            strcmp(argv[1], "interactions") != 0)
                return EXIT_USAGE;

        r = sd_bus_open_user(&bus);
        if (r < 0)
                return EXIT_FAILURE;
        if (strcmp(argv[1], "ids") == 0)
                r = complete_ids(bus);
        else if (strcmp(argv[1], "contacts") == 0)
                r = complete_contacts(bus);
        else
                r = complete_interactions(bus);
        if (fflush(stdout) != 0)
                return EXIT_FAILURE;
        return r < 0 ? EXIT_FAILURE : 0;
}
