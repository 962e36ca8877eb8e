/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
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
