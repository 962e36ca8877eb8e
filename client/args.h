/* SPDX-License-Identifier: MIT */
#pragma once

/* Checks of the arguments verbs share, and `netctl add`'s arguments, in
 * sentences that name the argument.  Without libsystemd: the front
 * (quick-add.c) reads `add` with the same code as the verb does. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each returns 0, or prints a usage error and returns EXIT_USAGE. */
/* A follow-up's text: the daemon's rules, checked early to name it. */
int check_text_arg(const char *verb, const char *text);
/* A time as when_parse takes it, relative to now. */
int parse_when_arg(const char *verb, const char *option, const char *s, int64_t *ret);
/* A duration as duration_parse takes it. */
int parse_duration_arg(const char *verb, const char *option, const char *s, int64_t *ret);
/* A WHO for --contact: its shape only; the daemon resolves it. */
int check_contact_arg(const char *verb, const char *who);

/* "Tue 1 Dec 09:00 (in 5 days)" */
void print_due_phrase(int64_t due, char *buf, size_t size);

/* `netctl add`'s request, read from its arguments (argv[0] is "add"). */
typedef struct AddArgs {
        const char *text;
        int64_t due;                    /* Unix seconds */
        int64_t every;                  /* seconds, 0 for once */
        bool fixed;
        bool quiet;
        const char *contact;            /* NULL for none */
} AddArgs;

/* Reads add's arguments into *ret.  Returns 0; or 1 when --help was asked
 * for (nothing is printed; the caller shows the help); or EXIT_USAGE
 * after printing the usage error. */
int add_args_parse(int argc, char *argv[], AddArgs *ret);

/* Prints what add prints once netctld gave the new follow-up `id`. */
void add_args_print_added(const AddArgs *args, uint64_t id);
