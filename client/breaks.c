/* SPDX-License-Identifier: MIT */
/* netctl break status|take|pause [DURATION]|resume */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "client.h"
#include "json.h"
#include "timeparse.h"

typedef struct BreakStatus {
        const char *state;
        int idle;
        const char *idle_source;
        int64_t active, work, length;
        int64_t next_break, break_ends, paused_until, last_break;
        const char *last_break_kind;
        const char *winddown;
        uint32_t outreach_today;
        uint32_t pause_after;
} BreakStatus;

static int read_status(sd_bus_message *reply, BreakStatus *s) {
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

                /* Known keys of the expected type; a newer daemon's
                 * additions are skipped. */
                const struct {
                        const char *key;
                        const char *type;
                        void *field;
                } fields[] = {
                        { "state",           "s", &s->state },
                        { "idle",            "b", &s->idle },
                        { "idle_source",     "s", &s->idle_source },
                        { "active",          "x", &s->active },
                        { "work",            "x", &s->work },
                        { "break",           "x", &s->length },
                        { "next_break",      "x", &s->next_break },
                        { "break_ends",      "x", &s->break_ends },
                        { "paused_until",    "x", &s->paused_until },
                        { "last_break",      "x", &s->last_break },
                        { "last_break_kind", "s", &s->last_break_kind },
                        { "winddown",        "s", &s->winddown },
                        { "outreach_today",  "u", &s->outreach_today },
                        { "pause_after",     "u", &s->pause_after },
                };
                bool read = false;
                for (size_t i = 0; i < ELEMENTSOF(fields) && !read; i++)
                        if (strcmp(key, fields[i].key) == 0 && contents && strcmp(contents, fields[i].type) == 0) {
                                r = sd_bus_message_read(reply, "v", fields[i].type, fields[i].field);
                                read = true;
                        }
                if (!read)
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

static void print_json(const BreakStatus *s) {
        JsonWriter w;

        json_init(&w, stdout);
        json_begin_object(&w);
        json_key(&w, "state");
        json_string(&w, s->state);
        json_key(&w, "idle");
        json_bool(&w, s->idle);
        json_key(&w, "idle_source");
        json_string(&w, s->idle_source[0] ? s->idle_source : NULL);
        /* No idle source: the cycle counts every minute as work. */
        json_key(&w, "wall_time");
        json_bool(&w, s->idle_source[0] == '\0');
        json_key(&w, "active_seconds");
        json_int(&w, s->active);
        json_key(&w, "work_seconds");
        json_int(&w, s->work);
        json_key(&w, "break_seconds");
        json_int(&w, s->length);
        json_key(&w, "next_break");
        json_time_utc(&w, s->next_break);
        json_key(&w, "break_ends");
        json_time_utc(&w, s->break_ends);
        json_key(&w, "paused_until");
        json_time_utc(&w, s->paused_until);
        json_key(&w, "last_break");
        json_time_utc(&w, s->last_break);
        json_key(&w, "last_break_kind");
        json_string(&w, s->last_break_kind[0] ? s->last_break_kind : NULL);
        json_key(&w, "winddown");
        json_string(&w, s->winddown[0] ? s->winddown : NULL);
        json_key(&w, "outreach_today");
        json_uint(&w, s->outreach_today);
        json_key(&w, "pause_after");
        if (s->pause_after > 0)
                json_uint(&w, s->pause_after);
        else
                json_null(&w);
        json_end_object(&w);
        json_finish(&w);
}

/* "14:32 (in 38m)" */
static void when(int64_t t, char *buf, size_t size) {
        char local[64], rel[64];
        local_time_format(t, local, sizeof local);
        relative_format(t, now_seconds(), rel, sizeof rel);
        snprintf(buf, size, "%s (%s)", local, rel);
}

static void print_human(const BreakStatus *s) {
        char a[32], b[32], at[160];

        duration_format(s->active, a, sizeof a);
        duration_format(s->work, b, sizeof b);

        if (strcmp(s->state, "off") == 0)
                printf("Breaks:      off ([breaks] work = off in netctl.conf)\n");
        else if (strcmp(s->state, "working") == 0)
                printf("Breaks:      working, %s of work since the last break (a break after %s)\n", a, b);
        else if (strcmp(s->state, "break-due") == 0)
                printf("Breaks:      a break is due: %s of work since the last one\n", a);
        else if (strcmp(s->state, "on-break") == 0) {
                when(s->break_ends, at, sizeof at);
                printf("Breaks:      on a break until %s\n", at);
        } else if (strcmp(s->state, "paused") == 0) {
                if (s->paused_until > 0) {
                        when(s->paused_until, at, sizeof at);
                        printf("Breaks:      paused until %s\n", at);
                } else
                        printf("Breaks:      paused until 'netctl break resume'\n");
        } else
                printf("Breaks:      %s\n", s->state);

        if (s->next_break > 0) {
                when(s->next_break, at, sizeof at);
                printf("Next break:  %s if you keep working\n", at);
        }
        if (s->idle_source[0])
                printf("Presence:    %s, from %s\n", s->idle ? "away" : "here", s->idle_source);
        else
                printf("Presence:    unknown: no logind session or screen saver answers, so the cycle\n"
                       "             runs on wall time (every minute counts as work)\n");
        if (s->last_break > 0) {
                when(s->last_break, at, sizeof at);
                printf("Last break:  %s%s%s%s\n", at, s->last_break_kind[0] ? ", " : "",
                       strcmp(s->last_break_kind, "idle") == 0 ? "away from the machine" :
                       strcmp(s->last_break_kind, "sleep") == 0 ? "the machine slept" :
                       strcmp(s->last_break_kind, "taken") == 0 ? "taken" : "", "");
        }
        printf("Wind-down:   %s\n", s->winddown[0] ? s->winddown : "off");
        if (s->pause_after > 0)
                printf("Outreach:    %" PRIu32 " action%s today (a pause is suggested at %" PRIu32 ")\n",
                       s->outreach_today, s->outreach_today == 1 ? "" : "s", s->pause_after);
        else
                printf("Outreach:    %" PRIu32 " action%s today\n", s->outreach_today,
                       s->outreach_today == 1 ? "" : "s");
}

static int break_status(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        BreakStatus s = { .state = "", .idle_source = "", .last_break_kind = "", .winddown = "" };
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("break");
                        return 0;
                case 'j':
                        json = true;
                        break;
                default:
                        return option_error("break", argv);
                }
        }
        if (optind != argc)
                return usage_error("break", "unexpected argument \"%s\".", argv[optind]);

        if (client_call(NETCTL_IFACE_BREAKS, "GetStatus", &reply, NULL) < 0)
                return EXIT_FAILURE;
        r = read_status(reply, &s);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));

        if (json)
                print_json(&s);
        else
                print_human(&s);
        return 0;
}

/* take, resume: no arguments. */
static int break_simple(const char *sub, const char *method, const char *done, int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                verb_help("break");
                return 0;
        }
        if (argc > 1)
                return usage_error("break", "break %s takes no argument (got \"%s\").", sub, argv[1]);
        if (client_call(NETCTL_IFACE_BREAKS, method, &reply, NULL) < 0)
                return EXIT_FAILURE;
        printf("%s\n", done);
        return 0;
}

static int break_pause(int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int64_t seconds = 0;

        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                verb_help("break");
                return 0;
        }
        if (argc > 2)
                return usage_error("break", "break pause takes at most one DURATION.");
        if (argc == 2 && duration_parse(argv[1], &seconds) < 0)
                return usage_error("break", "\"%s\" is not a duration (e.g. 30m, 2h, 1d).", argv[1]);

        if (client_call(NETCTL_IFACE_BREAKS, "Pause", &reply, "t", (uint64_t) seconds) < 0)
                return EXIT_FAILURE;
        if (seconds > 0) {
                char d[32], at[64];
                duration_format(seconds, d, sizeof d);
                local_time_format(now_seconds() + seconds, at, sizeof at);
                printf("Breaks paused for %s, until %s.\n", d, at);
        } else
                printf("Breaks paused until 'netctl break resume'.\n");
        return 0;
}

int verb_break(int argc, char *argv[]) {
        const char *sub = argc > 1 ? argv[1] : "status";

        if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
                verb_help("break");
                return 0;
        }
        /* "netctl break" and "netctl break --json" mean status. */
        if (argc <= 1 || strcmp(sub, "--json") == 0)
                return break_status(argc, argv);
        if (strcmp(sub, "status") == 0)
                return break_status(argc - 1, argv + 1);
        if (strcmp(sub, "take") == 0)
                return break_simple("take", "Take", "Break started; back to work after it.",
                                    argc - 1, argv + 1);
        if (strcmp(sub, "resume") == 0)
                return break_simple("resume", "Resume", "Breaks resumed: a fresh work stretch starts now.",
                                    argc - 1, argv + 1);
        if (strcmp(sub, "pause") == 0)
                return break_pause(argc - 1, argv + 1);
        return usage_error("break", "unknown subcommand \"%s\" (status, take, pause, resume).", sub);
}
