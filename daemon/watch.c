/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "calendar.h"
#include "log.h"
#include "schedule.h"
#include "watch.h"

/* A complete file arrived (written and closed, or renamed in, as
 * vdirsyncer and editors do); or left. */
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR)

static bool is_calendar_file(const char *name) {
        size_t n = strlen(name);
        /* Hidden and temporary files are other programs' work in progress. */
        return name[0] != '.' && n > 4 && strcasecmp(name + n - 4, ".ics") == 0;
}

static bool is_mirror(const Context *c, const char *dir) {
        /* Index 0 is the inbox, a drop box; the rest mirror calendars. */
        return c->n_watch > 0 && strcmp(dir, c->watch_dirs[0]) != 0;
}

static int on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata) {
        Context *c = userdata;
        const char *dir = NULL;
        char path[4096];

        for (size_t i = 0; i < c->n_watch; i++)
                if (c->watch_sources[i] == s)
                        dir = c->watch_dirs[i];
        if (!dir || ev->len == 0 || !is_calendar_file(ev->name))
                return 0;
        if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, ev->name) >= sizeof path)
                return 0;

        if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
                (void) calendar_import_path(c, path, is_mirror(c, dir));
        else if ((ev->mask & (IN_DELETE | IN_MOVED_FROM)) && is_mirror(c, dir))
                (void) calendar_forget_path(c, path);
        return 0;
}

static int on_scan(sd_event_source *s, void *userdata) {
        Context *c = userdata;

        for (size_t i = 0; i < c->n_watch; i++)
                (void) calendar_scan_directory(c, c->watch_dirs[i], is_mirror(c, c->watch_dirs[i]));
        c->watch_scan = sd_event_source_disable_unref(c->watch_scan);
        return 0;
}

/* timedatectl set-timezone replaces the /etc/localtime symlink. */
static int on_etc_change(sd_event_source *s, const struct inotify_event *ev, void *userdata) {
        Context *c = userdata;

        if (ev->len > 0 && strcmp(ev->name, "localtime") == 0)
                (void) schedule_arm_next(c);
        return 0;
}

void watch_free(Context *c) {
        for (size_t i = 0; i < c->n_watch; i++) {
                c->watch_sources[i] = sd_event_source_disable_unref(c->watch_sources[i]);
                free(c->watch_dirs[i]);
                c->watch_dirs[i] = NULL;
        }
        c->n_watch = 0;
        c->watch_scan = sd_event_source_disable_unref(c->watch_scan);
        c->zone_watch = sd_event_source_disable_unref(c->zone_watch);
}

const char *watch_inbox_path(const Context *c) {
        return c->n_watch > 0 ? c->watch_dirs[0] : NULL;
}

static char *inbox_path(const Context *c) {
        /* Next to the database: $XDG_DATA_HOME/netctl/inbox. */
        char *path = NULL;
        const char *slash = strrchr(c->database_path, '/');
        if (!slash)
                return NULL;
        if (asprintf(&path, "%.*s/inbox", (int) (slash - c->database_path), c->database_path) < 0)
                return NULL;
        return path;
}

static int watch_add(Context *c, const char *dir) {
        size_t i = c->n_watch;
        int r;

        c->watch_dirs[i] = strdup(dir);
        if (!c->watch_dirs[i])
                return -ENOMEM;
        r = sd_event_add_inotify(c->event, &c->watch_sources[i], dir, WATCH_MASK, on_inotify, c);
        if (r < 0) {
                free(c->watch_dirs[i]);
                c->watch_dirs[i] = NULL;
                return log_warning_errno(r, "Cannot watch %s: %m", dir);
        }
        (void) sd_event_source_set_description(c->watch_sources[i], "calendar-watch");
        c->n_watch++;
        return 0;
}

int watch_setup(Context *c) {
        _cleanup_free_ char *inbox = inbox_path(c);
        int r;

        watch_free(c);
        if (!inbox)
                return -ENOMEM;

        if (mkdir(inbox, 0700) < 0 && errno != EEXIST)
                return log_warning_errno(-errno, "Cannot create the inbox %s: %m", inbox);
        r = watch_add(c, inbox);
        if (r < 0)
                return r;

        for (size_t i = 0; i < c->config.n_watch; i++)
                /* A directory that cannot be watched is reported and skipped;
                 * the others still work. */
                (void) watch_add(c, c->config.watch[i]);

        /* Not essential: without it a zone change is noticed at the next
         * change to the schedule or the next reminder. */
        if (sd_event_add_inotify(c->event, &c->zone_watch, "/etc",
                                 IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR,
                                 on_etc_change, c) >= 0)
                (void) sd_event_source_set_description(c->zone_watch, "zone-watch");

        /* Files that changed while we were not running: looked at once the
         * bus is serving, so start-up stays quick. */
        r = sd_event_add_defer(c->event, &c->watch_scan, on_scan, c);
        if (r < 0)
                return log_warning_errno(r, "Cannot schedule the calendar scan: %m");
        (void) sd_event_source_set_priority(c->watch_scan, SD_EVENT_PRIORITY_IDLE);
        return 0;
}
