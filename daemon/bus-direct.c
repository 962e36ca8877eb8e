/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "bus-direct.h"
#include "bus-names.h"
#include "bus.h"
#include "log.h"
#include "macro.h"

/* A user runs a handful of netctl commands at once at most; the bound
 * keeps a runaway script from using up the daemon's file descriptors.
 * Past it, a new connection is closed and netctl goes by the bus. */
#define DIRECT_CONNECTIONS_MAX 64

struct Direct {
        Context *context;
        int listen_fd;
        sd_event_source *listen_source;
        char path[sizeof ((struct sockaddr_un *) NULL)->sun_path];
        dev_t dev;              /* the socket we bound, to remove only it */
        ino_t ino;
        sd_bus *connections[DIRECT_CONNECTIONS_MAX];
};

static void direct_drop(Direct *d, sd_bus *bus) {
        for (size_t i = 0; i < ELEMENTSOF(d->connections); i++)
                if (d->connections[i] == bus) {
                        d->connections[i] = NULL;
                        /* sd-bus holds its own reference while it
                         * dispatches, so this is safe from inside it. */
                        sd_bus_close_unref(bus);
                        return;
                }
}

static int on_direct_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        direct_drop(userdata, sd_bus_message_get_bus(m));
        return 0;
}

/* A new connection becomes a server-side sd-bus with the API on it.  The
 * peer's uid is checked here, from the kernel (SO_PEERCRED), and again on
 * each call by bus_check_caller(), as on the session bus. */
static int direct_accept(Direct *d, int fd) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        struct ucred cred;
        socklen_t len = sizeof cred;
        sd_id128_t id;
        size_t slot;
        int r;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        if (cred.uid != d->context->uid) {
                close(fd);
                log_warning("Refused a direct connection from uid %u (pid %d): netctld serves only uid %u.",
                            (unsigned) cred.uid, (int) cred.pid, (unsigned) d->context->uid);
                return 0;
        }
        for (slot = 0; slot < ELEMENTSOF(d->connections); slot++)
                if (!d->connections[slot])
                        break;
        if (slot == ELEMENTSOF(d->connections)) {
                close(fd);
                log_warning("%d direct connections are open; closed a new one (netctl falls back to the bus).",
                            DIRECT_CONNECTIONS_MAX);
                return 0;
        }

        r = sd_bus_new(&bus);
        if (r < 0) {
                close(fd);
                return r;
        }
        (void) sd_bus_set_description(bus, "netctld-direct");
        r = sd_bus_set_fd(bus, fd, fd);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_set_server(bus, true, id);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, true);
        if (r >= 0)
                r = sd_bus_set_sender(bus, NETCTL_BUS_NAME);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_attach_event(bus, d->context->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, NULL, "org.freedesktop.DBus.Local",
                                              "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                              "Disconnected", on_direct_disconnected, NULL, d);
        if (r >= 0)
                r = bus_add_api(d->context, bus);
        if (r < 0)
                return r;

        d->connections[slot] = TAKE_PTR(bus);
        return 0;
}

static int on_direct_listen(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Direct *d = userdata;

        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        log_warning_errno(-errno, "Cannot accept a direct connection: %m");
                return 0;
        }
        int r = direct_accept(d, cfd);
        if (r < 0)
                log_warning_errno(r, "Cannot serve a direct connection: %m");
        return 0;
}

/* $XDG_RUNTIME_DIR/netctl, made 0700 and ours; the socket's own mode does
 * not keep others out on every system, the directory's does. */
static int direct_make_dir(const char *dir, uid_t uid) {
        struct stat st;

        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (lstat(dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (st.st_uid != uid || (st.st_mode & 0077) != 0)
                return -EPERM;
        return 0;
}

int bus_direct_setup(Context *c) {
        _cleanup_free_ Direct *d = NULL;
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char dir[sizeof sa.sun_path];
        struct stat st;
        int r;

        const char *runtime = getenv("XDG_RUNTIME_DIR");
        if (!runtime || runtime[0] != '/') {
                log_info("No XDG_RUNTIME_DIR: no direct socket; netctl goes by the session bus.");
                return 0;
        }
        if ((size_t) snprintf(sa.sun_path, sizeof sa.sun_path, "%s/" NETCTL_DIRECT_SOCKET, runtime) >=
            sizeof sa.sun_path) {
                log_info("XDG_RUNTIME_DIR is too long for a socket path: no direct socket.");
                return 0;
        }
        snprintf(dir, sizeof dir, "%s/" NETCTL_DIRECT_DIR, runtime);
        r = direct_make_dir(dir, c->uid);
        if (r < 0) {
                log_warning_errno(r, "No direct socket: %s cannot be used (it must be a directory of "
                                  "uid %u with mode 0700): %m. netctl goes by the session bus.",
                                  dir, (unsigned) c->uid);
                return 0;
        }

        d = calloc(1, sizeof *d);
        if (!d)
                return -ENOMEM;
        d->context = c;
        d->listen_fd = -1;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(-errno, "Cannot create the direct socket: %m");
        /* One netctld holds the bus name (taken before this), so a socket
         * left here is a dead one's. */
        (void) unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, SOMAXCONN) < 0 ||
            stat(sa.sun_path, &st) < 0) {
                log_warning_errno(-errno, "No direct socket at %s: %m. netctl goes by the session bus.",
                                  sa.sun_path);
                return 0;
        }
        d->dev = st.st_dev;
        d->ino = st.st_ino;
        memcpy(d->path, sa.sun_path, sizeof d->path);

        r = sd_event_add_io(c->event, &d->listen_source, fd, EPOLLIN, on_direct_listen, d);
        if (r < 0) {
                (void) unlink(d->path);
                return log_error_errno(r, "Cannot watch the direct socket: %m");
        }
        (void) sd_event_source_set_description(d->listen_source, "direct-listen");
        d->listen_fd = TAKE_FD(fd);
        c->direct = TAKE_PTR(d);
        return 0;
}

Direct *bus_direct_free(Direct *d) {
        struct stat st;

        if (!d)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(d->connections); i++)
                if (d->connections[i])
                        sd_bus_flush_close_unref(d->connections[i]);
        sd_event_source_disable_unref(d->listen_source);
        /* Only our socket: never one a later netctld has bound since. */
        if (d->path[0] && stat(d->path, &st) >= 0 && st.st_dev == d->dev && st.st_ino == d->ino)
                (void) unlink(d->path);
        if (d->listen_fd >= 0)
                close(d->listen_fd);
        free(d);
        return NULL;
}
