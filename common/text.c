/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "text.h"

/* Decodes one UTF-8 sequence at s (len bytes available).  Returns its length
 * and stores the code point, or 0 when malformed. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp) {
        uint32_t cp;
        size_t n;

        if (s[0] < 0x80) {
                *ret_cp = s[0];
                return 1;
        } else if ((s[0] & 0xE0) == 0xC0) {
                n = 2;
                cp = s[0] & 0x1F;
        } else if ((s[0] & 0xF0) == 0xE0) {
                n = 3;
                cp = s[0] & 0x0F;
        } else if ((s[0] & 0xF8) == 0xF0) {
                n = 4;
                cp = s[0] & 0x07;
        } else
                return 0;

        if (n > len)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3F);
        }

        /* Overlong forms, surrogates and out-of-range values are all ways
         * to smuggle bytes past a naive check. */
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
                return 0;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;

        *ret_cp = cp;
        return n;
}

bool utf8_valid(const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *) s;
        uint32_t cp;

        while (len > 0) {
                size_t n = utf8_decode(p, len, &cp);
                if (n == 0)
                        return false;
                p += n;
                len -= n;
        }
        return true;
}

void text_make_bus_sendable(char *s) {
        unsigned char *p = (unsigned char *) s, *end = p + strlen(s);
        uint32_t cp;

        while (p < end) {
                if (*p < 0x80) {
                        p++;
                        continue;
                }
                size_t n = utf8_decode(p, (size_t) (end - p), &cp);
                if (n == 0)
                        n = 1;
                else if (!((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)) {
                        p += n;
                        continue;
                }
                memset(p, '?', n);
                p += n;
        }
}

bool text_bus_sendable(const char *s) {
        const unsigned char *p = (const unsigned char *) s, *end = p + strlen(s);
        uint32_t cp;

        while (p < end) {
                /* Most text is ASCII: skip it eight bytes at a time. */
                while (end - p >= 8) {
                        uint64_t word;
                        memcpy(&word, p, sizeof word);
                        if (word & UINT64_C(0x8080808080808080))
                                break;
                        p += 8;
                }
                if (p == end)
                        break;
                if (*p < 0x80) {
                        p++;
                        continue;
                }
                size_t n = utf8_decode(p, (size_t) (end - p), &cp);
                if (n == 0)
                        return false;
                /* sd-bus refuses noncharacters as well: U+FDD0..U+FDEF and
                 * the last two code points of every plane. */
                if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
                        return false;
                p += n;
        }
        return true;
}

static bool is_bidi_control(uint32_t cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
                cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

static int text_check(const char *s, size_t max_bytes, bool allow_empty, bool multiline,
                      const char **ret_reason) {
        const char *reason = NULL;
        int r = 0;

        if (!s) {
                reason = "text is missing";
                r = -EINVAL;
                goto out;
        }

        size_t len = strlen(s);
        if (len > max_bytes) {
                reason = "text is too long";
                r = -E2BIG;
                goto out;
        }

        const unsigned char *p = (const unsigned char *) s;
        bool blank = true;
        size_t left = len;
        while (left > 0) {
                uint32_t cp;
                size_t n = utf8_decode(p, left, &cp);
                if (n == 0) {
                        reason = "text is not valid UTF-8";
                        r = -EINVAL;
                        goto out;
                }
                bool allowed_ws = multiline && (cp == '\n' || cp == '\t');
                if (!allowed_ws && (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))) {
                        reason = "text contains control characters";
                        r = -EINVAL;
                        goto out;
                }
                if (is_bidi_control(cp)) {
                        reason = "text contains bidirectional control characters";
                        r = -EINVAL;
                        goto out;
                }
                if (cp != ' ' && cp != '\n' && cp != '\t')
                        blank = false;
                p += n;
                left -= n;
        }

        if (blank && !allow_empty) {
                reason = "text is empty";
                r = -EINVAL;
        }
out:
        if (ret_reason)
                *ret_reason = reason;
        return r;
}

int text_check_line(const char *s, size_t max_bytes, bool allow_empty, const char **ret_reason) {
        return text_check(s, max_bytes, allow_empty, false, ret_reason);
}

int text_check_multiline(const char *s, size_t max_bytes, const char **ret_reason) {
        return text_check(s, max_bytes, true, true, ret_reason);
}
