/* SPDX-License-Identifier: MIT */
/* The verb table, help texts and dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "output.h"

static const Verb verbs[] = {
        { "add",    verb_add,    "TEXT [--due WHEN | --in DURATION] [--every DURATION [--fixed]] [--contact WHO] [-q]",
          "Add a follow-up (due now unless --due/--in) and print its id" },
        { "list",   verb_list,   "[--overdue | --today | --week | --all] [--contact WHO] [--json]",
          "List open follow-ups (--all includes done ones)" },
        { "show",   verb_show,   "ID [--json]", "Show one follow-up" },
        { "done",   verb_done,   "ID...", "Mark follow-ups done (a recurring one is scheduled again)" },
        { "snooze", verb_snooze, "ID WHEN|DURATION", "Move a follow-up to a later time (e.g. 1h, tomorrow 9am)" },
        { "rm",     verb_rm,     "ID...", "Remove follow-ups" },
        { "edit",   verb_edit,   "ID [--text TEXT] [--due WHEN | --in DURATION] [--every DURATION|none] [--fixed | --from-completion]\n"
          "            [--contact WHO|none]",
          "Change a follow-up" },
        { "status", verb_status, "[--json]", "Show the daemon's state: versions, database, counts, next due" },
        { "import", verb_import, "FILE.ics...",
          "Import meeting invites: each file's outcome (added, updated, cancelled, unchanged, skipped)" },
        { "meetings", verb_meetings, "[--week | --all] [--json]",
          "List upcoming meetings with their people (--all: past and cancelled too)" },
        { "export", verb_export, "[--vtodo | --vevent] [FILE | DIR/]",
          "Write follow-ups (VTODO) and meetings (VEVENT) as iCalendar; to a DIR one file per item" },
        { "reload", verb_reload, "", "Re-read netctl.conf (a bad file is reported; the old config stays)" },
        { "contact", verb_contact,
          "add NAME [--email E]... [--org O] [--tie weak|strong] [--every DURATION|none]\n"
          "                  [--met TEXT] [--tag T]... [--note TEXT] [--handle H] [-q]\n"
          "       netctl contact list [--tie weak|strong] [--tag T] [--archived] [--json]\n"
          "       netctl contact show WHO [--json]\n"
          "       netctl contact edit WHO [--name N] [--handle H] [--email E]... [--rm-email E]...\n"
          "                  [--org O] [--tie weak|strong] [--every DURATION|none|default]\n"
          "                  [--met TEXT] [--tag T]... [--untag T]... [--note TEXT]\n"
          "                  [--archive | --unarchive]\n"
          "       netctl contact rm WHO [--archive | --force]\n"
          "       netctl contact import FILE.vcf [--keep-in-touch] [--json]\n\n"
          "WHO is an id, a handle (ana-lima), an e-mail, or a name prefix that names one\n"
          "person.  A weak tie without --every gets the default keep-in-touch cadence\n"
          "([people] weak_cadence, 90 days); a strong tie none.  rm refuses to drop logged\n"
          "history: --archive keeps it (hidden from list and suggest), --force deletes it.\n"
          "import reads vCard 3.0/4.0 (and 2.1); re-importing matches by e-mail, then name;\n"
          "imported contacts get keep-in-touch reminders only with --keep-in-touch",
          "The people in your network: add, list, show, edit, rm, import (vCard)" },
        { "log",     verb_log,
          "WHO [--kind coffee|call|email|message|meeting|event|intro] [--gave TEXT]\n"
          "           [--got TEXT] [--note TEXT] [--lead] [--when PAST] [-q]\n\n"
          "PAST:      now, today, yesterday, yesterday 17:00, mon, last fri 18:00, 17:00,\n"
          "           3d ago, 2 weeks ago, 2026-11-02, 2026-11-02T18:30 (a day alone means\n"
          "           12:00).  --got \"lead: ...\" (or --lead) marks a lead",
          "Record an interaction; it restarts that person's keep-in-touch cadence" },
        { "unlog",   verb_unlog, "ID...", "Remove logged interactions (ids from contact show)" },
        { "suggest", verb_suggest, "[N] [--json]",
          "Who to reconnect with now, weak ties first, most overdue first (default 5)" },
        { "stats",   verb_stats, "[--weeks N] [--json]",
          "Interactions per week, weak/strong mix, gave/got, leads, this week's goals" },
        { "break",   verb_break,
          "status [--json] | take | pause [DURATION] | resume\n\n"
          "After [breaks] work of active time (50m) a break is due, for [breaks] break\n"
          "(10m).  Time away from the machine does not count; away (or asleep) as long\n"
          "as a break counts as one.  Presence comes from logind's IdleHint and the screen\n"
          "saver; without either the cycle runs on wall time, and status says so.\n"
          "pause without a DURATION lasts until resume; a pause outlives a restart",
          "The break cycle: status, take a break now, pause or resume it" },
        { "sync",    verb_sync,
          "status [--json]\n\n"
          "[sync] tasks = DIR and contacts = DIR in netctl.conf link vdirs (one VTODO\n"
          "or vCard 4.0 file per item) that vdirsyncer carries to CalDAV/CardDAV.  netctld\n"
          "writes each change there and applies what other programs write; when both\n"
          "sides changed an item the newer version (SEQUENCE, then LAST-MODIFIED) wins\n"
          "and the losing one is kept and listed here",
          "Two-way sync with vdirs: which are linked, when last in step, conflicts" },
        { "__complete", verb_complete, "ids|contacts|interactions", "" },  /* hidden: for completions */
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
        printf("netctl [--version] [--help] [--color=auto|always|never] VERB [ARGS...]\n\n"
               "Keep in touch, follow up, and be reminded on time. Talks to netctld over\n"
               "D-Bus (started on demand by the session bus).\n\nVerbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (verbs[i].name[0] != '_')
                        printf("  %-8s %s\n", verbs[i].name, verbs[i].summary);
        printf("\n%s\n'netctl VERB --help' describes each verb. Exit status: 0 success, 1 failure,\n"
               "2 usage error. See netctl(1).\n", when_help);
}

int client_run(int argc, char *argv[]) {
        /* Verbs report bad options themselves, in a sentence. */
        opterr = 0;

        /* --color=WHEN is global: taken out wherever it is. */
        const char *bad;
        if (output_take_color_options(&argc, argv, &bad) < 0)
                return usage_error(NULL, "\"%s\": --color takes auto, always or never.", bad);

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
                if (strcmp(verbs[i].name, argv[1]) == 0) {
                        /* Every verb but the completions' talks to netctld:
                         * the handshake runs while the locale loads and
                         * the arguments are read. */
                        if (verbs[i].name[0] != '_')
                                client_connect_early();
                        locale_setup();
                        return verbs[i].run(argc - 1, argv + 1);
                }

        return usage_error(NULL, "unknown verb \"%s\".", argv[1]);
}
