/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Writes all of data to a blocking fd, again after a signal or a short
 * write.  0, or negative errno. */
int write_all(int fd, const void *data, size_t size);

/* Up to this many files written together are fsynced one by one. */
#define SYNC_EACH_MAX 64

/* Makes the n files at paths, on the file system of dirfd, durable: an
 * fsync each when they are few, else one syncfs(), which also writes out
 * whatever else is pending on that file system and so pays only when
 * there are many.  0, or negative errno. */
int sync_files(int dirfd, char *const *paths, size_t n);
