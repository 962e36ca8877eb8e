/* SPDX-License-Identifier: MIT */
/* netctl: the command-line client of netctld. */
#include <locale.h>

#include "client.h"

int main(int argc, char *argv[]) {
        setlocale(LC_ALL, "");
        return client_run(argc, argv);
}
