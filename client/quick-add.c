/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "bus-names.h"
#include "dbus-wire.h"
#include "direct-socket.h"
#include "macro.h"
#include "quick-add.h"
#include "report.h"

/* How long a call may wait for its reply: sd-bus's default, which the
 * full client uses for an add. */
#define CALL_TIMEOUT_USEC (25 * 1000000ULL)

/* Bytes read from the socket and not yet used. */
typedef struct Inbox {
        uint8_t *data;
        size_t size, allocated;
} Inbox;

static void inbox_free(Inbox *in) {
        free(in->data);
}

/* Reads what the socket has, waiting until `deadline` (CLOCK_MONOTONIC,
 * usec) for something.  Returns the bytes read, 0 at end of file,
 * -ETIMEDOUT, or negative errno. */
static ssize_t inbox_fill(Inbox *in, int fd, uint64_t deadline) {
        if (in->allocated - in->size < 4096) {
                /* Whole messages are used or passed over as they come in,
                 * so what is held is less than one (WIRE_MESSAGE_MAX) and
                 * one read. */
                if (in->size > WIRE_MESSAGE_MAX)
                        return -EBADMSG;
                size_t want = in->allocated ? in->allocated * 2 : 8192;
                uint8_t *grown = realloc(in->data, want);
                if (!grown)
                        return -ENOMEM;
                in->data = grown;
                in->allocated = want;
        }
        for (;;) {
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                uint64_t wait_ms = (deadline - now + 999) / 1000;
                int r = poll(&p, 1, (int) (wait_ms > 60000 ? 60000 : wait_ms));
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (r <= 0)
                        continue;
                ssize_t n = recv(fd, in->data + in->size, in->allocated - in->size, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                in->size += (size_t) n;
                return n;
        }
}

static void inbox_consume(Inbox *in, size_t n) {
        memmove(in->data, in->data + n, in->size - n);
        in->size -= n;
}

static int send_all(int fd, const void *data, size_t size) {
        const uint8_t *p = data;
        while (size > 0) {
                ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

static int handshake_send(int fd) {
        char line[64];
        return send_all(fd, line, wire_auth_external((uint32_t) getuid(), line));
}

/* Waits, within DIRECT_HANDSHAKE_USEC, for netctld's "OK <guid>" line;
 * what follows it stays in the inbox. */
static int handshake_finish(int fd, Inbox *in) {
        uint64_t deadline = now_usec() + DIRECT_HANDSHAKE_USEC;
        for (;;) {
                const uint8_t *eol = in->size >= 2 ? memmem(in->data, in->size, "\r\n", 2) : NULL;
                if (eol) {
                        if (in->size < 3 || memcmp(in->data, "OK ", 3) != 0)
                                return -EPERM;          /* REJECTED, or not D-Bus */
                        inbox_consume(in, (size_t) (eol - in->data) + 2);
                        return 0;
                }
                if (in->size > 512)
                        return -EBADMSG;
                ssize_t n = inbox_fill(in, fd, deadline);
                if (n == 0)
                        return -ECONNRESET;
                if (n < 0)
                        return (int) n;
        }
}

static int add_call_build(const AddArgs *args, uint32_t serial, WireWriter *w) {
        wire_call_begin(w, serial, NETCTL_OBJECT_PATH, NETCTL_IFACE_FOLLOWUPS, "Add", "sxa{sv}");
        wire_append_string(w, args->text);
        wire_append_int64(w, args->due);
        wire_dict_begin(w);
        if (args->every > 0)
                wire_dict_append_uint64(w, "every", (uint64_t) args->every);
        if (args->fixed)
                wire_dict_append_bool(w, "every_fixed", true);
        if (args->contact)
                wire_dict_append_string(w, "contact", args->contact);
        wire_dict_end(w);
        return wire_message_end(w);
}

/* Reads messages until the answer to `serial`: returns its exit status
 * after printing what add prints. */
static int add_reply_read(int fd, Inbox *in, uint32_t serial, const AddArgs *args) {
        uint64_t deadline = now_usec() + CALL_TIMEOUT_USEC;
        for (;;) {
                size_t size;
                int r = wire_message_size(in->data, in->size, &size);
                if (r == 0 && in->size >= size) {
                        WireMessage m;
                        r = wire_message_parse(in->data, size, &m);
                        if (r < 0)
                                return fail("unexpected reply from netctld: %s", strerror(-r));
                        if ((m.type == WIRE_METHOD_RETURN || m.type == WIRE_ERROR) && m.reply_serial == serial) {
                                if (m.type == WIRE_ERROR) {
                                        const char *message;
                                        if (wire_body_read_string(&m, &message) == 0)
                                                return fail("%s", message);
                                        return fail("%s", m.error_name ? m.error_name : "netctld refused the call");
                                }
                                uint64_t id;
                                r = wire_body_read_uint64(&m, &id);
                                if (r < 0)
                                        return fail("unexpected reply from netctld: %s", strerror(-r));
                                add_args_print_added(args, id);
                                return 0;
                        }
                        /* Not ours (netctld sends nothing else on a direct
                         * connection today): passed over. */
                        inbox_consume(in, size);
                        continue;
                }
                if (r < 0 && r != -EAGAIN)
                        return fail("unexpected reply from netctld: %s", strerror(-r));

                ssize_t n = inbox_fill(in, fd, deadline);
                if (n == 0)
                        return fail_no_answer("the connection closed");
                if (n == -ETIMEDOUT)
                        return fail_no_answer("no reply in 25 s");
                if (n < 0)
                        return fail_no_answer(strerror((int) -n));
        }
}

int quick_add(int argc, char *argv[], int *ret_status) {
        _cleanup_(inbox_free) Inbox in = {};
        _cleanup_(wire_writer_free) WireWriter call = {};
        AddArgs args;

        /* --color is the full client's to take out of argv. */
        for (int i = 1; i < argc; i++)
                if (strncmp(argv[i], "--color", 7) == 0)
                        return 0;

        /* The handshake goes out first, so that netctld answers it while
         * the locale loads and the arguments are read. */
        _cleanup_close_ int fd = direct_socket_connect();
        if (fd < 0 || handshake_send(fd) < 0)
                return 0;

        locale_setup();
        opterr = 0;
        int r = add_args_parse(argc, argv, &args);
        if (r == 1)
                return 0;               /* --help */
        if (r != 0) {
                *ret_status = r;
                return 1;
        }

        if (handshake_finish(fd, &in) < 0) {
                /* The full client would try the socket again, and wait as
                 * long for it: it goes to the session bus at once. */
                (void) setenv("NETCTL_DIRECT", "0", 1);
                return 0;
        }
        if (add_call_build(&args, 1, &call) < 0)
                return 0;
        /* From here on the call may have reached netctld: whatever
         * happens is reported, never handed over to be tried again. */
        r = send_all(fd, call.data, call.size);
        if (r < 0) {
                *ret_status = fail_no_answer(strerror(-r));
                return 1;
        }
        *ret_status = add_reply_read(fd, &in, 1, &args);
        return 1;
}
