/* SPDX-License-Identifier: MIT */
/* netctl sync status: which vdirs are linked, when each was last in step,
 * and the conflicts sync resolved. */
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

#define SYNC_CONFLICTS_SHOWN 20

static int sync_status(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("sync");
                        return 0;
                case 'j':
                        json = true;
                        break;
                default:
                        return option_error("sync", argv);
                }
        }
        if (optind != argc)
                return usage_error("sync", "unexpected argument \"%s\".", argv[optind]);

        if (client_call(NETCTL_IFACE_SYNC, "GetStatus", &reply, "u", (uint32_t) SYNC_CONFLICTS_SHOWN) < 0)
                return EXIT_FAILURE;

        JsonWriter w;
        if (json) {
                json_init(&w, stdout);
                json_begin_object(&w);
                json_key(&w, "links");
                json_begin_array(&w);
        }
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssxs)");
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        unsigned n_links = 0;
        const char *kind, *path, *error, *uid, *what;
        int64_t in_step, at, id;
        while ((r = sd_bus_message_read(reply, "(ssxs)", &kind, &path, &in_step, &error)) > 0) {
                n_links++;
                if (json) {
                        json_begin_object(&w);
                        json_key(&w, "kind");
                        json_string(&w, kind);
                        json_key(&w, "path");
                        json_string(&w, path);
                        json_key(&w, "in_step");
                        if (in_step > 0)
                                json_time_utc(&w, in_step);
                        else
                                json_null(&w);
                        json_key(&w, "error");
                        json_string(&w, error[0] ? error : NULL);
                        json_end_object(&w);
                        continue;
                }
                char local[64] = "not yet", rel[64] = "";
                if (in_step > 0) {
                        local_time_format(in_step, local, sizeof local);
                        relative_format(in_step, now_seconds(), rel, sizeof rel);
                }
                printf("%-9s %s\n          in step: %s%s%s%s\n", kind, path, local, rel[0] ? " (" : "", rel,
                       rel[0] ? ")" : "");
                if (error[0])
                        printf("          %serror:%s   %s\n", ansi(ANSI_RED), ansi(ANSI_NORMAL), error);
        }
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        if (!json && n_links == 0)
                printf("No vdir is linked: set [sync] tasks in netctl.conf (see netctl.conf(5)).\n");

        if (json) {
                json_end_array(&w);
                json_key(&w, "conflicts");
                json_begin_array(&w);
        }
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(xssxs)");
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        unsigned n_conflicts = 0;
        while ((r = sd_bus_message_read(reply, "(xssxs)", &id, &kind, &uid, &at, &what)) > 0) {
                if (json) {
                        json_begin_object(&w);
                        json_key(&w, "id");
                        json_int(&w, id);
                        json_key(&w, "kind");
                        json_string(&w, kind);
                        json_key(&w, "uid");
                        json_string(&w, uid);
                        json_key(&w, "at");
                        json_time_utc(&w, at);
                        json_key(&w, "what");
                        json_string(&w, what);
                        json_end_object(&w);
                        continue;
                }
                if (n_conflicts == 0)
                        printf("\nConflicts (the losing versions are kept in the database):\n");
                char local[64];
                local_time_format(at, local, sizeof local);
                printf("  %s  %s\n", local, what);
                n_conflicts++;
        }
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        if (json) {
                json_end_array(&w);
                json_end_object(&w);
                json_finish(&w);
        } else if (n_conflicts == 0 && n_links > 0)
                printf("\nNo conflicts.\n");
        return 0;
}

int verb_sync(int argc, char *argv[]) {
        if (argc < 2)
                return usage_error("sync", "missing a sub-command (status).");
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                verb_help("sync");
                return 0;
        }
        if (strcmp(argv[1], "status") == 0)
                return sync_status(argc - 1, argv + 1);
        return usage_error("sync", "unknown sub-command \"%s\" (status).", argv[1]);
}
