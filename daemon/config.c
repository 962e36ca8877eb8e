/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "macro.h"
#include "text.h"
#include "timeparse.h"

void config_defaults(Config *c) {
        *c = (Config) {
                .prep_before = 30 * 60,
                .thanks_after = 2 * 3600,
                .thanks_night_start = 21 * 60,
                .thanks_morning = 9 * 60,
                .horizon = 90 * 86400,
                .weak_cadence = 90 * 86400,
                .goal_weak_reconnects = 3,
                .goal_new_contacts = 1,
                .goal_given = 1,
                .nudge_weekday = 1,
                .nudge_minute = 10 * 60,
                .break_work = 50 * 60,
                .break_length = 10 * 60,
                .break_postpone = 10 * 60,
                .winddown_minute = 18 * 60,
                .pause_after = 12,
                .weekend_quiet_start = -1,
                .weekend_quiet_end = -1,
                .weekend_days = (1u << 0) | (1u << 6),
                .digest_window = 2 * 60,
        };
}

void config_clear(Config *c) {
        for (size_t i = 0; i < c->n_watch; i++)
                free(c->watch[i]);
        for (size_t i = 0; i < c->n_me; i++)
                free(c->me[i]);
        for (size_t i = 0; i < c->n_sync_tasks; i++)
                free(c->sync_tasks[i]);
        for (size_t i = 0; i < c->n_sync_contacts; i++)
                free(c->sync_contacts[i]);
        config_defaults(c);
}

/* The line on which `key` appears in `group`, for messages; 0 if unknown.
 * GKeyFile does not keep line numbers, so look in the text. */
static unsigned find_line(const char *text, size_t len, const char *group, const char *key) {
        unsigned line = 1, found = 0;
        bool in_group = false;
        const char *p = text, *end = text + len;

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                size_t n = eol ? (size_t) (eol - p) : (size_t) (end - p);
                while (n > 0 && (*p == ' ' || *p == '\t')) {
                        p++;
                        n--;
                }
                if (n > 0 && *p == '[') {
                        in_group = n >= strlen(group) + 2 && strncmp(p + 1, group, strlen(group)) == 0 &&
                                   p[strlen(group) + 1] == ']';
                        if (in_group && !key && !found)
                                found = line;
                } else if (in_group && key && n >= strlen(key) && strncmp(p, key, strlen(key)) == 0) {
                        const char *q = p + strlen(key);
                        while (q < p + n && (*q == ' ' || *q == '\t'))
                                q++;
                        if (q < p + n && *q == '=')
                                found = line;   /* the last one wins, as in GKeyFile */
                }
                if (!eol)
                        break;
                p = eol + 1;
                line++;
        }
        return found;
}

typedef struct Parser {
        const char *text;
        size_t len;
        const char *name;
        GKeyFile *kf;
        char *errbuf;
        size_t errsize;
} Parser;

static int parser_error(Parser *p, const char *group, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int parser_error(Parser *p, const char *group, const char *key, const char *fmt, ...) {
        char msg[384];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);

        unsigned line = group ? find_line(p->text, p->len, group, key) : 0;
        if (!p->errbuf)
                return -EINVAL;
        if (line > 0 && key)
                snprintf(p->errbuf, p->errsize, "%s:%u: [%s] %s: %s", p->name, line, group, key, msg);
        else if (line > 0)
                snprintf(p->errbuf, p->errsize, "%s:%u: [%s]: %s", p->name, line, group, msg);
        else if (group && key)
                snprintf(p->errbuf, p->errsize, "%s: [%s] %s: %s", p->name, group, key, msg);
        else
                snprintf(p->errbuf, p->errsize, "%s: %s", p->name, msg);
        return -EINVAL;
}

/* Reads a string value, validated as one line of text. */
static int get_string(Parser *p, const char *group, const char *key, char **ret) {
        g_autoptr(GError) error = NULL;
        char *v = g_key_file_get_string(p->kf, group, key, &error);
        if (!v)
                return parser_error(p, group, key, "%s", error ? error->message : "cannot read");
        const char *reason;
        if (text_check_line(v, 1024, true, &reason) < 0) {
                g_free(v);
                return parser_error(p, group, key, "%s", reason);
        }
        *ret = v;
        return 0;
}

static int get_duration(Parser *p, const char *group, const char *key, int64_t min, int64_t *ret) {
        g_autofree char *v = NULL;
        int64_t seconds;
        int r = get_string(p, group, key, &v);
        if (r < 0)
                return r;
        r = duration_parse(v, &seconds);
        if (r < 0)
                return parser_error(p, group, key, "\"%s\" is not a duration (e.g. 30m, 2h, 90d)", v);
        if (seconds < min)
                return parser_error(p, group, key, "\"%s\" is too short", v);
        *ret = seconds;
        return 0;
}

static int get_count(Parser *p, const char *group, const char *key, int max, int *ret) {
        g_autofree char *v = NULL;
        char *end;
        int r = get_string(p, group, key, &v);
        if (r < 0)
                return r;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (v[0] == '\0' || *end != '\0' || errno != 0 || n < 0 || n > max)
                return parser_error(p, group, key, "\"%s\" is not a whole number from 0 to %d", v, max);
        *ret = (int) n;
        return 0;
}

/* "HH:MM", 24-hour, into minutes after midnight. */
static int parse_clock(const char *s, int *ret) {
        unsigned h, m;
        char tail;
        if (sscanf(s, "%2u:%2u%c", &h, &m, &tail) != 2 || h > 23 || m > 59)
                return -EINVAL;
        *ret = (int) (h * 60 + m);
        return 0;
}

static int get_clock(Parser *p, const char *group, const char *key, int *ret) {
        g_autofree char *v = NULL;
        int r = get_string(p, group, key, &v);
        if (r < 0)
                return r;
        if (parse_clock(v, ret) < 0)
                return parser_error(p, group, key, "\"%s\" is not a time of day (HH:MM)", v);
        return 0;
}

static bool is_off(const char *v) {
        return g_ascii_strcasecmp(v, "off") == 0 || g_ascii_strcasecmp(v, "none") == 0;
}

/* A duration, or "off" (and "0") for none: 0. */
static int get_duration_or_off(Parser *p, const char *group, const char *key, int64_t min, int64_t *ret) {
        g_autofree char *v = NULL;
        int r = get_string(p, group, key, &v);
        if (r < 0)
                return r;
        if (is_off(v) || strcmp(v, "0") == 0) {
                *ret = 0;
                return 0;
        }
        return get_duration(p, group, key, min, ret);
}

static int get_clock_or_off(Parser *p, const char *group, const char *key, int *ret) {
        g_autofree char *v = NULL;
        int r = get_string(p, group, key, &v);
        if (r < 0)
                return r;
        if (is_off(v)) {
                *ret = -1;
                return 0;
        }
        return get_clock(p, group, key, ret);
}

/* "HH:MM" or "HH:MM:SS" into seconds after midnight; "24:00" only when
 * allow_24 (the end of a window). */
static int parse_clock_seconds(const char *s, bool allow_24, int *ret) {
        unsigned h, m, sec = 0;
        int n = 0;

        if (s[0] < '0' || s[0] > '9' || sscanf(s, "%2u:%2u%n", &h, &m, &n) != 2 || n < 4 ||
            s[n - 3] != ':')
                return -EINVAL;
        if (s[n] == ':') {
                int n2 = 0;
                if (sscanf(s + n + 1, "%2u%n", &sec, &n2) != 1 || n2 != 2)
                        return -EINVAL;
                n += 1 + n2;
        }
        if (s[n] != '\0' || m > 59 || sec > 59)
                return -EINVAL;
        if (h == 24 && m == 0 && sec == 0 && allow_24) {
                *ret = 24 * 3600;
                return 0;
        }
        if (h > 23)
                return -EINVAL;
        *ret = (int) (h * 3600 + m * 60 + sec);
        return 0;
}

/* "21:00-08:00" (seconds allowed: "21:00:00-08:00:30"): start and end,
 * crossing midnight when the end is earlier; "off" for none (both 0). */
static int get_window(Parser *p, const char *group, const char *key, int *ret_start, int *ret_end) {
        g_autofree char *v = NULL;
        int start, end;
        int r = get_string(p, group, key, &v);
        if (r < 0)
                return r;
        if (is_off(v)) {
                *ret_start = *ret_end = 0;
                return 0;
        }
        g_strstrip(v);
        char *dash = strchr(v, '-');
        if (!dash)
                return parser_error(p, group, key, "\"%s\" is not a time window (e.g. 21:00-08:00, or off)", v);
        *dash = '\0';
        g_strstrip(v);
        char *second = g_strstrip(dash + 1);
        if (parse_clock_seconds(v, false, &start) < 0 || parse_clock_seconds(second, true, &end) < 0)
                return parser_error(p, group, key, "\"%s-%s\" is not a time window (e.g. 21:00-08:00, or off)",
                                    v, second);
        if (start == end || (start == 0 && end == 24 * 3600))
                return parser_error(p, group, key, "\"%s-%s\" starts and ends at the same time "
                                    "(\"off\" means no quiet hours)", v, second);
        *ret_start = start;
        *ret_end = end == 24 * 3600 ? 0 : end;
        return 0;
}

/* "sat;sun": weekday names (three letters or in full) into a bit set. */
static int get_weekdays(Parser *p, const char *group, const char *key, unsigned *ret) {
        static const char *const days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
        static const char *const full[] = { "sunday", "monday", "tuesday", "wednesday", "thursday",
                                            "friday", "saturday" };
        g_autoptr(GError) error = NULL;
        gsize n = 0;
        g_auto(GStrv) items = g_key_file_get_string_list(p->kf, group, key, &n, &error);
        unsigned set = 0;

        if (!items)
                return parser_error(p, group, key, "%s", error ? error->message : "cannot read");
        for (gsize i = 0; i < n; i++) {
                char *item = g_strstrip(items[i]);
                int d;
                if (item[0] == '\0' || is_off(item))
                        continue;
                for (d = 0; d < 7; d++)
                        if (g_ascii_strcasecmp(item, days[d]) == 0 || g_ascii_strcasecmp(item, full[d]) == 0)
                                break;
                if (d == 7)
                        return parser_error(p, group, key, "\"%.32s\" is not a weekday (mon, tue, ..., sun)",
                                            item);
                set |= 1u << d;
        }
        *ret = set;
        return 0;
}

/* "allow" (weekend days are like any other) or "hold" (nothing until the
 * weekend is over). */
static int get_weekend_rule(Parser *p, const char *group, const char *key, bool *ret) {
        g_autofree char *v = NULL;
        int r = get_string(p, group, key, &v);
        if (r < 0)
                return r;
        if (g_ascii_strcasecmp(v, "allow") == 0)
                *ret = false;
        else if (g_ascii_strcasecmp(v, "hold") == 0)
                *ret = true;
        else
                return parser_error(p, group, key, "\"%s\" is neither allow nor hold", v);
        return 0;
}

/* "mon 10:00" */
static int get_weekly(Parser *p, const char *group, const char *key, int *ret_weekday, int *ret_minute) {
        static const char *const days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
        g_autofree char *v = NULL;
        int r = get_string(p, group, key, &v);
        if (r < 0)
                return r;
        for (int d = 0; d < 7; d++)
                if (g_ascii_strncasecmp(v, days[d], 3) == 0) {
                        const char *rest = strchr(v, ' ');
                        int minute;
                        if (!rest || parse_clock(rest + 1, &minute) < 0)
                                break;
                        *ret_weekday = d;
                        *ret_minute = minute;
                        return 0;
                }
        return parser_error(p, group, key, "\"%s\" is not a weekday and time (e.g. \"mon 10:00\")", v);
}

static int get_list(Parser *p, const char *group, const char *key, bool paths, char **out,
                    size_t max, size_t *ret_n) {
        g_autoptr(GError) error = NULL;
        gsize n = 0;
        g_auto(GStrv) items = g_key_file_get_string_list(p->kf, group, key, &n, &error);
        if (!items)
                return parser_error(p, group, key, "%s", error ? error->message : "cannot read");
        if (n > max)
                return parser_error(p, group, key, "more than %zu entries", max);

        size_t count = 0;
        int r = 0;
        for (gsize i = 0; i < n && r == 0; i++) {
                const char *item = items[i];
                const char *reason;
                char *value;

                if (item[0] == '\0')
                        continue;
                if (text_check_line(item, 4096, false, &reason) < 0) {
                        r = parser_error(p, group, key, "entry \"%.64s\": %s", item, reason);
                        break;
                }
                if (paths) {
                        const char *home = getenv("HOME");
                        if (item[0] == '~' && item[1] == '/' && home)
                                value = g_build_filename(home, item + 2, NULL);
                        else if (item[0] == '/')
                                value = g_strdup(item);
                        else {
                                r = parser_error(p, group, key, "\"%s\" is not an absolute path", item);
                                break;
                        }
                } else {
                        if (!strchr(item, '@')) {
                                r = parser_error(p, group, key, "\"%s\" is not an e-mail address", item);
                                break;
                        }
                        value = g_ascii_strdown(item, -1);
                }
                out[count] = strdup(value);
                g_free(value);
                if (!out[count]) {
                        r = -ENOMEM;
                        break;
                }
                count++;
        }
        if (r < 0) {
                for (size_t i = 0; i < count; i++)
                        free(out[i]);
                return r;
        }
        *ret_n = count;
        return 0;
}

typedef enum KeyType {
        KEY_DURATION,
        KEY_COUNT,
        KEY_CLOCK,
        KEY_WEEKLY,
        KEY_PATHS,
        KEY_ADDRESSES,
        KEY_DURATION_OFF,       /* a duration, or off/0 for 0 */
        KEY_CLOCK_OFF,          /* HH:MM in minutes, or off for -1 */
        KEY_WINDOW,             /* HH:MM[:SS]-HH:MM[:SS] in seconds (offset, offset2), or off */
        KEY_WEEKDAYS,           /* weekday names into a bit set (unsigned) */
        KEY_WEEKEND_RULE,       /* allow or hold (bool) */
} KeyType;

typedef struct KeySpec {
        const char *group;
        const char *key;
        KeyType type;
        size_t offset;
        size_t offset2;         /* second field (KEY_WEEKLY minute, list count) */
        int64_t min;            /* KEY_DURATION minimum, KEY_COUNT maximum */
} KeySpec;

#define FIELD(f) offsetof(Config, f)

static const KeySpec keys[] = {
        { "calendar", "prep_before",    KEY_DURATION,  FIELD(prep_before), 0, 60 },
        { "calendar", "thanks_after",   KEY_DURATION,  FIELD(thanks_after), 0, 60 },
        { "calendar", "thanks_night_start", KEY_CLOCK, FIELD(thanks_night_start), 0, 0 },
        { "calendar", "thanks_morning", KEY_CLOCK,     FIELD(thanks_morning), 0, 0 },
        { "calendar", "horizon",        KEY_DURATION,  FIELD(horizon), 0, 86400 },
        { "calendar", "watch",          KEY_PATHS,     FIELD(watch), FIELD(n_watch), CONFIG_MAX_WATCH },
        { "calendar", "me",             KEY_ADDRESSES, FIELD(me), FIELD(n_me), CONFIG_MAX_ADDRESSES },
        { "people",   "weak_cadence",   KEY_DURATION,  FIELD(weak_cadence), 0, 86400 },
        { "people",   "goal_weak_reconnects", KEY_COUNT, FIELD(goal_weak_reconnects), 0, 100 },
        { "people",   "goal_new_contacts", KEY_COUNT,  FIELD(goal_new_contacts), 0, 100 },
        { "people",   "goal_given",     KEY_COUNT,     FIELD(goal_given), 0, 100 },
        { "people",   "weekly_nudge",   KEY_WEEKLY,    FIELD(nudge_weekday), FIELD(nudge_minute), 0 },
        { "breaks",   "work",           KEY_DURATION_OFF, FIELD(break_work), 0, 1 },
        { "breaks",   "break",          KEY_DURATION,  FIELD(break_length), 0, 1 },
        { "breaks",   "postpone",       KEY_DURATION,  FIELD(break_postpone), 0, 1 },
        { "breaks",   "winddown",       KEY_CLOCK_OFF, FIELD(winddown_minute), 0, 0 },
        { "breaks",   "pause_after",    KEY_COUNT,     FIELD(pause_after), 0, 1000 },
        { "quiet",    "hours",          KEY_WINDOW,    FIELD(quiet_start), FIELD(quiet_end), 0 },
        { "quiet",    "weekend",        KEY_WEEKEND_RULE, FIELD(weekend_hold), 0, 0 },
        { "quiet",    "weekend_days",   KEY_WEEKDAYS,  FIELD(weekend_days), 0, 0 },
        { "quiet",    "weekend_hours",  KEY_WINDOW,    FIELD(weekend_quiet_start), FIELD(weekend_quiet_end), 0 },
        { "reminders", "digest_window", KEY_DURATION_OFF, FIELD(digest_window), 0, 1 },
        { "sync",     "tasks",          KEY_PATHS,     FIELD(sync_tasks), FIELD(n_sync_tasks), 1 },
        { "sync",     "contacts",       KEY_PATHS,     FIELD(sync_contacts), FIELD(n_sync_contacts), 1 },
};

static const KeySpec *find_key(const char *group, const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(keys[i].group, group) == 0 && (!key || strcmp(keys[i].key, key) == 0))
                        return &keys[i];
        return NULL;
}

int config_parse(const char *text, size_t len, const char *name, Config *ret,
                 char *errbuf, size_t errsize) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        Parser p = { .text = text, .len = len, .name = name, .kf = kf, .errbuf = errbuf, .errsize = errsize };
        Config c;
        int r = 0;

        if (len > CONFIG_FILE_MAX) {
                parser_error(&p, NULL, NULL, "the file is larger than %d KiB", CONFIG_FILE_MAX / 1024);
                return -E2BIG;
        }
        if (memchr(text, '\0', len) || !utf8_valid(text, len))
                return parser_error(&p, NULL, NULL, "the file is not UTF-8 text");

        if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &error))
                return parser_error(&p, NULL, NULL, "%s", error->message);

        config_defaults(&c);

        g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
        for (size_t g = 0; groups[g] && r == 0; g++) {
                if (!find_key(groups[g], NULL)) {
                        r = parser_error(&p, groups[g], NULL, "unknown section");
                        break;
                }
                g_auto(GStrv) names = g_key_file_get_keys(kf, groups[g], NULL, NULL);
                for (size_t k = 0; names && names[k] && r == 0; k++) {
                        const KeySpec *spec = find_key(groups[g], names[k]);
                        if (!spec) {
                                r = parser_error(&p, groups[g], names[k], "unknown key");
                                break;
                        }
                        char *base = (char *) &c;
                        switch (spec->type) {
                        case KEY_DURATION:
                                r = get_duration(&p, spec->group, spec->key, spec->min,
                                                 (int64_t *) (base + spec->offset));
                                break;
                        case KEY_COUNT:
                                r = get_count(&p, spec->group, spec->key, (int) spec->min,
                                              (int *) (base + spec->offset));
                                break;
                        case KEY_CLOCK:
                                r = get_clock(&p, spec->group, spec->key, (int *) (base + spec->offset));
                                break;
                        case KEY_WEEKLY:
                                r = get_weekly(&p, spec->group, spec->key, (int *) (base + spec->offset),
                                               (int *) (base + spec->offset2));
                                break;
                        case KEY_DURATION_OFF:
                                r = get_duration_or_off(&p, spec->group, spec->key, spec->min,
                                                        (int64_t *) (base + spec->offset));
                                break;
                        case KEY_CLOCK_OFF:
                                r = get_clock_or_off(&p, spec->group, spec->key, (int *) (base + spec->offset));
                                break;
                        case KEY_WINDOW:
                                r = get_window(&p, spec->group, spec->key, (int *) (base + spec->offset),
                                               (int *) (base + spec->offset2));
                                break;
                        case KEY_WEEKDAYS:
                                r = get_weekdays(&p, spec->group, spec->key, (unsigned *) (base + spec->offset));
                                break;
                        case KEY_WEEKEND_RULE:
                                r = get_weekend_rule(&p, spec->group, spec->key, (bool *) (base + spec->offset));
                                break;
                        case KEY_PATHS:
                        case KEY_ADDRESSES: {
                                size_t *n = (size_t *) (base + spec->offset2);
                                char **list = (char **) (base + spec->offset);
                                /* A repeated key replaces the earlier list. */
                                for (size_t i = 0; i < *n; i++)
                                        free(list[i]);
                                *n = 0;
                                r = get_list(&p, spec->group, spec->key, spec->type == KEY_PATHS, list,
                                             (size_t) spec->min, n);
                                break;
                        }
                        }
                }
        }

        /* A weekend that never ends would hold reminders for ever. */
        if (r == 0 && c.weekend_hold && c.weekend_days == 0x7f)
                r = parser_error(&p, "quiet", g_key_file_has_key(kf, "quiet", "weekend_days", NULL) ?
                                 "weekend_days" : "weekend",
                                 "with weekend = hold, not every day can be a weekend day");

        if (r < 0) {
                config_clear(&c);
                return r;
        }
        *ret = c;
        return 0;
}

int config_load(const char *path, Config *ret, char *errbuf, size_t errsize) {
        g_autofree char *text = NULL;
        g_autoptr(GError) error = NULL;
        gsize len = 0;
        struct stat st;

        if (stat(path, &st) < 0) {
                if (errno == ENOENT) {
                        config_defaults(ret);
                        return 0;
                }
                int r = -errno;
                snprintf(errbuf, errsize, "%s: %s", path, strerror(errno));
                return r;
        }
        if (st.st_size > CONFIG_FILE_MAX) {
                snprintf(errbuf, errsize, "%s: the file is larger than %d KiB", path, CONFIG_FILE_MAX / 1024);
                return -E2BIG;
        }
        if (!g_file_get_contents(path, &text, &len, &error)) {
                snprintf(errbuf, errsize, "%s: %s", path, error->message);
                return -EIO;
        }
        return config_parse(text, len, path, ret, errbuf, errsize);
}

char *config_default_path(void) {
        const char *config_home = getenv("XDG_CONFIG_HOME");
        const char *home = getenv("HOME");
        char *path = NULL;

        if (config_home && config_home[0] == '/') {
                if (asprintf(&path, "%s/netctl/netctl.conf", config_home) < 0)
                        return NULL;
        } else if (home && home[0] == '/') {
                if (asprintf(&path, "%s/.config/netctl/netctl.conf", home) < 0)
                        return NULL;
        }
        return path;
}
