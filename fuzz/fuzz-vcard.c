/* SPDX-License-Identifier: MIT */
/* The vCard parser, and the writer on whatever it parsed. */
#include <stdint.h>
#include <stdlib.h>

#include "vcard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        VCardParseResult *result = NULL;
        char reason[256];

        if (vcard_parse(data, size, &result, reason, sizeof reason) < 0)
                return 0;
        for (size_t i = 0; i < result->n_cards && i < 16; i++) {
                char *text = NULL;
                size_t len = 0;
                if (vcard_write_v4(result->cards[i], VCARD_WRITE_UNKNOWN, &text, &len) >= 0)
                        free(text);
        }
        vcard_parse_result_free(result);
        return 0;
}
