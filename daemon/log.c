/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
/* The location is ours (CODE_FILE=, CODE_LINE= of the caller), not log.c's. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
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

/* A journal field name: what sd_journal_sendv() accepts from us. */
static bool field_name_valid(const char *name) {
        if (!name || !name[0] || name[0] == '_' || strlen(name) > 64)
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        return false;
        return true;
}

static void log_send(int priority, int error, const char *file, int line, const LogField *fields,
                     const char *msg) {
        if (!log_to_journal) {
                fprintf(stderr, "netctld: %s\n", msg);
                return;
        }

        /* MESSAGE, PRIORITY, CODE_FILE, CODE_LINE, ERRNO, SYSLOG_IDENTIFIER
         * and the extra fields. */
        struct iovec iov[6 + LOG_FIELDS_MAX];
        char *text[6 + LOG_FIELDS_MAX] = {};
        size_t n = 0;

        if (asprintf(&text[n++], "MESSAGE=%s", msg) < 0 ||
            asprintf(&text[n++], "PRIORITY=%d", priority) < 0 ||
            asprintf(&text[n++], "CODE_FILE=%s", file) < 0 ||
            asprintf(&text[n++], "CODE_LINE=%d", line) < 0 ||
            asprintf(&text[n++], "SYSLOG_IDENTIFIER=netctld") < 0 ||
            (error > 0 && asprintf(&text[n++], "ERRNO=%d", error) < 0)) {
                /* Out of memory: the message alone, as the journal's
                 * stdout stream takes it. */
                text[--n] = NULL;
                fprintf(stderr, "netctld: %s\n", msg);
                goto out;
        }
        for (size_t i = 0; fields && fields[i].name && i < LOG_FIELDS_MAX; i++) {
                if (!fields[i].value || !field_name_valid(fields[i].name))
                        continue;
                if (asprintf(&text[n], "%s=%s", fields[i].name, fields[i].value) < 0) {
                        text[n] = NULL;
                        continue;
                }
                n++;
        }
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec) { .iov_base = text[i], .iov_len = strlen(text[i]) };
        (void) sd_journal_sendv(iov, (int) n);
out:
        for (size_t i = 0; i < ELEMENTSOF(text); i++)
                free(text[i]);
}

static int log_internal(int priority, int error, const char *file, int line, const LogField *fields,
                        const char *fmt, va_list ap) {
        char msg[1024];
        int saved_errno = errno;

        if (error < 0)
                error = -error;
        if (priority > log_max_priority)
                return -error;

        /* %m in the format means the error we were given. */
        errno = error;
        vsnprintf(msg, sizeof msg, fmt, ap);
        log_send(priority, error, file, line, fields, msg);

        errno = saved_errno;
        return -error;
}

int log_full_errno(int priority, int error, const char *file, int line, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = log_internal(priority, error, file, line, NULL, fmt, ap);
        va_end(ap);
        return r;
}

int log_fields_errno(int priority, int error, const char *file, int line, const LogField *fields,
                     const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = log_internal(priority, error, file, line, fields, fmt, ap);
        va_end(ap);
        return r;
}

const char *log_format_id(char buf[static 24], int64_t n) {
        snprintf(buf, 24, "%" PRId64, n);
        return buf;
}
