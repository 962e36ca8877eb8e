/* SPDX-License-Identifier: MIT */
/* netctl: the command-line client of netctld.
 *
 * This front is linked without libsystemd: `netctl add` on netctld's
 * direct socket runs here (quick-add.h says why).  Everything else is the
 * full client, libnetctl-client.so, loaded when needed. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "quick-add.h"
#include "report.h"

/* Where the full client is, relative to the directory of this binary:
 * installed, ../lib/netctl (the Makefile's CLIENTLIBDIR); in the build
 * directory, beside it.  That directory is read from /proc/self/exe, as
 * the loader finds $ORIGIN: not a RUNPATH, which the search for libc
 * would try first, nor "$ORIGIN" in the name given to dlopen, which takes
 * the origin of its caller, and under a sanitizer that is the
 * sanitizer's library intercepting the call. */
static const char *const client_library_paths[] = {
        "../lib/netctl/libnetctl-client.so",
        "libnetctl-client.so",
};

static int client_run_loaded(int argc, char *argv[]) {
        char self[PATH_MAX], path[PATH_MAX + 64];
        void *library = NULL;

        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
                return fail("cannot find where netctl is (/proc/self/exe): %s",
                            n < 0 ? strerror(errno) : "empty");
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (!slash)
                return fail("cannot find where netctl is: /proc/self/exe is \"%s\"", self);
        *slash = '\0';
        /* The installed place's error is the one worth showing. */
        char first_error[PATH_MAX + 128] = "";
        for (size_t i = 0; i < ELEMENTSOF(client_library_paths) && !library; i++) {
                snprintf(path, sizeof path, "%s/%s", self, client_library_paths[i]);
                library = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
                if (!library && !first_error[0])
                        snprintf(first_error, sizeof first_error, "%s", dlerror());
        }
        if (!library)
                return fail("cannot load the rest of the client: %s", first_error);
        int (*client_run)(int argc, char *argv[]) = (int (*)(int, char **)) dlsym(library, "client_run");
        if (!client_run)
                return fail("cannot load the rest of the client: %s", dlerror());
        return client_run(argc, argv);
}

int main(int argc, char *argv[]) {
        int status;

        if (argc >= 2 && strcmp(argv[1], "add") == 0 && quick_add(argc - 1, argv + 1, &status) > 0)
                return status;
        return client_run_loaded(argc, argv);
}
