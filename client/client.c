/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus-names.h"
#include "client.h"

static sd_bus *client_bus_connection;

int fail(const char *fmt, ...) {
        va_list ap;
        fputs("netctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return EXIT_FAILURE;
}

int usage_error(const char *verb, const char *fmt, ...) {
        va_list ap;
        fputs("netctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        if (verb)
                fprintf(stderr, "\nTry 'netctl %s --help'.\n", verb);
        else
                fputs("\nTry 'netctl --help'.\n", stderr);
        return EXIT_USAGE;
}

int64_t now_seconds(void) {
        return (int64_t) time(NULL);
}

int client_bus(sd_bus **ret) {
        int r;

        if (!client_bus_connection) {
                r = sd_bus_open_user(&client_bus_connection);
                if (r < 0) {
                        fail("cannot connect to the session bus: %s. Is this a desktop session "
                             "(DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus)?", strerror(-r));
                        return r;
                }
        }
        *ret = client_bus_connection;
        return 0;
}

/* Starting netctld through the user's service manager.
 *
 * D-Bus activation would do it too, but when the start fails (a damaged
 * database makes netctld exit with 78) systemd does not tell dbus-daemon,
 * which keeps the call waiting for its own activation timeout, 25 s, and
 * then says only that there was no reply.  So calls go out without
 * auto-start; when netctld is not on the bus, the client asks systemd to
 * start netctld.service, as `systemctl --user start` would, and learns at
 * once how the start ended. */
#define SYSTEMD_BUS_NAME       "org.freedesktop.systemd1"
#define SYSTEMD_OBJECT_PATH    "/org/freedesktop/systemd1"
#define SYSTEMD_IFACE_MANAGER  "org.freedesktop.systemd1.Manager"
#define NETCTLD_UNIT           "netctld.service"
/* A last resort: systemd ends the start job by the unit's own start
 * timeout (90 s by default) if netctld never gets ready. */
#define START_TIMEOUT_USEC     (90 * 1000000ULL)

static uint64_t monotonic_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

typedef struct StartJob {
        const char *path;       /* the job systemd gave us */
        char result[32];        /* "done", "failed", ... once it ended */
} StartJob;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        StartJob *job = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (job->path && strcmp(path, job->path) == 0)
                snprintf(job->result, sizeof job->result, "%s", result);
        return 0;
}

/* After a failed start: why, from the unit (netctld says it in STATUS=). */
static void report_start_failure(sd_bus *bus, const char *result) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *status = NULL;
        const char *unit_path = NULL;
        int32_t exit_status = 0;

        if (sd_bus_call_method(bus, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH, SYSTEMD_IFACE_MANAGER,
                               "GetUnit", NULL, &reply, "s", NETCTLD_UNIT) >= 0 &&
            sd_bus_message_read(reply, "o", &unit_path) >= 0) {
                (void) sd_bus_get_property_string(bus, SYSTEMD_BUS_NAME, unit_path,
                                                  "org.freedesktop.systemd1.Service", "StatusText",
                                                  NULL, &status);
                (void) sd_bus_get_property_trivial(bus, SYSTEMD_BUS_NAME, unit_path,
                                                   "org.freedesktop.systemd1.Service", "ExecMainStatus",
                                                   NULL, 'i', &exit_status);
        }
        if (status && *status)
                fail("netctld could not start: %s (exit status %" PRIi32 "). "
                     "See 'journalctl --user -u netctld'.", status, exit_status);
        else if (exit_status != 0)
                fail("netctld could not start (exit status %" PRIi32 "). "
                     "See 'journalctl --user -u netctld'.", exit_status);
        else
                fail("netctld could not start (the start job ended \"%s\"). "
                     "See 'systemctl --user status netctld'.", result);
}

/* 1: started (or already running); 0: no service manager to ask (the
 * caller falls back on D-Bus activation); negative: the start failed, and
 * the user was told why. */
static int client_start_daemon(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        StartJob job = {};
        int r;

        /* Watch for the end of the job before there is one to miss. */
        r = sd_bus_match_signal(bus, &slot, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH, SYSTEMD_IFACE_MANAGER,
                                "JobRemoved", on_job_removed, &job);
        if (r < 0)
                return 0;
        r = sd_bus_call_method(bus, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT_PATH, SYSTEMD_IFACE_MANAGER,
                               "StartUnit", &error, &reply, "ss", NETCTLD_UNIT, "replace");
        if (r < 0) {
                /* No user manager on this bus, or netctld is not installed
                 * as a unit: D-Bus activation is all there is. */
                if (sd_bus_error_has_name(&error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                    sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
                    sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                        return 0;
                fail("netctld could not be started: %s. See 'systemctl --user status netctld'.",
                     error.message ? error.message : strerror(-r));
                return r;
        }
        r = sd_bus_message_read(reply, "o", &job.path);
        if (r < 0)
                return fail("cannot read systemd's answer: %s", strerror(-r)), r;

        uint64_t deadline = monotonic_usec() + START_TIMEOUT_USEC;
        while (job.result[0] == '\0') {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return fail("lost the session bus while netctld started: %s", strerror(-r)), r;
                if (r > 0)
                        continue;
                uint64_t now = monotonic_usec();
                if (now >= deadline) {
                        fail("netctld did not finish starting. See 'systemctl --user status netctld'.");
                        return -ETIMEDOUT;
                }
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0)
                        return fail("lost the session bus while netctld started: %s", strerror(-r)), r;
        }
        if (strcmp(job.result, "done") != 0) {
                report_start_failure(bus, job.result);
                return -ESRCH;
        }
        return 1;
}

static void report_bus_error(const sd_bus_error *error, int r) {
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
            sd_bus_error_has_name(error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                fail("netctld is not running and could not be started by D-Bus activation. "
                     "Check 'systemctl --user status netctld'.");
        else if (sd_bus_error_has_name(error, "org.freedesktop.systemd1.LoadFailed") ||
                 sd_bus_error_has_name(error, "org.freedesktop.DBus.Error.Spawn.ChildExited") ||
                 sd_bus_error_has_name(error, "org.freedesktop.DBus.Error.Spawn.Failed") ||
                 (error->name && strncmp(error->name, "org.freedesktop.systemd1.", 25) == 0))
                fail("netctld could not be started: %s. See 'journalctl --user -u netctld'.",
                     error->message ? error->message : error->name);
        else if (sd_bus_error_has_name(error, SD_BUS_ERROR_NO_REPLY) ||
                 sd_bus_error_has_name(error, SD_BUS_ERROR_TIMEOUT))
                /* Also what a daemon that died mid-call looks like: the change
                 * may have been committed before it went. */
                fail("netctld did not answer (%s); check with 'netctl list' whether the change was made.",
                     error->message ? error->message : "no reply");
        else if (error->message)
                fail("%s", error->message);
        else
                fail("calling netctld failed: %s", strerror(-r));
}

int client_new_call(const char *interface, const char *method, sd_bus_message **ret) {
        sd_bus *bus;
        int r = client_bus(&bus);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, ret, NETCTL_BUS_NAME, NETCTL_OBJECT_PATH,
                                           interface, method);
        /* Not started by dbus-daemon: see client_start_daemon(). */
        if (r >= 0)
                r = sd_bus_message_set_auto_start(*ret, false);
        if (r < 0)
                fail("cannot build the request: %s", strerror(-r));
        return r;
}

/* The same call again, in a new message (a sent one is sealed). */
static int copy_call(sd_bus *bus, sd_bus_message *m, bool auto_start, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *copy = NULL;
        int r = sd_bus_message_new_method_call(bus, &copy, sd_bus_message_get_destination(m),
                                               sd_bus_message_get_path(m),
                                               sd_bus_message_get_interface(m),
                                               sd_bus_message_get_member(m));
        if (r >= 0)
                r = sd_bus_message_set_auto_start(copy, auto_start);
        if (r >= 0)
                r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = sd_bus_message_copy(copy, m, true);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(copy);
        return 0;
}

static bool daemon_absent(const sd_bus_error *error) {
        return sd_bus_error_has_name(error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                sd_bus_error_has_name(error, SD_BUS_ERROR_NAME_HAS_NO_OWNER);
}

int client_call_message_timeout(sd_bus_message *m, uint64_t timeout_usec, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *again = NULL;
        sd_bus *bus;
        int r = client_bus(&bus);
        if (r < 0)
                return r;

        r = sd_bus_call(bus, m, timeout_usec, &error, ret_reply);
        if (r >= 0 || !daemon_absent(&error)) {
                if (r < 0)
                        report_bus_error(&error, r);
                return r;
        }

        /* netctld is not running: start it, then ask again. */
        int started = client_start_daemon(bus);
        if (started < 0)
                return started;
        r = copy_call(bus, m, started == 0, &again);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r)), r;
        sd_bus_error_free(&error);
        r = sd_bus_call(bus, again, timeout_usec, &error, ret_reply);
        if (r < 0)
                report_bus_error(&error, r);
        return r;
}

int client_call_message(sd_bus_message *m, sd_bus_message **ret_reply) {
        return client_call_message_timeout(m, 0, ret_reply);
}

int client_call(const char *interface, const char *method, sd_bus_message **ret_reply,
                const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = client_new_call(interface, method, &m);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return fail("cannot build the request: %s", strerror(-r)), r;
        }
        return client_call_message(m, ret_reply);
}

int parse_id(const char *verb, const char *s, uint64_t *ret) {
        char *end;

        if (s[0] == '#')
                s++;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v == 0) {
                usage_error(verb, "\"%s\" is not a follow-up id (a number such as 12).", s);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

int option_error(const char *verb, char *argv[]) {
        const char *arg = optind > 0 ? argv[optind - 1] : "";

        /* For a long option the offending word is the last one getopt
         * looked at; for a short one getopt leaves it in optopt. */
        if (arg && strncmp(arg, "--", 2) == 0) {
                const char *eq = strchr(arg, '=');
                return usage_error(verb, "option %.*s is unknown or needs a value.",
                                   eq ? (int) (eq - arg) : (int) strlen(arg), arg);
        }
        if (optopt != 0)
                return usage_error(verb, "option -%c is unknown or needs a value.", optopt);
        return usage_error(verb, "option %s is unknown or needs a value.", arg ? arg : "");
}

int run_on_ids(int argc, char *argv[], const char *verb, const char *missing, const char *interface,
               const char *method, const char *done_word) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int status = 0, c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                if (c == 'h') {
                        verb_help(verb);
                        return 0;
                }
                return option_error(verb, argv);
        }
        if (optind >= argc)
                return usage_error(verb, "%s", missing);

        /* Every id is checked before anything changes. */
        for (int i = optind; i < argc; i++) {
                uint64_t id;
                if (parse_id(verb, argv[i], &id) < 0)
                        return EXIT_USAGE;
        }
        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                uint64_t id;

                (void) parse_id(verb, argv[i], &id);
                if (client_call(interface, method, &reply, "t", id) < 0) {
                        status = EXIT_FAILURE;
                        continue;
                }
                printf("%s #%" PRIu64 ".\n", done_word, id);
        }
        return status;
}
