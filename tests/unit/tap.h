/* SPDX-License-Identifier: MIT */
#pragma once

/* A minimal TAP producer for the unit tests: each check prints
 * "ok N - what" or "not ok N - what (file:line)", and tap_done() returns the
 * exit status (non-zero when any check failed). */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline void tap_check(int cond, const char *what, const char *file, int line) {
        tap_count++;
        if (cond)
                printf("ok %d - %s\n", tap_count, what);
        else {
                tap_failed++;
                printf("not ok %d - %s (%s:%d)\n", tap_count, what, file, line);
        }
        fflush(stdout);
}

#define CHECK(cond, what) tap_check(!!(cond), (what), __FILE__, __LINE__)

#define CHECK_INT(got, want, what) do {                                         \
                long long g_ = (long long) (got), w_ = (long long) (want);      \
                if (g_ != w_)                                                   \
                        printf("#   got %lld, want %lld\n", g_, w_);            \
                CHECK(g_ == w_, what);                                          \
        } while (0)

#define CHECK_STR(got, want, what) do {                                         \
                const char *g_ = (got), *w_ = (want);                           \
                int same_ = g_ && w_ && strcmp(g_, w_) == 0;                    \
                if (!same_)                                                     \
                        printf("#   got \"%s\", want \"%s\"\n",                 \
                               g_ ? g_ : "(null)", w_ ? w_ : "(null)");         \
                CHECK(same_, what);                                             \
        } while (0)

static inline int tap_done(void) {
        printf("1..%d\n", tap_count);
        if (tap_failed)
                printf("# %d of %d checks failed\n", tap_failed, tap_count);
        return tap_failed ? 1 : 0;
}
