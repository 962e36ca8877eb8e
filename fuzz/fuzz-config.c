/* SPDX-License-Identifier: MIT */
/* netctl.conf parsing. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Config c;
        char err[512];

        setenv("HOME", "/home/fuzz", 0);
        if (config_parse((const char *) data, size, "netctl.conf", &c, err, sizeof err) >= 0)
                config_clear(&c);
        return 0;
}
