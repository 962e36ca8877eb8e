/* SPDX-License-Identifier: MIT */
/* The client's reader of D-Bus replies (client/dbus-wire.c): what
 * `netctl add` reads from the direct socket, which another process
 * writes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbus-wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t total;
        WireMessage m;
        uint64_t u;
        const char *s;

        if (wire_message_size(data, size, &total) < 0 || total > size)
                return 0;
        /* A copy of exactly the message, so that reading past it is seen. */
        uint8_t *copy = malloc(total ? total : 1);
        if (!copy)
                return 0;
        memcpy(copy, data, total);
        if (wire_message_parse(copy, total, &m) == 0) {
                (void) wire_body_read_uint64(&m, &u);
                if (wire_body_read_string(&m, &s) == 0)
                        (void) strlen(s);
                if (m.error_name)
                        (void) strlen(m.error_name);
                (void) strlen(m.signature);
        }
        free(copy);
        return 0;
}
