/* SPDX-License-Identifier: MIT */
/* The WHEN and DURATION parsers and the formatters, in a fixed zone with
 * DST so the gap and overlap paths are reached. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static int initialized;
        char text[512], buf[128];
        int64_t t, d;

        if (!initialized) {
                setenv("TZ", "Europe/Berlin", 1);
                tzset();
                initialized = 1;
        }
        if (size >= sizeof text)
                size = sizeof text - 1;
        memcpy(text, data, size);
        text[size] = '\0';

        /* A fixed "now" close to a DST change keeps runs reproducible. */
        int64_t now = 1774746000;  /* 2026-03-29 01:00 UTC */
        if (when_parse(text, now, &t) >= 0) {
                local_time_format(t, buf, sizeof buf);
                relative_format(t, now, buf, sizeof buf);
        }
        if (when_parse_past(text, now, &t) >= 0)
                local_time_format(t, buf, sizeof buf);
        if (duration_parse(text, &d) >= 0)
                duration_format(d, buf, sizeof buf);
        (void) local_midnight(now, (int) (size % 400) - 200);
        return 0;
}
