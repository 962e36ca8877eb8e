/* SPDX-License-Identifier: MIT */
/* The bus API's argument decoding and validation: the daemon's vtables
 * served over a socketpair (as systemd's test-bus-objects does, no
 * dbus-daemon), a temporary database behind them, and method calls whose
 * arguments are built from the fuzz input: any method, any string bytes
 * sd-bus lets through, any numbers, and a{sv} options with known and
 * unknown keys carrying values of the right and wrong types. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus-names.h"
#include "bus.h"
#include "calendar.h"
#include "context.h"
#include "schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static Context *ctx;
static sd_bus *client;
static char tmpdir[] = "/tmp/netctl-fuzz-bus-XXXXXX";

typedef struct Reader {
        const uint8_t *p;
        size_t left;
} Reader;

static uint8_t take_byte(Reader *r) {
        if (r->left == 0)
                return 0;
        r->left--;
        return *r->p++;
}

static uint64_t take_u64(Reader *r) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v = (v << 8) | take_byte(r);
        return v;
}

/* A string of up to 255 bytes from the input, NUL-terminated. */
static void take_string(Reader *r, char *buf, size_t size) {
        size_t n = take_byte(r);
        if (n >= size)
                n = size - 1;
        if (n > r->left)
                n = r->left;
        memcpy(buf, r->p, n);
        buf[n] = '\0';
        r->p += n;
        r->left -= n;
}

static const char *const option_keys[] = { "every", "every_fixed", "text", "due", "contact", "bogus", "" };

static int append_options(sd_bus_message *m, Reader *r) {
        unsigned n = take_byte(r) % 5;
        int k = sd_bus_message_open_container(m, 'a', "{sv}");
        for (unsigned i = 0; i < n && k >= 0; i++) {
                char s[256];
                const char *key = option_keys[take_byte(r) % (sizeof option_keys / sizeof option_keys[0])];
                k = sd_bus_message_open_container(m, 'e', "sv");
                if (k >= 0)
                        k = sd_bus_message_append(m, "s", key);
                switch (take_byte(r) % 5) {
                case 0: k = k >= 0 ? sd_bus_message_append(m, "v", "t", take_u64(r)) : k; break;
                case 1: k = k >= 0 ? sd_bus_message_append(m, "v", "x", (int64_t) take_u64(r)) : k; break;
                case 2: k = k >= 0 ? sd_bus_message_append(m, "v", "b", take_byte(r) & 1) : k; break;
                case 3:
                        take_string(r, s, sizeof s);
                        k = k >= 0 ? sd_bus_message_append(m, "v", "s", s) : k;
                        break;
                default: k = k >= 0 ? sd_bus_message_append(m, "v", "i", (int32_t) take_u64(r)) : k; break;
                }
                if (k >= 0)
                        k = sd_bus_message_close_container(m);
        }
        if (k >= 0)
                k = sd_bus_message_close_container(m);
        return k;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        int pair[2];
        char path[512], err[512];
        sd_bus *server = NULL;
        sd_id128_t id;

        if (!mkdtemp(tmpdir) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                abort();
        ctx = calloc(1, sizeof *ctx);
        ctx->uid = geteuid();
        config_defaults(&ctx->config);
        snprintf(path, sizeof path, "%s/netctl.db", tmpdir);
        ctx->database_path = strdup(path);
        if (sd_event_new(&ctx->event) < 0 || store_open(path, err, sizeof err, &ctx->store) < 0 ||
            schedule_setup(ctx) < 0 || calendar_setup(ctx) < 0)
                abort();

        sd_id128_randomize(&id);
        if (sd_bus_new(&server) < 0 || sd_bus_set_fd(server, pair[0], pair[0]) < 0 ||
            sd_bus_set_server(server, 1, id) < 0 || sd_bus_start(server) < 0)
                abort();
        ctx->bus = server;
        if (bus_setup(ctx) < 0)
                abort();
        if (sd_bus_new(&client) < 0 || sd_bus_set_fd(client, pair[1], pair[1]) < 0 || sd_bus_start(client) < 0)
                abort();
        return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        *(int *) userdata = 1;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const struct {
                const char *iface, *method, *sig;
        } calls[] = {
                { NETCTL_IFACE_FOLLOWUPS, "Add", "sxo" },
                { NETCTL_IFACE_FOLLOWUPS, "Get", "t" },
                { NETCTL_IFACE_FOLLOWUPS, "List", "xxs" },
                { NETCTL_IFACE_FOLLOWUPS, "Done", "t" },
                { NETCTL_IFACE_FOLLOWUPS, "Snooze", "tx" },
                { NETCTL_IFACE_FOLLOWUPS, "Remove", "t" },
                { NETCTL_IFACE_FOLLOWUPS, "Edit", "to" },
                { NETCTL_IFACE_MANAGER, "GetStatus", "" },
                { NETCTL_IFACE_MEETINGS, "Import", "sy" },
                { NETCTL_IFACE_MEETINGS, "List", "xxb" },
                { NETCTL_IFACE_MEETINGS, "Export", "bbb" },
                /* A signature the method does not take. */
                { NETCTL_IFACE_FOLLOWUPS, "Add", "tt" },
        };
        Reader r = { data, size };
        sd_bus_message *m = NULL;
        int done = 0, k;

        unsigned which = take_byte(&r) % (sizeof calls / sizeof calls[0]);
        if (sd_bus_message_new_method_call(client, &m, NULL, NETCTL_OBJECT_PATH, calls[which].iface,
                                           calls[which].method) < 0)
                return 0;

        k = 0;
        for (const char *t = calls[which].sig; *t && k >= 0; t++) {
                char s[256];
                switch (*t) {
                case 's':
                        take_string(&r, s, sizeof s);
                        k = sd_bus_message_append(m, "s", s);
                        break;
                case 'x': k = sd_bus_message_append(m, "x", (int64_t) take_u64(&r)); break;
                case 't': k = sd_bus_message_append(m, "t", take_u64(&r) % 64); break;
                case 'b': k = sd_bus_message_append(m, "b", take_byte(&r) & 1); break;
                case 'o': k = append_options(m, &r); break;
                case 'y': {
                        /* The rest of the input is the file. */
                        k = sd_bus_message_append_array(m, 'y', r.p, r.left);
                        r.left = 0;
                        break;
                }
                }
        }
        /* Strings sd-bus refuses to send (invalid UTF-8) never reach us. */
        if (k >= 0 && sd_bus_call_async(client, NULL, m, on_reply, &done, 0) >= 0)
                for (int i = 0; i < 1000 && !done; i++) {
                        while (sd_bus_process(ctx->bus, NULL) > 0)
                                ;
                        while (sd_bus_process(client, NULL) > 0)
                                ;
                }
        sd_bus_message_unref(m);
        return 0;
}
