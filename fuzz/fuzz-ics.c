/* SPDX-License-Identifier: MIT */
/* The .ics import path: parse any bytes, then expand every event the way
 * the daemon does, within a bounded window. */
#include <stdint.h>
#include <stdlib.h>

#include "ical-import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        IcsCalendar *cal = NULL;
        char err[256];

        if (ics_parse(data, size, &cal, err, sizeof err) < 0)
                return 0;

        for (size_t i = 0; i < cal->n_events && i < 8; i++) {
                IcsOccurrence *occ = NULL;
                size_t n = 0;
                const IcsEvent *e = &cal->events[i];
                /* 2020 to 2030: wide enough to walk rules, bounded in work. */
                if (ics_expand(e->has_recurrence_id ? NULL : e->ical,
                               e->has_recurrence_id ? (const char *const *) &e->ical : NULL,
                               e->has_recurrence_id ? 1 : 0,
                               1577836800, 1893456000, 200, &occ, &n, NULL) >= 0)
                        ics_occurrences_free(occ, n);
        }
        ics_calendar_free(cal);
        return 0;
}
