/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "log.h"

static bool log_to_journal;
static int log_max_priority = LOG_INFO;

void log_setup(void) {
        /* JOURNAL_STREAM is set by systemd when stderr goes to the journal:
         * then log natively, with priorities and fields. */
        log_to_journal = getenv("JOURNAL_STREAM") != NULL;
        const char *level = getenv("NETCTL_LOG_LEVEL");
        if (level && strcmp(level, "debug") == 0)
                log_max_priority = LOG_DEBUG;
}

void log_set_max_priority(int priority) {
        log_max_priority = priority;
}

int log_full_errno(int priority, int error, const char *file, int line, const char *fmt, ...) {
        char msg[1024];
        va_list ap;
        int saved_errno = errno;

        if (error < 0)
                error = -error;
        if (priority > log_max_priority)
                return -error;

        /* %m in the format means the error we were given. */
        errno = error;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);

        if (log_to_journal) {
                char prio[16], code_line[32];
                snprintf(prio, sizeof prio, "PRIORITY=%d", priority);
                snprintf(code_line, sizeof code_line, "CODE_LINE=%d", line);
                if (error > 0)
                        sd_journal_send("MESSAGE=%s", msg, prio, "CODE_FILE=%s", file, code_line,
                                        "ERRNO=%d", error, "SYSLOG_IDENTIFIER=netctld", NULL);
                else
                        sd_journal_send("MESSAGE=%s", msg, prio, "CODE_FILE=%s", file, code_line,
                                        "SYSLOG_IDENTIFIER=netctld", NULL);
        } else
                fprintf(stderr, "netctld: %s\n", msg);

        errno = saved_errno;
        return -error;
}
