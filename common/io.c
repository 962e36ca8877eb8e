/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "io.h"

int write_all(int fd, const void *data, size_t size) {
        const char *p = data;

        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

int sync_files(int dirfd, char *const *paths, size_t n) {
        if (n > SYNC_EACH_MAX)
                return syncfs(dirfd) < 0 ? -errno : 0;
        for (size_t i = 0; i < n; i++) {
                int fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        return -errno;
                int r = fsync(fd) < 0 ? -errno : 0;
                close(fd);
                if (r < 0)
                        return r;
        }
        return 0;
}
