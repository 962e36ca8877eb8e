/* SPDX-License-Identifier: MIT */
/* The verb table, help texts and dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client.h"

static const Verb verbs[] = {
        { "add",    verb_add,    "TEXT [--due WHEN | --in DURATION] [--every DURATION [--fixed]] [-q]",
          "Add a follow-up (due now unless --due/--in) and print its id" },
        { "list",   verb_list,   "[--overdue | --today | --week | --all] [--json]",
          "List open follow-ups (--all includes done ones)" },
        { "show",   verb_show,   "ID [--json]", "Show one follow-up" },
        { "done",   verb_done,   "ID...", "Mark follow-ups done (a recurring one is scheduled again)" },
        { "snooze", verb_snooze, "ID WHEN|DURATION", "Move a follow-up to a later time (e.g. 1h, tomorrow 9am)" },
        { "rm",     verb_rm,     "ID...", "Remove follow-ups" },
        { "edit",   verb_edit,   "ID [--text TEXT] [--due WHEN | --in DURATION] [--every DURATION|none] [--fixed | --from-completion]",
          "Change a follow-up" },
        { "status", verb_status, "[--json]", "Show the daemon's state: versions, database, counts, next due" },
        { "import", verb_import, "FILE.ics...",
          "Import meeting invites: each file's outcome (added, updated, cancelled, unchanged, skipped)" },
        { "meetings", verb_meetings, "[--week | --all] [--json]",
          "List upcoming meetings with their people (--all: past and cancelled too)" },
        { "export", verb_export, "[--vtodo | --vevent] [FILE | DIR/]",
          "Write follow-ups (VTODO) and meetings (VEVENT) as iCalendar; to a DIR one file per item" },
        { "reload", verb_reload, "", "Re-read netctl.conf (a bad file is reported; the old config stays)" },
};

static const char when_help[] =
        "WHEN:      2026-12-01, 2026-12-01T09:30, 2026-12-01 09:30+01:00, today 17:00,\n"
        "           tomorrow 9am, fri 10:00, next monday, 17:00, in 3d, +2h, 90m, 2w\n"
        "           (a date without a time means 09:00; local time is $TZ)\n"
        "DURATION:  45s, 90m, 2h, 3d, 2w, 1h30m\n";

void verb_help(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, name) == 0) {
                        printf("netctl %s %s\n\n%s.\n\n%s", verbs[i].name, verbs[i].synopsis,
                               verbs[i].summary, when_help);
                        printf("\nSee netctl(1).\n");
                        return;
                }
}

static void help(void) {
        printf("netctl [--version] [--help] VERB [ARGS...]\n\n"
               "Keep in touch, follow up, and be reminded on time. Talks to netctld on the\n"
               "session bus (started on demand).\n\nVerbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-7s %s\n", verbs[i].name, verbs[i].summary);
        printf("\n%s\n'netctl VERB --help' describes each verb. Exit status: 0 success, 1 failure,\n"
               "2 usage error. See netctl(1).\n", when_help);
}

int client_run(int argc, char *argv[]) {
        /* Verbs report bad options themselves, in a sentence. */
        opterr = 0;

        if (argc < 2)
                return usage_error(NULL, "no verb given (add, list, done, snooze, ...).");
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
                if (argc > 2 && strcmp(argv[1], "help") == 0) {
                        verb_help(argv[2]);
                        return 0;
                }
                help();
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("netctl %s\n", NETCTL_VERSION);
                return 0;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, argv[1]) == 0)
                        return verbs[i].run(argc - 1, argv + 1);

        return usage_error(NULL, "unknown verb \"%s\".", argv[1]);
}
