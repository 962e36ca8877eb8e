/* SPDX-License-Identifier: MIT */
/* netctl status: the daemon, its database and what is next. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "client.h"
#include "json.h"
#include "output.h"
#include "timeparse.h"

typedef struct Status {
        const char *version;
        const char *database;
        uint32_t schema_version;
        int64_t open, overdue, done;
        uint64_t next_due_id;
        int64_t next_due;
        const char *next_due_text;
        const char *notification_server;
        const char *config;
        const char *config_error;
        const char *watched[17];
        unsigned n_watched;
        int notifications_held;
        const char *hold;               /* why reminders due now wait; "" if they do not */
        int64_t hold_until;             /* when quiet time ends; 0 otherwise */
} Status;

static int read_status(sd_bus_message *reply, Status *s) {
        int r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                const char *key, *contents;
                char type;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(reply, &type, &contents);
                if (r < 0)
                        return r;

                /* Known keys with the expected type are read; anything else
                 * (a newer daemon's additions) is skipped. */
                if (strcmp(key, "version") == 0 && strcmp(contents, "s") == 0)
                        r = sd_bus_message_read(reply, "v", "s", &s->version);
                else if (strcmp(key, "database") == 0 && strcmp(contents, "s") == 0)
                        r = sd_bus_message_read(reply, "v", "s", &s->database);
                else if (strcmp(key, "schema_version") == 0 && strcmp(contents, "u") == 0)
                        r = sd_bus_message_read(reply, "v", "u", &s->schema_version);
                else if (strcmp(key, "open") == 0 && strcmp(contents, "x") == 0)
                        r = sd_bus_message_read(reply, "v", "x", &s->open);
                else if (strcmp(key, "overdue") == 0 && strcmp(contents, "x") == 0)
                        r = sd_bus_message_read(reply, "v", "x", &s->overdue);
                else if (strcmp(key, "done") == 0 && strcmp(contents, "x") == 0)
                        r = sd_bus_message_read(reply, "v", "x", &s->done);
                else if (strcmp(key, "next_due_id") == 0 && strcmp(contents, "t") == 0)
                        r = sd_bus_message_read(reply, "v", "t", &s->next_due_id);
                else if (strcmp(key, "next_due") == 0 && strcmp(contents, "x") == 0)
                        r = sd_bus_message_read(reply, "v", "x", &s->next_due);
                else if (strcmp(key, "next_due_text") == 0 && strcmp(contents, "s") == 0)
                        r = sd_bus_message_read(reply, "v", "s", &s->next_due_text);
                else if (strcmp(key, "notification_server") == 0 && strcmp(contents, "s") == 0)
                        r = sd_bus_message_read(reply, "v", "s", &s->notification_server);
                else if (strcmp(key, "config") == 0 && strcmp(contents, "s") == 0)
                        r = sd_bus_message_read(reply, "v", "s", &s->config);
                else if (strcmp(key, "config_error") == 0 && strcmp(contents, "s") == 0)
                        r = sd_bus_message_read(reply, "v", "s", &s->config_error);
                else if (strcmp(key, "watched") == 0 && strcmp(contents, "as") == 0) {
                        const char *dir;
                        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_VARIANT, "as");
                        if (r >= 0)
                                r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "s");
                        while (r >= 0 && (r = sd_bus_message_read(reply, "s", &dir)) > 0)
                                if (s->n_watched < ELEMENTSOF(s->watched))
                                        s->watched[s->n_watched++] = dir;
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                }
                else if (strcmp(key, "notifications_held") == 0 && strcmp(contents, "b") == 0)
                        r = sd_bus_message_read(reply, "v", "b", &s->notifications_held);
                else if (strcmp(key, "hold") == 0 && strcmp(contents, "s") == 0)
                        r = sd_bus_message_read(reply, "v", "s", &s->hold);
                else if (strcmp(key, "hold_until") == 0 && strcmp(contents, "x") == 0)
                        r = sd_bus_message_read(reply, "v", "x", &s->hold_until);
                else
                        r = sd_bus_message_skip(reply, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

int verb_status(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Status s = { .version = "", .database = "", .next_due_text = "", .notification_server = "",
                    .config = "", .config_error = "" };
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("status");
                        return 0;
                case 'j':
                        json = true;
                        break;
                default:
                        return option_error("status", argv);
                }
        }
        if (optind != argc)
                return usage_error("status", "unexpected argument \"%s\".", argv[optind]);

        if (client_call(NETCTL_IFACE_MANAGER, "GetStatus", &reply, NULL) < 0)
                return EXIT_FAILURE;
        r = read_status(reply, &s);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));

        bool mismatch = strcmp(s.version, NETCTL_VERSION) != 0;

        if (json) {
                JsonWriter w;
                json_init(&w, stdout);
                json_begin_object(&w);
                json_key(&w, "version");
                json_string(&w, s.version);
                json_key(&w, "client_version");
                json_string(&w, NETCTL_VERSION);
                json_key(&w, "database");
                json_string(&w, s.database);
                json_key(&w, "schema_version");
                json_uint(&w, s.schema_version);
                json_key(&w, "open");
                json_int(&w, s.open);
                json_key(&w, "overdue");
                json_int(&w, s.overdue);
                json_key(&w, "done");
                json_int(&w, s.done);
                json_key(&w, "next_due");
                if (s.next_due_id > 0) {
                        json_begin_object(&w);
                        json_key(&w, "id");
                        json_uint(&w, s.next_due_id);
                        json_key(&w, "text");
                        json_string(&w, s.next_due_text);
                        json_key(&w, "due");
                        json_time_utc(&w, s.next_due);
                        json_end_object(&w);
                } else
                        json_null(&w);
                json_key(&w, "notification_server");
                json_string(&w, s.notification_server[0] ? s.notification_server : NULL);
                json_key(&w, "config");
                json_string(&w, s.config);
                json_key(&w, "watched");
                json_begin_array(&w);
                for (unsigned i = 0; i < s.n_watched; i++)
                        json_string(&w, s.watched[i]);
                json_end_array(&w);
                json_key(&w, "config_error");
                json_string(&w, s.config_error[0] ? s.config_error : NULL);
                json_key(&w, "notifications_held");
                json_bool(&w, s.notifications_held);
                json_key(&w, "hold");
                json_string(&w, s.hold && s.hold[0] ? s.hold : NULL);
                json_key(&w, "hold_until");
                json_time_utc(&w, s.hold_until);
                json_end_object(&w);
                json_finish(&w);
                return 0;
        }

        printf("netctld %s, netctl %s\n", s.version, NETCTL_VERSION);
        if (mismatch)
                printf("  %sWarning:%s       the daemon and the client differ; restart it with "
                       "'systemctl --user restart netctld'.\n", ansi(ANSI_YELLOW), ansi(ANSI_NORMAL));
        printf("  Database:      %s (schema %" PRIu32 ")\n", s.database, s.schema_version);
        for (unsigned i = 0; i < s.n_watched; i++)
                printf("  %-14s %s%s\n", i == 0 ? "Watching:" : "", s.watched[i],
                       i == 0 ? " (inbox)" : "");
        printf("  Config:        %s%s%s%s%s\n", s.config, s.config_error[0] ? "\n  Config error:  " : "",
               s.config_error[0] ? ansi(ANSI_RED) : "", s.config_error, s.config_error[0] ? ansi(ANSI_NORMAL) : "");
        printf("  Follow-ups:    %" PRId64 " open (%" PRId64 " overdue), %" PRId64 " done\n",
               s.open, s.overdue, s.done);
        if (s.next_due_id > 0) {
                char local[64], rel[64];
                local_time_format(s.next_due, local, sizeof local);
                relative_format(s.next_due, now_seconds(), rel, sizeof rel);
                printf("  Next due:      #%" PRIu64 " %s (%s, %s)\n", s.next_due_id, s.next_due_text,
                       local, rel);
        } else
                printf("  Next due:      nothing pending\n");
        printf("  Notifications: %s%s\n",
               s.notification_server[0] ? s.notification_server : "no server seen yet",
               s.notifications_held ? " (reminders held until a server answers)" : "");
        if (s.hold && s.hold[0] && s.hold_until > 0) {
                char local[64], rel[64];
                local_time_format(s.hold_until, local, sizeof local);
                relative_format(s.hold_until, now_seconds(), rel, sizeof rel);
                printf("  Held:          reminders wait for the end of %s, %s (%s)\n", s.hold, local, rel);
        } else if (s.hold && s.hold[0])
                printf("  Held:          reminders wait: %s\n", s.hold);
        return 0;
}

int verb_reload(int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                verb_help("reload");
                return 0;
        }
        if (argc > 1)
                return usage_error("reload", "unexpected argument \"%s\".", argv[1]);
        if (client_call(NETCTL_IFACE_MANAGER, "Reload", &reply, NULL) < 0)
                return EXIT_FAILURE;
        printf("Config reloaded.\n");
        return 0;
}
