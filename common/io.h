/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Writes all of data to a blocking fd, again after a signal or a short
 * write.  0, or negative errno. */
int write_all(int fd, const void *data, size_t size);
