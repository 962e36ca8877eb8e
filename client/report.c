/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

int fail(const char *fmt, ...) {
        va_list ap;
        fputs("netctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return EXIT_FAILURE;
}

int usage_error(const char *verb, const char *fmt, ...) {
        va_list ap;
        fputs("netctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        if (verb)
                fprintf(stderr, "\nTry 'netctl %s --help'.\n", verb);
        else
                fputs("\nTry 'netctl --help'.\n", stderr);
        return EXIT_USAGE;
}

int option_error(const char *verb, char *argv[]) {
        const char *arg = optind > 0 ? argv[optind - 1] : "";

        /* For a long option the offending word is the last one getopt
         * looked at; for a short one getopt leaves it in optopt. */
        if (arg && strncmp(arg, "--", 2) == 0) {
                const char *eq = strchr(arg, '=');
                return usage_error(verb, "option %.*s is unknown or needs a value.",
                                   eq ? (int) (eq - arg) : (int) strlen(arg), arg);
        }
        if (optopt != 0)
                return usage_error(verb, "option -%c is unknown or needs a value.", optopt);
        return usage_error(verb, "option %s is unknown or needs a value.", arg ? arg : "");
}

int fail_no_answer(const char *why) {
        return fail("netctld did not answer (%s); check with 'netctl list' whether the change was made.", why);
}

/* Only the categories the client uses: LC_CTYPE for display widths and
 * the terminal's character set, LC_MESSAGES for strerror().  It formats
 * dates and numbers itself, the same in every locale.  LC_ALL loaded every
 * category, twelve files for C.UTF-8, a fifth of a millisecond on each
 * command. */
void locale_setup(void) {
        setlocale(LC_CTYPE, "");
        setlocale(LC_MESSAGES, "");
}

int64_t now_seconds(void) {
        return (int64_t) time(NULL);
}

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}
