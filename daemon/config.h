/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* netctl.conf: $XDG_CONFIG_HOME/netctl/netctl.conf, GLib key-file format.
 * Every key is optional; unknown groups and keys are errors (a typo should
 * not silently do nothing).  See share/netctl.conf.example and
 * netctl.conf(5). */

#define CONFIG_MAX_WATCH 16
#define CONFIG_MAX_ADDRESSES 16
#define CONFIG_FILE_MAX (256 * 1024)

typedef struct Config {
        /* [calendar] */
        int64_t prep_before;            /* prep reminder this long before a meeting */
        int64_t thanks_after;           /* thank-you this long after it ends */
        int thanks_night_start;         /* minutes after midnight: thank-yous that would */
        int thanks_morning;             /* fall at night move to this time next morning */
        int64_t horizon;                /* how far ahead series are expanded */
        char *watch[CONFIG_MAX_WATCH];  /* extra watched directories (absolute) */
        size_t n_watch;
        char *me[CONFIG_MAX_ADDRESSES]; /* the user's own addresses (lower case) */
        size_t n_me;

        /* [people] */
        int64_t weak_cadence;           /* default keep-in-touch cadence for weak ties */
        int goal_weak_reconnects;       /* weekly goals */
        int goal_new_contacts;
        int goal_given;
        int nudge_weekday;              /* 0 = Sunday ... 6 = Saturday */
        int nudge_minute;               /* minutes after midnight */

        /* [breaks] */
        int64_t break_work;             /* active time before a break; 0: breaks off */
        int64_t break_length;           /* a break, and an idle stretch that counts as one */
        int64_t break_postpone;         /* "In 10 min" on the break reminder */
        int winddown_minute;            /* daily wind-down, minutes after midnight; -1: none */
        int pause_after;                /* outreach actions in a day before a pause is
                                         * suggested; 0: never */

        /* [quiet] */
        int quiet_start, quiet_end;     /* seconds after midnight; equal: no quiet hours */
        int weekend_quiet_start;        /* the window on weekend days; -1 (both): as on */
        int weekend_quiet_end;          /* every day */
        unsigned weekend_days;          /* bit d: weekday d (0 = Sunday) is a weekend day */
        bool weekend_hold;              /* weekend days are quiet all day */

        /* [sync]: vdirs kept in step both ways (sync.c); at most one each */
        char *sync_tasks[1];            /* follow-ups as VTODO files */
        size_t n_sync_tasks;
        char *sync_contacts[1];         /* contacts as vCard 4.0 files */
        size_t n_sync_contacts;

        /* [reminders] */
        int64_t digest_window;          /* reminders due within this of the first come as one
                                         * digest; 0: only those due at once */
} Config;

/* Fills c with the defaults (no allocation). */
void config_defaults(Config *c);

/* Frees what a Config owns and resets it to the defaults; accepts one that
 * holds only defaults. */
void config_clear(Config *c);

/* Parses the key-file text (len bytes, named `name` in messages) into
 * *ret.  On error returns -EINVAL (or -E2BIG for an oversized file), leaves
 * *ret untouched and writes a sentence naming the file, line, group and key
 * to errbuf: "netctl.conf:12: [people] weak_cadence: \"5x\" is not a
 * duration". */
int config_parse(const char *text, size_t len, const char *name, Config *ret,
                 char *errbuf, size_t errsize);

/* Reads and parses path.  A missing file gives the defaults and returns 0. */
int config_load(const char *path, Config *ret, char *errbuf, size_t errsize);

/* The default path from XDG_CONFIG_HOME or HOME; NULL when neither is set.
 * The caller frees it. */
char *config_default_path(void);
