/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <syslog.h>

#include "macro.h"

/* Logging: to the journal with priorities (and structured fields), or to
 * stderr when not under systemd.  log_error_errno() and friends return the
 * negative errno they were given, so "return log_error_errno(r, ...)" both
 * logs and returns in one place -- the only place that logs that error. */

void log_setup(void);
void log_set_max_priority(int priority);

int log_full_errno(int priority, int error, const char *file, int line,
                   const char *fmt, ...) _printf_(5, 6);

#define log_full(prio, ...) log_full_errno((prio), 0, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __FILE__, __LINE__, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, (e), __FILE__, __LINE__, __VA_ARGS__)

/* Extra journal fields, so that "journalctl --user -u netctld
 * NETCTL_FOLLOWUP_ID=12" finds every line about one item.  The names in
 * use (netctld(8) lists them): NETCTL_FOLLOWUP_ID, NETCTL_FILE,
 * NETCTL_MEETING_UID, NETCTL_ACTION.  Values name things (ids, paths,
 * UIDs, action keys), never a note or other personal text.  A NULL value
 * leaves the field out; on stderr (outside systemd) the fields are not
 * shown, the message alone must say it all. */
typedef struct LogField {
        const char *name;       /* upper case, digits and "_", not starting with "_" */
        const char *value;
} LogField;

#define LOG_FIELDS_MAX 8

/* log_fields_errno(LOG_INFO, 0, LOG_FIELDS({ "NETCTL_FILE", path }), "...", ...) */
#define LOG_FIELDS(...) ((const LogField[]) { __VA_ARGS__, { NULL, NULL } })
/* A number as a field value: a buffer that lives until the end of the
 * enclosing block. */
#define LOG_ID(n) log_format_id((char[24]) {}, (n))
const char *log_format_id(char buf[static 24], int64_t n);

int log_fields_errno(int priority, int error, const char *file, int line, const LogField *fields,
                     const char *fmt, ...) _printf_(6, 7);

#define log_fields(prio, fields, ...) log_fields_errno((prio), 0, __FILE__, __LINE__, (fields), __VA_ARGS__)
#define log_info_fields(fields, ...)    log_fields(LOG_INFO, (fields), __VA_ARGS__)
#define log_warning_fields(fields, ...) log_fields(LOG_WARNING, (fields), __VA_ARGS__)
#define log_warning_errno_fields(e, fields, ...) \
        log_fields_errno(LOG_WARNING, (e), __FILE__, __LINE__, (fields), __VA_ARGS__)
#define log_error_errno_fields(e, fields, ...) \
        log_fields_errno(LOG_ERR, (e), __FILE__, __LINE__, (fields), __VA_ARGS__)
