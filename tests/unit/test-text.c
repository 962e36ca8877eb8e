/* SPDX-License-Identifier: MIT */
/* Error sentences that quote what a caller sent are made sendable before
 * they go on the bus: text_make_bus_sendable() turns what sd-bus would
 * refuse into '?' and leaves everything else alone. */
#include <string.h>

#include "tap.h"
#include "text.h"

/* Runs the repair on a copy of in and compares with want. */
static void check_repair(const char *in, const char *want, const char *what) {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", in);
        text_make_bus_sendable(buf);
        CHECK_STR(buf, want, what);
        CHECK(text_bus_sendable(buf), what);
}

int main(void) {
        check_repair("Unknown option \"every\".", "Unknown option \"every\".", "ASCII is left alone");
        check_repair("Unknown option \"Müller 日本\".", "Unknown option \"Müller 日本\".",
                     "valid UTF-8 is left alone");
        /* "xé" cut after the first byte of é: the stray lead byte goes. */
        check_repair("Unknown option \"x\xc3\".", "Unknown option \"x?\".", "a character cut in two");
        check_repair("a\xff\xfe" "b", "a??b", "bytes that are never UTF-8");
        check_repair("\xc0\xaf", "??", "an overlong slash");
        check_repair("\xed\xa0\x80", "???", "a surrogate");
        /* sd-bus refuses noncharacters too: U+FDD0 and U+FFFE. */
        check_repair("n\xef\xb7\x90" "c\xef\xbf\xbe", "n???c???", "noncharacters");
        check_repair("", "", "empty");
        return tap_done();
}
