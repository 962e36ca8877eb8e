/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bus-names.h"
#include "direct-socket.h"

int direct_socket_connect(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        const char *runtime = getenv("XDG_RUNTIME_DIR"), *want = getenv("NETCTL_DIRECT");
        if (!runtime || runtime[0] != '/' || (want && strcmp(want, "0") == 0))
                return -ENOENT;
        if ((size_t) snprintf(sa.sun_path, sizeof sa.sun_path, "%s/" NETCTL_DIRECT_SOCKET, runtime) >=
            sizeof sa.sun_path)
                return -ENAMETOOLONG;

        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}
