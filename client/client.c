/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus-names.h"
#include "client.h"
#include "direct-socket.h"
#include "unit-watch.h"

static sd_bus *client_bus_connection;

/* netctld's direct socket (direct-socket.h), when it is there and
 * answers.  Any failure before a call is sent returns an error and the
 * caller uses the session bus.
 *
 * Two steps: client_direct_start() connects and sends the handshake,
 * client_direct_finish() waits for its answer.  client_connect_early()
 * takes the first step before the client loads its locale and reads its
 * arguments, so that netctld accepts and answers meanwhile. */
static sd_bus *client_direct_pending;

static int client_direct_start(sd_bus **ret) {
        /* Not flushed when given up: sd_bus_flush() would wait for the
         * handshake this gives up on. */
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        int r;

        int fd = direct_socket_connect();
        if (fd < 0)
                return fd;
        r = sd_bus_new(&bus);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = sd_bus_set_fd(bus, fd, fd);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

/* Finishes the handshake within a bound, so that a netctld that refuses
 * or does not answer sends us to the bus before any call is made (sd-bus
 * would wait for it anyway before sending the first). */
static int client_direct_finish(sd_bus *bus) {
        uint64_t deadline = now_usec() + DIRECT_HANDSHAKE_USEC;
        int r;

        while ((r = sd_bus_is_ready(bus)) == 0) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0 && r != -EINTR)
                        return r;
        }
        return r < 0 ? r : 0;
}

void client_connect_early(void) {
        if (!client_bus_connection && !client_direct_pending)
                (void) client_direct_start(&client_direct_pending);
}

int client_bus(sd_bus **ret) {
        int r;

        if (!client_bus_connection) {
                if (!client_direct_pending)
                        (void) client_direct_start(&client_direct_pending);
                if (client_direct_pending && client_direct_finish(client_direct_pending) >= 0)
                        client_bus_connection = TAKE_PTR(client_direct_pending);
                else
                        client_direct_pending = sd_bus_close_unref(client_direct_pending);
        }
        if (!client_bus_connection) {
                r = sd_bus_open_user(&client_bus_connection);
                if (r < 0) {
                        fail("cannot connect to the session bus: %s. Is this a desktop session "
                             "(DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus)?", strerror(-r));
                        return r;
                }
                /* No direct socket: netctld is probably not running, and
                 * the first call will start it. */
                unit_watch_begin(client_bus_connection);
        }
        *ret = client_bus_connection;
        return 0;
}

static void report_bus_error(const sd_bus_error *error, int r) {
        if (sd_bus_error_has_name(error, UNIT_WATCH_ERROR_FAILED))
                fail("netctld could not start: %s. Once that is mended, 'systemctl --user start netctld' "
                     "starts it; 'systemctl --user status netctld' shows more.", error->message);
        else if (sd_bus_error_has_name(error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
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
                fail_no_answer(error->message ? error->message : "no reply");
        else if (error->message)
                fail("%s", error->message);
        else
                fail("calling netctld failed: %s", strerror(-r));
}

typedef struct CallResult {
        bool done;
        sd_bus_message *reply;          /* the reply or the error reply */
} CallResult;

static int on_call_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        CallResult *result = userdata;
        result->done = true;
        result->reply = sd_bus_message_ref(m);
        return 0;
}

/* As sd_bus_call(), except that the call is written right behind the
 * connection's Hello: sd_bus_call() first waits for Hello's reply, a round
 * trip through dbus-daemon that a client making one call waits for in
 * vain (dbus-daemon handles the two in order anyway).  Timeouts and a lost
 * connection arrive as error replies, as sd-bus makes them. */
static int bus_call_pipelined(sd_bus *bus, sd_bus_message *m, sd_bus_error *error,
                              sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        CallResult result = {};
        int r;

        r = sd_bus_call_async(bus, &slot, m, on_call_reply, &result, 0);
        if (r < 0)
                return sd_bus_error_set_errno(error, r);
        while (!result.done) {
                uint64_t deadline;

                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return sd_bus_error_set_errno(error, r);
                if (r > 0)
                        continue;
                if (unit_watch_failed(&deadline)) {
                        _cleanup_free_ char *reason = unit_watch_reason(bus);
                        return sd_bus_error_set(error, UNIT_WATCH_ERROR_FAILED,
                                                reason ? reason : "netctld.service failed");
                }
                uint64_t now = now_usec();
                r = sd_bus_wait(bus, deadline == UINT64_MAX ? UINT64_MAX : deadline > now ? deadline - now : 0);
                if (r < 0 && r != -EINTR)
                        return sd_bus_error_set_errno(error, r);
        }

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = result.reply;
        if (sd_bus_message_is_method_error(reply, NULL))
                return sd_bus_error_copy(error, sd_bus_message_get_error(reply));
        *ret_reply = TAKE_PTR(reply);
        return 1;
}

void client_allow_long_calls(void) {
        sd_bus *bus;
        /* Without a bus the call that follows says why. */
        if (client_bus(&bus) >= 0)
                (void) sd_bus_set_method_call_timeout(bus, CLIENT_LONG_CALL_USEC);
}

int client_new_call(const char *interface, const char *method, sd_bus_message **ret) {
        sd_bus *bus;
        int r = client_bus(&bus);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(bus, ret, NETCTL_BUS_NAME, NETCTL_OBJECT_PATH,
                                           interface, method);
        if (r < 0)
                fail("cannot build the request: %s", strerror(-r));
        return r;
}

int client_call_message(sd_bus_message *m, sd_bus_message **ret_reply) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *bus;
        int r = client_bus(&bus);
        if (r < 0)
                return r;

        r = bus_call_pipelined(bus, m, &error, ret_reply);
        if (r < 0)
                report_bus_error(&error, r);
        sd_bus_error_free(&error);
        return r;
}

int client_call_message_optional(sd_bus_message *m, sd_bus_message **ret_reply) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *bus;
        int r = client_bus(&bus);
        if (r < 0)
                return r;

        r = bus_call_pipelined(bus, m, &error, ret_reply);
        if (r < 0 && (sd_bus_error_has_name(&error, SD_BUS_ERROR_UNKNOWN_METHOD) ||
                      sd_bus_error_has_name(&error, NETCTL_ERROR_BUSY))) {
                *ret_reply = NULL;
                r = 0;
        } else if (r < 0)
                report_bus_error(&error, r);
        sd_bus_error_free(&error);
        return r;
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
