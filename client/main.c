/* SPDX-License-Identifier: MIT */
/* netctl: the command-line client of netctld. */
#include "client.h"

int main(int argc, char *argv[]) {
        return client_run(argc, argv);
}
