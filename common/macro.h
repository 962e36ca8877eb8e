/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdlib.h>
#include <unistd.h>

/* Cleanup helpers in the style of systemd: a variable declared with one of
 * these is released on every path out of its scope.  The free functions
 * accept NULL. */

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                 \
        static inline void func##p(type *p) {                   \
                if (*p)                                         \
                        func(*p);                               \
        }

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hands ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p) ({ __typeof__(p) t_ = (p); (p) = NULL; t_; })
#define TAKE_FD(fd) ({ int t_ = (fd); (fd) = -1; t_; })
