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
        };
}

void config_clear(Config *c) {
        for (size_t i = 0; i < c->n_watch; i++)
                free(c->watch[i]);
        for (size_t i = 0; i < c->n_me; i++)
                free(c->me[i]);
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
