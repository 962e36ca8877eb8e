/* SPDX-License-Identifier: MIT */
#pragma once

/* What every part of the client uses to speak to the user and to tell
 * time, without libsystemd: the front (main.c, quick-add.c) links these
 * too. */

#include <stdint.h>

/* Exit statuses: 0 success, 1 failure (including errors the daemon
 * reports), 2 usage errors. */
#define EXIT_USAGE 2

/* Prints "netctl: <message>" to stderr; returns 1 (or EXIT_USAGE for
 * usage_error) so callers can "return fail(...)". */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports the option getopt_long just rejected (unknown, or missing its
 * argument) as a usage error; returns EXIT_USAGE. */
int option_error(const char *verb, char *argv[]);

/* The sentence for a call whose reply never came (a timeout, or a netctld
 * that died mid-call, having perhaps committed the change); returns 1. */
int fail_no_answer(const char *why);

/* Loads the locale categories the client uses (LC_CTYPE, LC_MESSAGES). */
void locale_setup(void);

/* Current time, Unix seconds. */
int64_t now_seconds(void);
/* CLOCK_MONOTONIC in microseconds, for timeouts. */
uint64_t now_usec(void);
