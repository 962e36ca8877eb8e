/* SPDX-License-Identifier: MIT */
/* netctld: keeps the follow-up schedule and raises reminders on time. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "attention.h"
#include "bus-names.h"
#include "bus-direct.h"
#include "bus.h"
#include "calendar.h"
#include "context.h"
#include "goals.h"
#include "log.h"
#include "schedule.h"
#include "selfcare.h"
#include "sync.h"
#include "watch.h"

/* The exit status for "the database cannot be used": the unit's
 * RestartPreventExitStatus= names it, so a damaged or too-new database does
 * not make systemd restart us in a loop. */
#define EXIT_DATABASE_UNUSABLE EX_CONFIG

static char *database_path_from_env(void) {
        const char *override = getenv("NETCTL_DATABASE");
        const char *data_home = getenv("XDG_DATA_HOME");
        const char *home = getenv("HOME");
        char *path = NULL;

        if (override && override[0] == '/')
                return strdup(override);
        if (data_home && data_home[0] == '/') {
                if (asprintf(&path, "%s/netctl/netctl.db", data_home) < 0)
                        return NULL;
        } else if (home && home[0] == '/') {
                if (asprintf(&path, "%s/.local/share/netctl/netctl.db", home) < 0)
                        return NULL;
        }
        return path;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        log_info("Received %s, exiting", strsignal((int) si->ssi_signo));
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int on_reload_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Context *c = userdata;
        (void) context_reload(c);
        return 0;
}

static void help(void) {
        printf("netctld [OPTIONS]\n\n"
               "The netctl daemon: keeps the follow-up schedule and raises desktop reminders.\n"
               "It is started by systemd (netctld.service), usually through D-Bus activation.\n\n"
               "  -h --help       Show this help\n"
               "     --version    Show the version\n\n"
               "Signals: SIGHUP re-reads the config file; SIGTERM exits.\n"
               "Environment: XDG_DATA_HOME (database under netctl/), NETCTL_DATABASE (a path\n"
               "that overrides it), NETCTL_LOG_LEVEL=debug.\n"
               "See netctld(8).\n");
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("netctld %s\n", NETCTL_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "netctld: unexpected argument \"%s\"\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static int run(Context *c) {
        char store_error[512] = "";
        int r;

        /* The fixed order: event loop, signals, state, bus objects, bus
         * name, READY=1, loop. */
        r = sd_event_default(&c->event);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop: %m");

        r = sd_event_add_signal(c->event, NULL, SIGTERM, on_exit_signal, c);
        if (r >= 0)
                r = sd_event_add_signal(c->event, NULL, SIGINT, on_exit_signal, c);
        if (r >= 0)
                r = sd_event_add_signal(c->event, NULL, SIGHUP, on_reload_signal, c);
        if (r < 0)
                return log_error_errno(r, "Cannot handle signals: %m");

        /* Pings the watchdog when WatchdogSec= is set, and only then. */
        r = sd_event_set_watchdog(c->event, true);
        if (r < 0)
                log_warning_errno(r, "Cannot enable the watchdog: %m");

        c->database_path = database_path_from_env();
        if (!c->database_path)
                return log_error_errno(-ENOENT, "Neither XDG_DATA_HOME nor HOME is set; "
                                       "cannot place the database");

        /* A bad config file does not stop the daemon: the defaults serve,
         * and the reason shows in the journal and in "netctl status". */
        c->config_path = config_default_path();
        config_defaults(&c->config);
        r = context_load_config(c);
        if (r < 0)
                log_warning("Ignoring the config file, using the defaults: %s", c->config_error);

        r = store_open(c->database_path, store_error, sizeof store_error, &c->store);
        if (r < 0) {
                log_error_errno(r, "Cannot use the database: %s", store_error);
                (void) sd_notifyf(0, "STATUS=Cannot use the database: %s\nERRNO=%d", store_error, -r);
                return -EX_CONFIG;
        }
        store_set_checkpoint_later(c->store, context_checkpoint_later, c);

        /* A reminder that was being shown when we died goes out again now:
         * at most a duplicate if we died in the instant after the server
         * took it, never a loss. */
        r = store_reminders_reset_sending(c->store);
        if (r < 0)
                log_warning_errno(r, "Cannot reset reminders left in flight: %s",
                                  store_last_error(c->store));

        r = notifier_new(c->event, schedule_on_notifier_event, c, &c->notifier);
        if (r < 0)
                return log_error_errno(r, "Cannot start the notifier: %m");

        r = schedule_setup(c);
        if (r < 0)
                return log_error_errno(r, "Cannot create the due timer: %m");

        r = calendar_setup(c);
        if (r < 0)
                return log_error_errno(r, "Cannot create the calendar window timer: %m");

        r = goals_setup(c);
        if (r < 0)
                return log_error_errno(r, "Cannot create the weekly goals timer: %m");

        /* Watching is not essential: a failure is logged and netctld serves. */
        (void) watch_setup(c);
        r = sync_setup(c);
        if (r < 0)
                return log_error_errno(r, "Cannot set up sync: %m");

        r = sd_bus_open_user_with_description(&c->bus, "netctld");
        if (r < 0)
                return log_error_errno(r, "Cannot connect to the session bus: %m");
        r = sd_bus_attach_event(c->bus, c->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Cannot attach the bus to the event loop: %m");
        (void) sd_bus_set_exit_on_disconnect(c->bus, true);

        r = bus_setup(c);
        if (r < 0)
                return r;

        /* What watches the desktop: the notification server's pause, the
         * idle sources of the break cycle.  After the bus, before the
         * name: they only listen, and every call they make is async. */
        r = attention_setup(c);
        if (r < 0)
                return log_error_errno(r, "Cannot set up quiet hours: %m");
        r = selfcare_setup(c);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the break cycle: %m");

        r = sd_bus_request_name(c->bus, NETCTL_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Cannot take the bus name %s (is another netctld running?): %m",
                                       NETCTL_BUS_NAME);

        /* After the name: the netctld that holds it owns the socket. */
        r = bus_direct_setup(c);
        if (r < 0)
                return r;

        /* A config changed while we were stopped re-plans what it plans. */
        (void) schedule_follow_config(c);

        /* Anything that fell due while we were not running is due now:
         * arming the timer for it fires it at once. */
        r = schedule_arm_next(c);
        if (r < 0)
                return r;

        (void) sd_notify(0, "READY=1");
        log_info("netctld %s serving %s", NETCTL_VERSION, c->database_path);

        r = sd_event_loop(c->event);
        (void) sd_notify(0, "STOPPING=1");
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return 0;
}

int main(int argc, char *argv[]) {
        sigset_t mask;
        int r;

        log_setup();

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EX_USAGE : EXIT_SUCCESS;

        /* A ListStream reader that goes away is EPIPE on the next write
         * (row-stream.c), not the end of netctld. */
        (void) signal(SIGPIPE, SIG_IGN);

        /* Block the signals the loop handles before any thread starts, so
         * the notifier thread (and GLib's) inherit the mask. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
                return EXIT_FAILURE;

        Context *c = calloc(1, sizeof *c);
        if (!c)
                return EXIT_FAILURE;
        c->uid = geteuid();

        r = run(c);
        context_free(c);

        if (r == -EX_CONFIG)
                return EXIT_DATABASE_UNUSABLE;
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
