/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Validation of text that comes from outside (CLI, bus, files).  Shared by
 * the client, which rejects bad input early with a friendly message, and
 * the daemon, which is the authority. */

/* True if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF). */
bool utf8_valid(const char *s, size_t len);

/* True if the NUL-terminated s is a string sd-bus would send: valid UTF-8
 * as utf8_valid() says, and no Unicode noncharacters (U+FDD0..U+FDEF,
 * U+nFFFE, U+nFFFF).  A row that fails this cannot go out in a List reply;
 * ListMemfd refuses it the same way. */
bool text_bus_sendable(const char *s);

/* Makes s (NUL-terminated, in place) a string text_bus_sendable() accepts:
 * every byte that does not begin a valid character, and every byte of a
 * noncharacter, becomes '?'.  For sentences built from what a caller sent
 * (a key cut at a byte count, a truncating snprintf): sd-bus cannot send
 * an error reply holding invalid UTF-8, and the caller would get no answer
 * at all. */
void text_make_bus_sendable(char *s);

/* Checks a one-line text field: non-empty after trimming (when !allow_empty),
 * at most max_bytes, valid UTF-8, no control characters (C0, DEL, C1) and
 * no bidirectional override/isolate characters that could disguise what a
 * notification says.  Returns 0, -EINVAL (bad content), or -E2BIG (too
 * long); *ret_reason (optional) is set to a static sentence naming the
 * problem. */
int text_check_line(const char *s, size_t max_bytes, bool allow_empty, const char **ret_reason);

/* As text_check_line but newlines and tabs are allowed (notes). */
int text_check_multiline(const char *s, size_t max_bytes, const char **ret_reason);
