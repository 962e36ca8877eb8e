/* SPDX-License-Identifier: MIT */
/* The client's own D-Bus wire format (client/dbus-wire.c) against sd-bus,
 * over a socketpair as in systemd's test-bus-objects: the calls it writes
 * are read by an sd-bus server, argument by argument; the replies, errors
 * and signals that server writes are read back by it.  Then damaged
 * replies, each rejected, and a big-endian one, read. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "dbus-wire.h"
#include "macro.h"
#include "tap.h"

typedef struct Pair {
        sd_bus *server;
        int client;                     /* our end: raw bytes */
        uint8_t in[1 << 16];
        size_t in_size;
} Pair;

static void pump(Pair *p) {
        while (sd_bus_process(p->server, NULL) > 0)
                ;
        (void) sd_bus_flush(p->server);
}

/* Sets up the server and does the client's half of the handshake, as
 * quick-add.c does it (wire_auth_external() in one write). */
static int pair_open(Pair *p) {
        int fds[2];
        sd_id128_t id;
        char line[64];

        *p = (Pair) {};
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
                return -errno;
        p->client = fds[1];
        if (sd_id128_randomize(&id) < 0 || sd_bus_new(&p->server) < 0 ||
            sd_bus_set_fd(p->server, fds[0], fds[0]) < 0 || sd_bus_set_server(p->server, 1, id) < 0 ||
            sd_bus_start(p->server) < 0)
                return -EIO;

        size_t at = wire_auth_external((uint32_t) getuid(), line);
        if (write(p->client, line, at) != (ssize_t) at)
                return -EIO;
        for (int i = 0; i < 100 && !memmem(p->in, p->in_size, "\r\n", 2); i++) {
                pump(p);
                ssize_t got = recv(p->client, p->in + p->in_size, sizeof p->in - p->in_size, MSG_DONTWAIT);
                if (got > 0)
                        p->in_size += (size_t) got;
                else
                        usleep(1000);
        }
        uint8_t *eol = memmem(p->in, p->in_size, "\r\n", 2);
        if (!eol || memcmp(p->in, "OK ", 3) != 0)
                return -EPROTO;
        size_t used = (size_t) (eol - p->in) + 2;
        memmove(p->in, p->in + used, p->in_size - used);
        p->in_size -= used;
        return 0;
}

static void pair_close(Pair *p) {
        sd_bus_flush_close_unref(p->server);
        if (p->client >= 0)
                close(p->client);
}

/* Sends a written message and returns what the server read from it. */
static sd_bus_message *deliver(Pair *p, WireWriter *w) {
        if (write(p->client, w->data, w->size) != (ssize_t) w->size)
                return NULL;
        for (int i = 0; i < 1000; i++) {
                sd_bus_message *m = NULL;
                int r = sd_bus_process(p->server, &m);
                if (r < 0)
                        return NULL;
                if (m)
                        return m;
                if (r == 0)
                        (void) sd_bus_wait(p->server, 10000);
        }
        return NULL;
}

/* Reads the next whole message from the server into *ret (pointing into
 * p->in, valid until the next call); returns its size, or negative. */
static ssize_t next_message(Pair *p, WireMessage *ret) {
        for (int i = 0; i < 1000; i++) {
                size_t size;
                int r = wire_message_size(p->in, p->in_size, &size);
                if (r == 0 && p->in_size >= size) {
                        r = wire_message_parse(p->in, size, ret);
                        return r < 0 ? r : (ssize_t) size;
                }
                if (r < 0 && r != -EAGAIN)
                        return r;
                pump(p);
                struct pollfd pfd = { .fd = p->client, .events = POLLIN };
                if (poll(&pfd, 1, 10) > 0) {
                        ssize_t got = recv(p->client, p->in + p->in_size, sizeof p->in - p->in_size, 0);
                        if (got <= 0)
                                return -ECONNRESET;
                        p->in_size += (size_t) got;
                }
        }
        return -ETIMEDOUT;
}

static void drop_message(Pair *p, size_t size) {
        memmove(p->in, p->in + size, p->in_size - size);
        p->in_size -= size;
}

static void test_call_and_replies(void) {
        _cleanup_(wire_writer_free) WireWriter w = {}, w2 = {}, w3 = {};
        Pair p;
        WireMessage reply;
        const char *s;
        uint64_t u;
        int64_t x;

        CHECK_INT(pair_open(&p), 0, "handshake with an sd-bus server");

        /* A call with every option add sends, and text sd-bus must take
         * as valid UTF-8 with its length to the byte. */
        const char *text = "Thank Ana for the intro \xe2\x9c\x93 caf\xc3\xa9";
        wire_call_begin(&w, 7, "/org/netctl/Netctl1", "org.netctl.Netctl1.Followups", "Add", "sxa{sv}");
        wire_append_string(&w, text);
        wire_append_int64(&w, -1234567890123LL);
        wire_dict_begin(&w);
        wire_dict_append_uint64(&w, "every", 604800);
        wire_dict_append_bool(&w, "every_fixed", true);
        wire_dict_append_string(&w, "contact", "Ana Lima");
        wire_dict_end(&w);
        CHECK_INT(wire_message_end(&w), 0, "call written");

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = deliver(&p, &w);
        CHECK(call, "sd-bus read the call");
        if (!call) {
                pair_close(&p);
                return;
        }
        CHECK(sd_bus_message_is_method_call(call, "org.netctl.Netctl1.Followups", "Add"), "interface and member");
        CHECK_STR(sd_bus_message_get_path(call), "/org/netctl/Netctl1", "path");
        CHECK_STR(sd_bus_message_get_signature(call, true), "sxa{sv}", "signature");
        uint64_t cookie = 0;
        CHECK(sd_bus_message_get_cookie(call, &cookie) >= 0 && cookie == 7, "serial");
        CHECK(sd_bus_message_read(call, "sx", &s, &x) >= 0, "text and due read");
        CHECK_STR(s, text, "text");
        CHECK_INT(x, -1234567890123LL, "due");
        CHECK(sd_bus_message_enter_container(call, 'a', "{sv}") > 0, "options");
        const char *key, *contact = NULL;
        uint64_t every = 0;
        int fixed = 0, entries = 0;
        while (sd_bus_message_enter_container(call, 'e', "sv") > 0) {
                CHECK(sd_bus_message_read(call, "s", &key) >= 0, "option key");
                if (strcmp(key, "every") == 0)
                        CHECK(sd_bus_message_read(call, "v", "t", &every) >= 0, "every read");
                else if (strcmp(key, "every_fixed") == 0)
                        CHECK(sd_bus_message_read(call, "v", "b", &fixed) >= 0, "every_fixed read");
                else if (strcmp(key, "contact") == 0)
                        CHECK(sd_bus_message_read(call, "v", "s", &contact) >= 0, "contact read");
                sd_bus_message_exit_container(call);
                entries++;
        }
        sd_bus_message_exit_container(call);
        CHECK_INT(entries, 3, "three options");
        CHECK_INT(every, 604800, "every");
        CHECK_INT(fixed, 1, "every_fixed");
        CHECK_STR(contact, "Ana Lima", "contact");

        /* A signal first, then the reply: the signal is read and can be
         * passed over. */
        CHECK(sd_bus_emit_signal(p.server, "/org/netctl/Netctl1", "org.netctl.Netctl1.Followups", "Changed",
                                 "ts", (uint64_t) 5, "added") >= 0, "signal sent");
        CHECK(sd_bus_reply_method_return(call, "t", (uint64_t) 4242) >= 0, "reply sent");
        ssize_t size = next_message(&p, &reply);
        CHECK(size > 0, "signal read");
        CHECK_INT(reply.type, WIRE_SIGNAL, "a signal");
        CHECK_INT(reply.reply_serial, 0, "no reply serial on a signal");
        if (size > 0)
                drop_message(&p, (size_t) size);
        size = next_message(&p, &reply);
        CHECK(size > 0, "reply read");
        CHECK_INT(reply.type, WIRE_METHOD_RETURN, "a method return");
        CHECK_INT(reply.reply_serial, 7, "its reply serial");
        CHECK_STR(reply.signature, "t", "its signature");
        CHECK(wire_body_read_uint64(&reply, &u) == 0 && u == 4242, "its id");
        CHECK(wire_body_read_string(&reply, &s) == -EBADMSG, "a 't' body is not read as a string");
        if (size > 0)
                drop_message(&p, (size_t) size);

        /* No options: the empty array still carries its padding. */
        wire_call_begin(&w2, 8, "/org/netctl/Netctl1", "org.netctl.Netctl1.Followups", "Add", "sxa{sv}");
        wire_append_string(&w2, "x");
        wire_append_int64(&w2, 1);
        wire_dict_begin(&w2);
        wire_dict_end(&w2);
        CHECK_INT(wire_message_end(&w2), 0, "call without options written");
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call2 = deliver(&p, &w2);
        CHECK(call2, "sd-bus read it");
        if (call2) {
                CHECK(sd_bus_message_read(call2, "sx", &s, &x) >= 0 && x == 1, "its arguments");
                CHECK(sd_bus_message_enter_container(call2, 'a', "{sv}") > 0 &&
                      sd_bus_message_enter_container(call2, 'e', "sv") == 0, "an empty a{sv}");
                CHECK(sd_bus_reply_method_errorf(call2, "org.netctl.Netctl1.Error.NotFound",
                                                 "No contact matches \"%s\".", "nobody") >= 0, "error sent");
                size = next_message(&p, &reply);
                CHECK(size > 0, "error read");
                CHECK_INT(reply.type, WIRE_ERROR, "an error");
                CHECK_INT(reply.reply_serial, 8, "its reply serial");
                CHECK_STR(reply.error_name, "org.netctl.Netctl1.Error.NotFound", "its name");
                CHECK(wire_body_read_string(&reply, &s) == 0, "its message read");
                CHECK_STR(s, "No contact matches \"nobody\".", "its message");
                CHECK(wire_body_read_uint64(&reply, &u) == -EBADMSG, "an 's' body is not read as a 't'");
        }

        /* A text past the bound is refused, not written in part. */
        char *huge = malloc(WIRE_MESSAGE_MAX + 1);
        if (huge) {
                memset(huge, 'a', WIRE_MESSAGE_MAX);
                huge[WIRE_MESSAGE_MAX] = '\0';
                wire_call_begin(&w3, 9, "/", "a.b", "C", "s");
                wire_append_string(&w3, huge);
                CHECK_INT(wire_message_end(&w3), -E2BIG, "a message over WIRE_MESSAGE_MAX is refused");
                free(huge);
        }
        pair_close(&p);
}

/* A METHOD_RETURN written by hand, for damaging. */
static size_t hand_reply(uint8_t *b, bool big_endian, uint32_t reply_serial, uint64_t id) {
        size_t at = 0;
        #define U32(v) do {                                                     \
                uint32_t v_ = (v);                                              \
                for (int i_ = 0; i_ < 4; i_++)                                  \
                        b[at + i_] = (uint8_t) (v_ >> (big_endian ? 24 - 8 * i_ : 8 * i_)); \
                at += 4;                                                        \
        } while (0)
        b[at++] = big_endian ? 'B' : 'l';
        b[at++] = WIRE_METHOD_RETURN;
        b[at++] = 0;
        b[at++] = 1;
        U32(8);                         /* body */
        U32(3);                         /* serial */
        U32(15);                        /* the fields, 16..31 */
        /* REPLY_SERIAL: code, "u", pad, value */
        b[at++] = 5; b[at++] = 1; b[at++] = 'u'; b[at++] = 0;
        U32(reply_serial);
        /* SIGNATURE: code, "g", "t" */
        b[at++] = 8; b[at++] = 1; b[at++] = 'g'; b[at++] = 0;
        b[at++] = 1; b[at++] = 't'; b[at++] = 0;
        /* the body at 32 */
        while (at % 8)
                b[at++] = 0;
        U32(big_endian ? (uint32_t) (id >> 32) : (uint32_t) id);
        U32(big_endian ? (uint32_t) id : (uint32_t) (id >> 32));
        #undef U32
        return at;
}

static void test_damaged(void) {
        uint8_t b[128], d[128];
        WireMessage m;
        uint64_t u;
        size_t n, size;

        n = hand_reply(b, true, 1, 0x0102030405060708ULL);
        CHECK(wire_message_size(b, n, &size) == 0 && size == n, "big-endian: size");
        CHECK(wire_message_parse(b, n, &m) == 0, "big-endian: parsed");
        CHECK(m.big_endian && m.reply_serial == 1, "big-endian: reply serial");
        CHECK(wire_body_read_uint64(&m, &u) == 0 && u == 0x0102030405060708ULL, "big-endian: value");

        n = hand_reply(b, false, 1, 99);
        CHECK(wire_message_parse(b, n, &m) == 0 && wire_body_read_uint64(&m, &u) == 0 && u == 99,
              "little-endian by hand: parsed");
        CHECK_INT(wire_message_size(b, 15, &size), -EAGAIN, "under 16 bytes: more needed");
        CHECK_INT(wire_message_parse(b, n - 1, &m), -EBADMSG, "one byte short: refused");

        memcpy(d, b, n);
        d[0] = 'x';
        CHECK_INT(wire_message_size(d, n, &size), -EBADMSG, "unknown byte order");
        memcpy(d, b, n);
        d[3] = 2;
        CHECK_INT(wire_message_size(d, n, &size), -EBADMSG, "unknown protocol version");
        memcpy(d, b, n);
        d[4] = 0xff; d[5] = 0xff; d[6] = 0xff; d[7] = 0x7f;
        CHECK_INT(wire_message_size(d, n, &size), -EBADMSG, "a body of 2 GiB");
        memcpy(d, b, n);
        memset(d + 8, 0, 4);
        CHECK_INT(wire_message_parse(d, n, &m), -EBADMSG, "serial 0");
        memcpy(d, b, n);
        d[12] = 60;                     /* fields run past the message */
        CHECK_INT(wire_message_parse(d, n, &m), -EBADMSG, "fields longer than the message");
        memcpy(d, b, n);
        d[25] = 2;                      /* the signature field's own signature: 2 bytes, no NUL */
        CHECK_INT(wire_message_parse(d, n, &m), -EBADMSG, "a field's signature without its NUL");
        memcpy(d, b, n);
        d[26] = 'a';                    /* a container in a field */
        CHECK_INT(wire_message_parse(d, n, &m), -EBADMSG, "a field of a container type");
        memcpy(d, b, n);
        d[28] = 5;                      /* signature "t" claims 5 bytes */
        CHECK_INT(wire_message_parse(d, n, &m), -EBADMSG, "a signature past its field");
        memcpy(d, b, n);
        d[18] = 's';                    /* REPLY_SERIAL as a string */
        CHECK_INT(wire_message_parse(d, n, &m), -EBADMSG, "a reply serial that is a string");

        /* A body shorter than its signature says. */
        n = hand_reply(b, false, 1, 99);
        b[4] = 4;
        CHECK(wire_message_parse(b, n - 4, &m) == 0, "a 4-byte body parses");
        CHECK_INT(wire_body_read_uint64(&m, &u), -EBADMSG, "but is not a 't'");
}

static void test_auth_line(void) {
        char line[64];
        static const char want[] = "\0AUTH EXTERNAL 31303030\r\nBEGIN\r\n";
        size_t n = wire_auth_external(1000, line);
        CHECK(n == sizeof want - 1 && memcmp(line, want, n) == 0, "AUTH EXTERNAL for uid 1000, and BEGIN");
        n = wire_auth_external(UINT32_MAX, line);
        CHECK(n < 64 && memcmp(line + n - 9, "\r\nBEGIN\r\n", 9) == 0, "the longest uid fits");
}

int main(void) {
        test_auth_line();
        test_call_and_replies();
        test_damaged();
        return tap_done();
}
