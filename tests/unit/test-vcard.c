/* SPDX-License-Identifier: MIT */
/* Tests for daemon/vcard.c: every file of tests/data/vcf against what its
 * MANIFEST.tsv entry says, each reader quirk on its own, hostile input, and
 * the 4.0 writer (parse(write(card)) gives the card back). */

#include "vcard.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static const char *data_dir(void) {
        const char *d = getenv("NETCTL_TEST_DATA");
        return d && d[0] ? d : "tests/data";
}

static int read_whole(const char *path, char **ret, size_t *ret_size) {
        FILE *f = fopen(path, "rb");
        char *buf = NULL;
        size_t n = 0, cap = 0;

        if (!f)
                return -errno;
        for (;;) {
                if (cap - n < 65536) {
                        char *nb = realloc(buf, cap + 65536 + 1);
                        if (!nb) {
                                free(buf);
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = nb;
                        cap += 65536;
                }
                size_t k = fread(buf + n, 1, cap - n, f);
                n += k;
                if (k == 0)
                        break;
        }
        fclose(f);
        buf[n] = 0;
        *ret = buf;
        *ret_size = n;
        return 0;
}

static char *corpus_path(const char *file) {
        static char path[4096];
        snprintf(path, sizeof(path), "%s/vcf/%s", data_dir(), file);
        return path;
}

/* The test's own UTF-8 check, written apart from the parser's. */
static bool valid_utf8(const char *str) {
        const unsigned char *s = (const unsigned char *) str;

        while (*s) {
                unsigned c = *s, need, cp;
                if (c < 0x80) {
                        s++;
                        continue;
                }
                if (c >= 0xC2 && c <= 0xDF) {
                        need = 1;
                        cp = c & 0x1F;
                } else if (c >= 0xE0 && c <= 0xEF) {
                        need = 2;
                        cp = c & 0x0F;
                } else if (c >= 0xF0 && c <= 0xF4) {
                        need = 3;
                        cp = c & 0x07;
                } else
                        return false;
                for (unsigned i = 1; i <= need; i++) {
                        if ((s[i] & 0xC0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i] & 0x3F);
                }
                if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                    (cp >= 0xD800 && cp <= 0xDFFF))
                        return false;
                s += need + 1;
        }
        return true;
}

/* Whether s holds a control character (C0, DEL, C1), TAB and LF allowed
 * when multiline. */
static bool has_control(const char *str, bool multiline) {
        const unsigned char *s = (const unsigned char *) str;

        for (; *s; s++) {
                if (*s < 0x20 && !(multiline && (*s == '\n' || *s == '\t')))
                        return true;
                if (*s == 0x7F)
                        return true;
                if (*s == 0xC2 && s[1] >= 0x80 && s[1] < 0xA0)
                        return true;
        }
        return false;
}

static bool trimmed(const char *s) {
        size_t n = strlen(s);
        return n > 0 && s[0] != ' ' && s[n - 1] != ' ' && s[0] != '\n' && s[n - 1] != '\n' &&
               s[0] != '\t' && s[n - 1] != '\t';
}

static const char *text_problem(const char *s, bool multiline, size_t max) {
        if (!s)
                return NULL;
        if (!valid_utf8(s))
                return "invalid UTF-8";
        if (has_control(s, multiline))
                return "control character";
        if (strlen(s) > max)
                return "too long";
        if (!trimmed(s))
                return "empty or not trimmed";
        return NULL;
}

/* Everything the header promises about a card the parser returns. */
static const char *card_problem(const VCard *c) {
        static char why[128];
        const char *p;

#define TRY(field, multiline, max)                                                    \
        do {                                                                          \
                p = text_problem(field, multiline, max);                              \
                if (p) {                                                              \
                        snprintf(why, sizeof(why), "%s: %s", #field, p);              \
                        return why;                                                   \
                }                                                                     \
        } while (0)

        if (!c->fn && c->n_emails == 0)
                return "card without name and e-mail";
        TRY(c->fn, false, VCARD_FIELD_MAX);
        for (size_t i = 0; i < VCARD_N_PARTS; i++)
                TRY(c->n[i], false, VCARD_FIELD_MAX);
        TRY(c->org, false, VCARD_FIELD_MAX);
        TRY(c->uid, false, VCARD_FIELD_MAX);
        TRY(c->note, true, VCARD_NOTE_MAX);
        if (c->n_emails > VCARD_EMAILS_MAX || c->n_tels > VCARD_LIST_MAX ||
            c->n_categories > VCARD_LIST_MAX || c->n_extensions > VCARD_LIST_MAX)
                return "too many list entries";
        for (size_t i = 0; i < c->n_emails; i++) {
                TRY(c->emails[i], false, VCARD_EMAIL_MAX);
                if (!vcard_email_is_valid(c->emails[i]))
                        return "invalid e-mail kept";
                for (size_t j = 0; j < i; j++)
                        if (vcard_email_equal(c->emails[i], c->emails[j]))
                                return "duplicate e-mail";
        }
        for (size_t i = 0; i < c->n_tels; i++) {
                if (!c->tels[i])
                        return "NULL TEL";
                TRY(c->tels[i], false, VCARD_FIELD_MAX);
        }
        for (size_t i = 0; i < c->n_categories; i++) {
                if (!c->categories[i])
                        return "NULL category";
                TRY(c->categories[i], false, VCARD_FIELD_MAX);
        }
        for (size_t i = 0; i < c->n_extensions; i++) {
                if (!c->extensions[i].name || !c->extensions[i].value ||
                    strncmp(c->extensions[i].name, "X-NETCTL-", 9) != 0)
                        return "bad extension";
                TRY(c->extensions[i].value, true, VCARD_NOTE_MAX);
        }
        if (!c->raw || strlen(c->raw) != c->raw_size || !valid_utf8(c->raw))
                return "raw missing, wrong size or not UTF-8";
        for (size_t i = 0; i < c->raw_size; i++) {
                unsigned char ch = (unsigned char) c->raw[i];
                if ((ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') || ch == 0x7F)
                        return "control character in raw";
                if (ch == '\r' && c->raw[i + 1] != '\n')
                        return "bare CR in raw";
        }
#undef TRY
        return NULL;
}

static const char *result_problem(const VCardParseResult *res) {
        static char why[160];

        for (size_t i = 0; i < res->n_cards; i++) {
                const char *p = card_problem(res->cards[i]);
                if (p) {
                        snprintf(why, sizeof(why), "card %zu: %s", i, p);
                        return why;
                }
        }
        for (size_t i = 0; i < res->n_warnings; i++)
                if (!res->warnings[i] || !valid_utf8(res->warnings[i]) || has_control(res->warnings[i], false))
                        return "bad warning text";
        if (res->n_warnings > VCARD_WARNINGS_MAX)
                return "too many warnings kept";
        return NULL;
}

static void check_result_ok(const VCardParseResult *res, const char *what) {
        const char *p = result_problem(res);
        char msg[256];

        if (p)
                printf("#   %s\n", p);
        snprintf(msg, sizeof(msg), "%s: output is bounded, clean UTF-8", what);
        CHECK(!p, msg);
}

static bool has_warning(const VCardParseResult *res, const char *needle) {
        for (size_t i = 0; i < res->n_warnings; i++)
                if (strstr(res->warnings[i], needle))
                        return true;
        return false;
}

/* Parses a string that must parse; NULL (and a failed check) if not. */
static VCardParseResult *parse_ok(const char *text, size_t size, const char *what) {
        VCardParseResult *res = NULL;
        char reason[256] = "", msg[256];
        int r;

        r = vcard_parse(text, size, &res, reason, sizeof(reason));
        if (r < 0)
                printf("#   %s: %s (%d)\n", what, reason, r);
        snprintf(msg, sizeof(msg), "%s: parses", what);
        CHECK(r == 0 && res, msg);
        if (r < 0)
                return NULL;
        check_result_ok(res, what);
        return res;
}

static VCardParseResult *parse_str(const char *text, const char *what) {
        return parse_ok(text, strlen(text), what);
}

static const char *or_null(const char *s) {
        return s ? s : "(null)";
}

/* CHECK_STR that also accepts NULL == NULL. */
static void check_str_or_null(const char *got, const char *want, const char *what) {
        if (!want) {
                if (got)
                        printf("#   got \"%s\", want NULL\n", got);
                CHECK(!got, what);
        } else
                CHECK_STR(got, want, what);
}

/* "a b c" against the card's e-mails, in order. */
static void check_emails(const VCard *c, const char *want, const char *what) {
        char got[2048] = "";

        for (size_t i = 0; i < c->n_emails; i++) {
                if (i > 0)
                        strncat(got, " ", sizeof(got) - strlen(got) - 1);
                strncat(got, c->emails[i], sizeof(got) - strlen(got) - 1);
        }
        CHECK_STR(got, want, what);
}

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...) {
        static char bufs[8][256];
        static unsigned next;
        char *b = bufs[next++ % 8];
        va_list ap;

        va_start(ap, f);
        vsnprintf(b, 256, f, ap);
        va_end(ap);
        return b;
}

/* Undoes folding in place ("\r\n " removed), for looking at written
 * content lines whole. */
static char *unfold(char *text) {
        char *w = text;

        for (const char *s = text; *s; s++)
                if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ')
                        s += 2;
                else
                        *w++ = *s;
        *w = 0;
        return text;
}

/* ---- the corpus, as MANIFEST.tsv describes it ---- */

typedef struct CardExpect {
        const char *fn;         /* NULL: the card has no name */
        const char *emails;     /* space-separated, in order */
        const char *org;        /* NULL: none */
} CardExpect;

typedef void (*ExtraCheck)(const VCardParseResult *res);

typedef struct FileExpect {
        const char *file;
        int ret;                /* 0, or the error vcard_parse must give */
        size_t n_cards, n_skipped;
        CardExpect cards[6];    /* the first cards, as many as are listed */
        size_t n_listed;
        ExtraCheck extra;
} FileExpect;

#define N_TILDE "\xC3\x91"      /* Ñ */
#define N_TILDE_11 N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE
#define N_TILDE_44 N_TILDE_11 N_TILDE_11 N_TILDE_11 N_TILDE_11
#define N_TILDE_5 N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE
#define N_TILDE_8 N_TILDE_5 " " N_TILDE " " N_TILDE " " N_TILDE

static void extra_android(const VCardParseResult *res) {
        const VCard *const *c = (const VCard *const *) res->cards;

        /* 1, 2: no FN/N, usable through their e-mail; CATEGORIES:My Contacts */
        CHECK(c[0]->n_categories == 1 && strcmp(c[0]->categories[0], "My Contacts") == 0,
              "ANDROID 1: CATEGORIES My Contacts");
        /* 3: FN 'Ñ Ñ Ñ Ñ Ñ ' (the trailing space is trimmed), no e-mail */
        CHECK_INT(c[2]->n_emails, 0, "ANDROID 3: no e-mail");
        /* 4: QP soft break inside FN; two QP NOTEs, joined */
        /* each NOTE: two QP lines of 8 Ñ (the soft break joins them with
         * no space) and a third of 5 with a trailing space, trimmed */
        CHECK_STR(c[3]->note, N_TILDE_8 N_TILDE_8 N_TILDE_5 "\n" N_TILDE_8 N_TILDE_8 N_TILDE_5,
                  "ANDROID 4: both QP NOTEs, soft breaks joined");
        /* 5: the 2nd EMAIL is QP text, not an address: dropped with a
         * warning; the BASE64 PHOTO (folded, blank line after) skipped */
        CHECK(has_warning(res, "is not an e-mail address"), "ANDROID 5: the QP text EMAIL is reported");
        CHECK_INT(res->n_warnings, 1, "ANDROID: that is the only warning");
        CHECK_INT(c[4]->n_tels, 3, "ANDROID 5: 3 TEL");
        /* 6: the first ORG ends in a soft break followed by an empty line
         * and the next ORG: it must end there, 44 Ñ, and CATEGORIES after
         * the third ORG (which ends in a stray =80) must still be read. */
        CHECK_STR(c[5]->org, N_TILDE_44,
                  "ANDROID 6: first ORG ends at the empty line after its soft break");
        CHECK(c[5]->n_categories == 1 && strcmp(c[5]->categories[0], "My Contacts") == 0,
              "ANDROID 6: CATEGORIES after the broken ORGs is read");
}

static void extra_iphone(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK_INT(c->version, VCARD_VERSION_30, "IPHONE: VERSION 3.0 read through CR CR LF");
        CHECK_STR(c->n[VCARD_N_ADDITIONAL], "Richter,James", "IPHONE: N additional names");
        /* The manifest says "9 TEL incl item2.TEL"; the file has 7 TEL
         * lines (6 TEL;type=... and item2.TEL).  The file wins. */
        CHECK_INT(c->n_tels, 7, "IPHONE: 7 TEL (the file's count; the manifest says 9)");
        CHECK_STR(c->tels[6], "905-222-1234", "IPHONE: item2.TEL read through its group");
        CHECK_INT(res->n_warnings, 0, "IPHONE: the 45 KB photo is skipped quietly");
}

static void extra_outlook(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK_STR(c->n[VCARD_N_FAMILY], "Doe", "MS_OUTLOOK: N family (N;LANGUAGE=en-us)");
        CHECK_STR(c->n[VCARD_N_ADDITIONAL], "Richter,James", "MS_OUTLOOK: N additional");
        CHECK_STR(c->n[VCARD_N_SUFFIX], "Sr.", "MS_OUTLOOK: N suffix");
        /* The manifest calls the NOTE "one ~1.3 KB unfolded line"; the
         * line is 738 bytes (it is X-MS-OL-DESIGN that is 1.3 KB). */
        CHECK(c->note && strncmp(c->note, "THIS SOFTWARE IS PROVIDED BY GEORGE EL-HADDAD ''AS IS''", 54) == 0 &&
              strlen(c->note) > 700 && !strchr(c->note, '\n'),
              "MS_OUTLOOK: NOTE is the long single line (738 bytes, not ~1.3 KB)");
        CHECK_INT(res->n_warnings, 0, "MS_OUTLOOK: photo and X-MS-OL-DESIGN pass quietly");
}

static void extra_evolution(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK_STR(c->n[VCARD_N_ADDITIONAL], "Richter, James", "EVOLUTION: N 'Richter\\, James' unescaped");
        CHECK(c->n_categories == 1 && strcmp(c->categories[0], "VIP") == 0, "EVOLUTION: CATEGORIES VIP");
        CHECK_STR(c->uid, "477343c8e6bf375a9bac1f96a5000837", "EVOLUTION: UID");
        CHECK(c->note && strstr(c->note, "CONTRIBUTORS \"AS IS\" AND") &&
              strstr(c->note, "SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS"),
              "EVOLUTION: folded NOTE joined, \\, and \\; unescaped");
}

static void extra_gmail(const VCardParseResult *res) {
        const VCard *c = res->cards[0];
        size_t n = c->note ? strlen(c->note) : 0;

        CHECK_STR(c->n[VCARD_N_ADDITIONAL], "Richter, James", "GMAIL: N additional");
        CHECK(c->note && strstr(c->note, "CONTRIBUTORS \"AS IS\" AND") && n > 20 &&
              strcmp(c->note + n - 21, "\nFavotire Color: Blue") == 0,
              "GMAIL: NOTE with \\\" and \\n");
}

static void extra_mac(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK_INT(c->n_tels, 7, "MAC_ADDRESS_BOOK: 7 TEL incl item1.TEL");
        CHECK(c->note && strstr(c->note, "\"AS IS\"") && strlen(c->note) > 700, "MAC_ADDRESS_BOOK: long NOTE");
        CHECK_INT(res->n_warnings, 0, "MAC_ADDRESS_BOOK: LF-only photo lines pass quietly");
}

static void extra_gmail_single2(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK_INT(c->n_tels, 11, "gmail-single2: 11 TEL incl item groups");
        CHECK_STR(c->note, "note line 1\nnote line 2\nCustomField: field value", "gmail-single2: NOTE");
}

static void extra_outlook2003(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK(c->n[VCARD_N_ADDITIONAL] == NULL && strcmp(or_null(c->n[VCARD_N_PREFIX]), "Mr.") == 0 &&
              strcmp(or_null(c->n[VCARD_N_SUFFIX]), "III") == 0,
              "outlook-2003: N Doe;John;;Mr.;III");
        CHECK_STR(c->note, "This is the note field!!\nSecond line\n\nThird line is empty",
                  "outlook-2003: QP NOTE with =0D=0A and a soft break inside =0D=0A");
        CHECK_INT(c->n_tels, 4, "outlook-2003: 4 TEL");
}

static void extra_thunderbird_ext(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK(c->n_categories == 1 && strcmp(c->categories[0], "category1, category2, category3") == 0,
              "thunderbird-ext: escaped commas make ONE category");
        CHECK_STR(c->note,
                  "This is the notes field.\nSecond Line\n\nFourth Line\n"
                  "You can put anything in the \"note\" field; even curse words.",
                  "thunderbird-ext: NOTE with \\n and \\;");
        CHECK_INT(c->n_tels, 5, "thunderbird-ext: 5 TEL");
}

static void extra_fullcontact(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK_INT(c->version, VCARD_VERSION_40, "fullcontact: 4.0");
        CHECK_INT(c->n_tels, 9, "fullcontact: 9 TEL");
        CHECK_STR(c->note, "Notes line 1\nNotes line 2", "fullcontact: NOTE");
        CHECK(c->n_categories == 1 && strcmp(c->categories[0], "Tag") == 0, "fullcontact: CATEGORIES Tag");
}

static void extra_issue114(const VCardParseResult *res) {
        const VCard *c = res->cards[0];
        char *text = NULL;
        int r;

        CHECK_INT(c->n_tels, 2, "issue114: 2 TEL");
        CHECK_STR(c->uid, "8b574c60-fd7f-4e99-b584-c5db131ae687", "issue114: UID");
        /* The ADR's LABEL parameter is unquoted, holds ':' after its caret
         * escapes and is folded over three lines; the parameter ends at the
         * first ':', so the rest is the value.  Carried over unchanged. */
        r = vcard_write_v4(c, VCARD_WRITE_UNKNOWN, &text, NULL);
        CHECK(r == 0, "issue114: writes");
        if (r == 0) {
                unfold(text);
                CHECK(strstr(text, "ADR;TYPE=work;LABEL=Dummy-Dummy-Strasse 1 61352 Bad Homburg^nGERMANY^': BHG01:"
                                   "^n61352 Bad Homburg^nGERMANY:61352 Bad Homburg\\nGERMANY:;BHG01:;"
                                   "Dummy-Dummy-Strasse 1;Bad Homburg;;61352;Germany\r\n") != NULL,
                      "issue114: folded ADR with ':' in an unquoted parameter carried over whole");
                free(text);
        }
}

static void extra_backslash(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        /* vCard 2.1: FN is kept literally; in N only \; \\ and \: are
         * escapes (AOSP: "", "A;B\", "C\;", "D", ":E", "\\", ""). */
        CHECK(c->n[VCARD_N_FAMILY] == NULL, "v21_backslash: N family empty");
        CHECK_STR(c->n[VCARD_N_GIVEN], "A;B\\", "v21_backslash: N 'A\\;B\\\\'");
        CHECK_STR(c->n[VCARD_N_ADDITIONAL], "C\\;", "v21_backslash: N 'C\\\\\\;'");
        CHECK_STR(c->n[VCARD_N_PREFIX], "D", "v21_backslash: N 'D'");
        CHECK_STR(c->n[VCARD_N_SUFFIX], ":E", "v21_backslash: N '\\:E'");
}

static void extra_complicated(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK(strcmp(or_null(c->n[0]), "Gump") == 0 && strcmp(or_null(c->n[1]), "Forrest") == 0 &&
              strcmp(or_null(c->n[2]), "Hoge") == 0 && strcmp(or_null(c->n[3]), "Pos") == 0 &&
              strcmp(or_null(c->n[4]), "Tao") == 0,
              "v21_complicated: N Gump;Forrest;Hoge;Pos;Tao");
        CHECK_STR(c->note,
                  "The following note is the example from RFC 2045.\n"
                  "Now's the time for all folk to come to the aid of their country.",
                  "v21_complicated: two NOTEs, the QP one with soft breaks (leading space kept)");
        CHECK_INT(c->n_tels, 5, "v21_complicated: 5 TEL");
        CHECK_INT(res->n_warnings, 0, "v21_complicated: photo + blank line pass quietly");
}

static void extra_comment_line(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK_STR(c->note, "This is an (sharp ->#<- sharp) example. This message must NOT be ignored.",
                  "v21_invalid_comment_line: the '#' line after a soft break is part of NOTE");
        CHECK_STR(c->uid, "357", "v21_invalid_comment_line: UID");
        CHECK_INT(res->n_warnings, 2, "v21_invalid_comment_line: the two '#' lines are reported and ignored");
}

static void extra_nest(const VCardParseResult *res) {
        const VCard *parent = res->cards[2];

        CHECK(parent->n_tels == 1 && strcmp(parent->tels[0], "1") == 0, "v21_nest: parent keeps TEL 1");
        CHECK(!strstr(parent->raw, "nest1") && !strstr(parent->raw, "nest2") && strstr(parent->raw, "TEL:1"),
              "v21_nest: parent's raw text leaves the nested cards out");
}

static void extra_japanese(const VCardParseResult *res) {
        const VCard *c = res->cards[0];
        size_t n = c->fn ? strlen(c->fn) : 0;

        CHECK(c->fn && strstr(c->fn, "\xEF\xBF\xBD") && n > 2 && strcmp(c->fn + n - 2, " 1") == 0,
              "v21_japanese_2: Shift_JIS FN kept with U+FFFD for what cannot be read");
        CHECK(has_warning(res, "SHIFT_JIS"), "v21_japanese_2: the unsupported CHARSET is reported");
}

static void extra_simple2(const VCardParseResult *res) {
        CHECK_INT(res->cards[0]->version, VCARD_VERSION_NONE, "v21_simple_2: no VERSION, still read");
}

static void extra_ansi(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK(strcmp(or_null(c->n[VCARD_N_FAMILY]), "Rastral") == 0 && strcmp(or_null(c->n[VCARD_N_GIVEN]), "Ralf") == 0,
              "AnsiIssue: N;LANGUAGE=de Rastral;Ralf");
        /* Upstream expects 'Lämmerweg 12' from the raw 0xE4 byte. */
        CHECK(strstr(c->raw, "L\xC3\xA4mmerweg 12") != NULL,
              "AnsiIssue: raw Windows-1252 byte read as 'L\xC3\xA4mmerweg 12'");
}

static void extra_utf16(const VCardParseResult *res) {
        CHECK_INT(res->cards[0]->n_tels, 1, "v3Utf16Bom 1: item3.TEL");
        CHECK_INT(res->cards[1]->n_tels, 2, "v3Utf16Bom 2: TEL and item1.TEL");
}

static void extra_large(const VCardParseResult *res) {
        size_t named = 0, emails = 0, apostrophes = 0;

        for (size_t i = 0; i < res->n_cards; i++) {
                named += res->cards[i]->fn != NULL;
                emails += res->cards[i]->n_emails;
                apostrophes += res->cards[i]->fn && strchr(res->cards[i]->fn, '\'');
        }
        CHECK_INT(named, 1000, "LargeFile: all 1000 have FN");
        CHECK_INT(emails, 0, "LargeFile: 0 e-mails");
        CHECK(apostrophes > 0, "LargeFile: names with apostrophes (O'Hara) read");
        CHECK_STR(res->cards[999]->fn, "Florine Liana Stehr", "LargeFile: last card");
        CHECK_STR(res->cards[999]->n[VCARD_N_ADDITIONAL], "Liana", "LargeFile: last card's N");
}

static void extra_cropped(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK(has_warning(res, "no END:VCARD"), "Cropped_2_1: missing END:VCARD reported");
        CHECK(strcmp(or_null(c->n[0]), "Mustermann") == 0 && strcmp(or_null(c->n[1]), "Max") == 0 &&
              strcmp(or_null(c->n[2]), "Middle Name") == 0 && strcmp(or_null(c->n[3]), "Dr.") == 0,
              "Cropped_2_1: N Mustermann;Max;Middle Name;Dr.");
        /* soft breaks each followed by an empty line; the file ends in
         * "=C3=": the lone lead byte becomes U+FFFD */
        CHECK_STR(c->note,
                  "Kommentar \xC3\x84\xC3\x84\xC3\x84\xC3\x84\xC3\x84\xC3\x84 "
                  "\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4 "
                  "\xC3\x96\xC3\x96\xC3\x96\xC3\x96\xC3\x96\xC3\x96 "
                  "\xC3\xB6\xC3\xB6\xC3\xB6\xC3\xB6\xC3\xB6\xC3\xB6 "
                  "\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C\xC3\x9C "
                  "\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xEF\xBF\xBD",
                  "Cropped_2_1: QP NOTE across empty lines, cut at the end");
}

static void extra_photo_v3(const VCardParseResult *res) {
        CHECK_INT(res->cards[0]->n_tels, 3, "Photo v3: 3 TEL");
        CHECK_STR(res->cards[0]->uid, "34954de49734287e", "Photo v3: UID");
}

static void extra_v4(const VCardParseResult *res) {
        CHECK_INT(res->cards[0]->n_tels, 2, "v4 1: 2 TEL");
        CHECK(res->cards[1]->n_tels == 10 && strcmp(res->cards[1]->tels[0], "Privattelefon") == 0,
              "v4 2: 10 TEL whose values are words");
}

static void extra_nextcloud(const VCardParseResult *res) {
        CHECK_INT(res->cards[0]->n_tels, 0, "NextCloud: empty TEL not kept");
        CHECK_INT(res->n_warnings, 0, "NextCloud: empty EMAIL/TEL and the 100 KB photo pass quietly");
        CHECK_STR(res->cards[0]->uid, "d6442f0b-d77e-487d-a009-f379ec372472", "NextCloud: UID");
}

static void extra_flutter_android(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK(strcmp(or_null(c->n[0]), "Smith") == 0 && strcmp(or_null(c->n[2]), "J\xC3\xB8h\xC3\xB1") == 0 &&
              strcmp(or_null(c->n[3]), "Dr") == 0 && strcmp(or_null(c->n[4]), "Jr") == 0,
              "flutter android: QP N Smith;John;J\xC3\xB8h\xC3\xB1;Dr;Jr");
        CHECK_STR(c->note, "Notes line 1\nNotes line 2\nNotes line 3", "flutter android: QP NOTE, 3 lines");
        CHECK_INT(c->n_tels, 3, "flutter android: 3 TEL");
}

static void extra_flutter_ios(const VCardParseResult *res) {
        CHECK_INT(res->cards[0]->n_tels, 11, "flutter ios: 11 TEL");
        CHECK_INT(res->n_warnings, 0, "flutter ios: unfolded photo line passes quietly");
}

static void extra_whatsapp(const VCardParseResult *res) {
        CHECK_INT(res->cards[0]->n_tels, 3, "whatsapp: item1-3.TEL");
}

static void extra_multiple(const VCardParseResult *res) {
        CHECK(res->cards[0]->version == VCARD_VERSION_40 && res->cards[1]->version == VCARD_VERSION_21 &&
              res->cards[2]->version == VCARD_VERSION_30,
              "node multiple: versions 4.0, 2.1, 3.0 in order");
}

static void extra_xing(const VCardParseResult *res) {
        const VCard *c = res->cards[0];

        CHECK(c->n_categories == 1 && strcmp(c->categories[0], "Consulting") == 0, "xing: CATEGORIES Consulting");
        CHECK_STR(c->uid, "XING-UID-XXXXXXXX", "xing: UID");
        CHECK_STR(c->note, "17.02.2016, 19:18 - XING - http://www.xing.com/profile/Hans-Peter-Mustermann",
                  "xing: NOTE with commas");
}

static void extra_empty_lines(const VCardParseResult *res) {
        CHECK_INT(res->cards[0]->n_tels, 2, "empty-lines: 2 TEL after the blank line");
}

static void extra_thunderbird(const VCardParseResult *res) {
        const VCard *c = res->cards[1];

        CHECK_STR(c->note, "here's some unicode text\xE2\x80\xA6", "thunderbird export 2: NOTE with U+2026");
        /* X-CUSTOM3 holds a raw CR that is not a line end: the property
         * stays one line (the CR itself is dropped from the text). */
        CHECK(strstr(c->raw, "X-CUSTOM3;VALUE=TEXT:custom3\r\nX-CUSTOM4") != NULL,
              "thunderbird export 2: bare CR inside X-CUSTOM3 is not a line end");
        CHECK(strstr(c->raw, "X-CUSTOM2;VALUE=TEXT:custom\t2\r\n") != NULL, "thunderbird export 2: TAB kept in raw");
        CHECK_INT(res->n_warnings, 0, "thunderbird export: no warnings");
}

static const FileExpect corpus[] = {
        { "ez-vcard--John_Doe_ANDROID.vcf", 0, 6, 0, {
                  { NULL, "john.doe@company.com", NULL },
                  { NULL, "jane.doe@company.com", NULL },
                  { N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE, "", NULL },
                  { N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE " "
                    N_TILDE " " N_TILDE " " N_TILDE, "", NULL },
                  { N_TILDE " " N_TILDE " " N_TILDE " " N_TILDE, "bob@company.com",
                    N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE N_TILDE },
                  { N_TILDE N_TILDE N_TILDE N_TILDE, "henry@company.com", N_TILDE_44 },
          }, 6, extra_android },
        { "ez-vcard--John_Doe_IPHONE.vcf", 0, 1, 0, {
                  { "Mr. John Richter James Doe Sr.", "john.doe@ibm.com", "IBM" } }, 1, extra_iphone },
        { "ez-vcard--John_Doe_MS_OUTLOOK.vcf", 0, 1, 0, {
                  { "Mr. John Richter James Doe Sr.", "john.doe@ibm.cm", "IBM" } }, 1, extra_outlook },
        { "ez-vcard--John_Doe_EVOLUTION.vcf", 0, 1, 0, {
                  { "Mr. John Richter, James Doe Sr.", "john.doe@ibm.com", "IBM" } }, 1, extra_evolution },
        { "ez-vcard--John_Doe_GMAIL.vcf", 0, 1, 0, {
                  { "Mr. John Richter, James Doe Sr.", "john.doe@ibm.com", "IBM" } }, 1, extra_gmail },
        { "ez-vcard--John_Doe_MAC_ADDRESS_BOOK.vcf", 0, 1, 0, {
                  { "Mr. John Richter,James Doe Sr.", "john.doe@ibm.com", "IBM" } }, 1, extra_mac },
        { "ez-vcard--gmail-list.vcf", 0, 3, 0, {
                  { "Arnold Smith", "asmithk@gmail.com", NULL },
                  { "Chris Beatle", "chrisy55d@yahoo.com", NULL },
                  { "Doug White", "dwhite@gmail.com", NULL } }, 3, NULL },
        { "ez-vcard--gmail-single2.vcf", 0, 1, 0, {
                  { "VCard Test", "email@example.com homeemail@example.com workemail@example.com "
                                  "otheremail@example.com customcategory@example.com", "TheCompany" } },
          1, extra_gmail_single2 },
        { "ez-vcard--outlook-2003.vcf", 0, 1, 0, {
                  { "John Doe III", "jdoe@hotmail.com", "Company, The" } }, 1, extra_outlook2003 },
        { "ez-vcard--thunderbird-MoreFunctionsForAddressBook-extension.vcf", 0, 1, 0, {
                  { "John Doe", "doe.john@hotmail.com additional-email@company.com additional-email1@company.com "
                                "additional-email2@company.com additional-email3@company.com", "TheOrganization" } },
          1, extra_thunderbird_ext },
        { "ez-vcard--fullcontact.vcf", 0, 1, 0, {
                  { "Prefix FirstName MiddleName LastName Suffix",
                    "home@example.com work@example.com school@example.com other@example.com custom@example.com",
                    "Organization1" } }, 1, extra_fullcontact },
        { "ez-vcard--issue114.vcf", 0, 1, 0, {
                  { "Dummy, Dummy", "dummy.dummy@dummy.com", "Dummy GmbH" } }, 1, extra_issue114 },
        { "aosp-vcard--v21_backslash.vcf", 0, 1, 0, {
                  { "A;B\\C\\;D:E\\\\", "", NULL } }, 1, extra_backslash },
        { "aosp-vcard--v21_complicated.vcf", 0, 1, 0, {
                  { "Joe Due", "forrestgump@walladalla.com cell@example.com", "Gump Shrimp Co." } },
          1, extra_complicated },
        { "aosp-vcard--v21_invalid_comment_line.vcf", 0, 1, 0, {
                  { "Conference Call", "", NULL } }, 1, extra_comment_line },
        /* AOSP's order: the nested cards, then the parent */
        { "aosp-vcard--v21_nest.vcf", 0, 3, 0, {
                  { "nest1", "", NULL }, { "nest2", "", NULL }, { "parent", "", NULL } }, 3, extra_nest },
        { "aosp-vcard--v21_japanese_2.vcf", 0, 1, 0, { { NULL, NULL, NULL } }, 0, extra_japanese },
        /* '"Omega" <omega@example.com>': the address is taken from <> */
        { "aosp-vcard--v21_invalid_multiple_line.vcf", 0, 1, 0, {
                  { "Omega", "omega@example.com", NULL } }, 1, NULL },
        { "aosp-vcard--v21_simple_2.vcf", 0, 1, 0, { { "Ando Roid", "", NULL } }, 1, extra_simple2 },
        { "folkerkinzel-vcards--AnsiIssue.vcf", 0, 1, 0, { { "Ralf Rastral", "", NULL } }, 1, extra_ansi },
        { "folkerkinzel-vcards--v3Utf16Bom.vcf", 0, 2, 0, {
                  { "Folker Kinzel", "email1@wumms.de email2@folker-kinzel.de", NULL },
                  /* leading space trimmed; a UTF-8 local part is allowed (RFC 6531) */
                  { "KMS Au\xC3\x9F" "enstelle", "blabl\xC3\xB6@blub.com", "KMS Au\xC3\x9F" "enstelle" } },
          2, extra_utf16 },
        { "folkerkinzel-vcards--LargeFile.vcf", 0, 1000, 0, { { "Kasey Schmitt", "", NULL } }, 1, extra_large },
        { "folkerkinzel-vcards--Cropped_2_1.vcf", 0, 1, 0, { { "Maxl", "", "Firma" } }, 1, extra_cropped },
        { "folkerkinzel-vcards--Photo_v3.vcf", 0, 1, 0, {
                  { "Emma Musterfrau", "emma.musterfrau@googlemail.com", NULL } }, 1, extra_photo_v3 },
        { "folkerkinzel-vcards--v4.vcf", 0, 2, 0, {
                  { "M\xC3\xB6hrke Gerda", "info@kinderland-blubblub.de", "KiTa \xC3\x96hrdingen" },
                  { "Dr. Max Horst Mustermann jr. Maxl SED",
                    "privat@freenet.de geschaeftlich@freenet.de sonstige@freenet.de nichts@wabbel.de", "SED" } },
          2, extra_v4 },
        { "folkerkinzel-vcards--NextCloudPhotoIssue3.vcf", 0, 1, 0, { { "yyy", "", "yyy" } }, 1, extra_nextcloud },
        { "flutter-contacts--android-default-contact-app.vcf", 0, 1, 0, {
                  { "Dr John J\xC3\xB8h\xC3\xB1 Smith, Jr.", "johnsmith@example.com john@smith.com", "FlutterContacts" } },
          1, extra_flutter_android },
        { "flutter-contacts--ios.vcf", 0, 1, 0, {
                  { "Dr John J\xC3\xB8h\xC3\xB1 Smith Jr", "john1@smith.com john2@smith.com john3@smith.com john4@smith.com",
                    "FlutterContacts" } }, 1, extra_flutter_ios },
        { "flutter-contacts--whatsapp.vcf", 0, 1, 0, {
                  { "Dr John J\xC3\xB8h\xC3\xB1 Smith, Jr.", "johnsmith@example.com john@smith.com", "FlutterContacts" } },
          1, extra_whatsapp },
        { "node-vcf--multiple.vcf", 0, 3, 0, {
                  { "Dr. Erika Mustermann", "erika@mustermann.de", "Wikimedia" },
                  { "Dr. Erika Mustermann", "erika@mustermann.de", "Wikimedia" },
                  { "Dr. Erika Mustermann", "erika@mustermann.de", "Wikimedia" } }, 3, extra_multiple },
        { "node-vcf--xing.vcf", 0, 1, 0, { { "Hans-Peter Mustermann", "", "Example GmbH" } }, 1, extra_xing },
        { "node-vcf--empty-lines.vcf", 0, 1, 0, {
                  { "Dr. Erika Mustermann", "erika@mustermann.de", "Wikimedia" } }, 1, extra_empty_lines },
        /* BOM, no BEGIN:VCARD: vCardLib calls it invalid; so do we */
        { "vcardlib--invalid.vcf", -EBADMSG, 0, 0, { { NULL, NULL, NULL } }, 0, NULL },
        { "thunderbird--export.vcf", 0, 2, 0, {
                  { "contact number one", "contact1@invalid", NULL },
                  { "contact number two", "contact2@invalid", NULL } }, 2, extra_thunderbird },
};

static bool fields_equal(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool strv_equal(char *const *a, size_t an, char *const *b, size_t bn) {
        if (an != bn)
                return false;
        for (size_t i = 0; i < an; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

/* The field that differs, or NULL. */
static const char *card_diff(const VCard *a, const VCard *b) {
        if (!fields_equal(a->fn, b->fn))
                return "fn";
        for (size_t i = 0; i < VCARD_N_PARTS; i++)
                if (!fields_equal(a->n[i], b->n[i]))
                        return "n";
        if (!strv_equal(a->emails, a->n_emails, b->emails, b->n_emails))
                return "emails";
        if (!fields_equal(a->org, b->org))
                return "org";
        if (!strv_equal(a->tels, a->n_tels, b->tels, b->n_tels))
                return "tels";
        if (!fields_equal(a->note, b->note))
                return "note";
        if (!strv_equal(a->categories, a->n_categories, b->categories, b->n_categories))
                return "categories";
        if (!fields_equal(a->uid, b->uid))
                return "uid";
        if (a->n_extensions != b->n_extensions)
                return "extensions";
        for (size_t i = 0; i < a->n_extensions; i++)
                if (strcmp(a->extensions[i].name, b->extensions[i].name) != 0 ||
                    strcmp(a->extensions[i].value, b->extensions[i].value) != 0)
                        return "extension";
        return NULL;
}

/* Checks the form of written text: CRLF only, lines of at most 75
 * octets, continuation lines not starting inside a UTF-8 sequence. */
static const char *written_problem(const char *t) {
        const char *line = t;

        if (!valid_utf8(t))
                return "invalid UTF-8";
        if (strncmp(t, "BEGIN:VCARD\r\nVERSION:4.0\r\n", 26) != 0)
                return "does not start with BEGIN, VERSION:4.0";
        for (const char *s = t; *s; s++) {
                if (*s == '\n' && (s == t || s[-1] != '\r'))
                        return "bare LF";
                if (*s == '\r' && s[1] != '\n')
                        return "bare CR";
                if (*s == '\r') {
                        if (s - line > 75)
                                return "line over 75 octets";
                        line = s + 2;
                        if (line[0] == ' ' && ((unsigned char) line[1] & 0xC0) == 0x80)
                                return "fold inside a UTF-8 sequence";
                }
        }
        if (line != t + strlen(t))
                return "no CRLF at the end";
        if (strlen(t) < 13 || strcmp(t + strlen(t) - 11, "END:VCARD\r\n") != 0)
                return "does not end with END:VCARD";
        return NULL;
}

/* parse(write(card)) gives the same fields, with and without the
 * unknown properties. */
static void check_round_trip(const VCard *c, const char *what) {
        for (unsigned flags = 0; flags <= VCARD_WRITE_UNKNOWN; flags += VCARD_WRITE_UNKNOWN) {
                VCardParseResult *res = NULL;
                char *text = NULL, reason[256] = "";
                const char *problem = NULL;
                size_t size = 0;
                int r;

                r = vcard_write_v4(c, flags, &text, &size);
                if (r < 0)
                        problem = "write failed";
                else if (size != strlen(text))
                        problem = "size is wrong";
                else if ((problem = written_problem(text)))
                        ;
                else if ((r = vcard_parse(text, size, &res, reason, sizeof(reason))) < 0)
                        problem = reason;
                else if (res->n_cards != 1)
                        problem = "not one card";
                else
                        problem = card_diff(c, res->cards[0]);
                if (problem)
                        printf("#   %s\n", problem);
                CHECK(!problem, fmt("%s: parse(write(card%s)) round-trips", what, flags ? ", unknown" : ""));
                vcard_parse_result_free(res);
                free(text);
        }
}

static void test_corpus_file(const FileExpect *e) {
        VCardParseResult *res = NULL;
        char *data = NULL, reason[256] = "";
        size_t size = 0;
        int r;

        r = read_whole(corpus_path(e->file), &data, &size);
        CHECK(r == 0, fmt("%s: readable", e->file));
        if (r < 0)
                return;

        r = vcard_parse(data, size, &res, reason, sizeof(reason));
        if (r != e->ret)
                printf("#   %s: %d %s\n", e->file, r, reason);
        CHECK_INT(r, e->ret, fmt("%s: parse result", e->file));
        if (e->ret < 0) {
                CHECK(res == NULL, fmt("%s: no result on failure", e->file));
                CHECK(strstr(reason, "BEGIN:VCARD") != NULL, fmt("%s: reason names the problem: %s", e->file, reason));
                free(data);
                return;
        }
        if (r < 0) {
                free(data);
                return;
        }

        check_result_ok(res, e->file);
        CHECK_INT(res->n_cards, e->n_cards, fmt("%s: %zu cards", e->file, e->n_cards));
        CHECK_INT(res->n_skipped, e->n_skipped, fmt("%s: %zu skipped", e->file, e->n_skipped));
        if (res->n_cards == e->n_cards) {
                for (size_t i = 0; i < e->n_listed; i++) {
                        const VCard *c = res->cards[i];
                        check_str_or_null(c->fn, e->cards[i].fn, fmt("%s %zu: FN", e->file, i + 1));
                        check_emails(c, e->cards[i].emails, fmt("%s %zu: e-mails", e->file, i + 1));
                        check_str_or_null(c->org, e->cards[i].org, fmt("%s %zu: ORG", e->file, i + 1));
                }
                if (e->extra)
                        e->extra(res);
                for (size_t i = 0; i < res->n_cards && i < 8; i++)
                        check_round_trip(res->cards[i], fmt("%s %zu", e->file, i + 1));
        }
        vcard_parse_result_free(res);
        free(data);
}

/* Every file in tests/data/vcf has an entry above and one in MANIFEST.tsv,
 * and the other way round. */
static void test_corpus_complete(void) {
        char *manifest = NULL;
        size_t size, n_files = 0;
        DIR *d;
        struct dirent *de;

        CHECK(read_whole(corpus_path("MANIFEST.tsv"), &manifest, &size) == 0, "MANIFEST.tsv readable");
        d = opendir(corpus_path(""));
        CHECK(d != NULL, "tests/data/vcf readable");
        if (!d || !manifest) {
                free(manifest);
                if (d)
                        closedir(d);
                return;
        }
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                bool listed = false;
                char needle[512];

                if (n < 5 || strcmp(de->d_name + n - 4, ".vcf") != 0)
                        continue;
                n_files++;
                for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++)
                        listed = listed || strcmp(corpus[i].file, de->d_name) == 0;
                snprintf(needle, sizeof(needle), "\n%s\t", de->d_name);
                CHECK(listed, fmt("%s has expectations in test-vcard.c", de->d_name));
                CHECK(strstr(manifest, needle) != NULL, fmt("%s is in MANIFEST.tsv", de->d_name));
        }
        closedir(d);
        CHECK_INT(n_files, sizeof(corpus) / sizeof(corpus[0]), "every expectation has its file");
        free(manifest);
}

/* Every prefix of a file (a download cut short) parses or is refused,
 * never crashes, and gives clean output. */
static void test_truncated(void) {
        static const char *const files[] = {
                "ez-vcard--John_Doe_ANDROID.vcf",
                "aosp-vcard--v21_complicated.vcf",
                "folkerkinzel-vcards--Cropped_2_1.vcf",
                "folkerkinzel-vcards--v3Utf16Bom.vcf",
                "thunderbird--export.vcf",
                "ez-vcard--issue114.vcf",
                "aosp-vcard--v21_nest.vcf",
        };

        for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
                char *data = NULL;
                size_t size = 0, bad = 0, tried = 0;

                if (read_whole(corpus_path(files[f]), &data, &size) < 0) {
                        CHECK(false, fmt("%s readable", files[f]));
                        continue;
                }
                /* Every cut costs a parse of the prefix: byte by byte for
                 * small files, every third byte for the two over 4 KB (still
                 * landing inside each kind of sequence many times). */
                size_t stride = size > 4096 ? 3 : 1;
                for (size_t cut = 0; cut <= size; cut += stride, tried++) {
                        VCardParseResult *res = NULL;
                        char reason[128];
                        int r = vcard_parse(data, cut, &res, reason, sizeof(reason));

                        if (r == 0) {
                                if (result_problem(res))
                                        bad++;
                                vcard_parse_result_free(res);
                        } else if (r != -EBADMSG || res)
                                bad++;
                }
                CHECK(bad == 0, fmt("%s: %zu prefixes parse cleanly or are refused", files[f], tried));
                free(data);
        }
}

/* ---- reader quirks, one by one ---- */

static void test_folding(void) {
        VCardParseResult *res;

        res = parse_str("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\n  Lima\r\nNOTE:fol\r\n\tded\r\n"
                        "EMAIL;TYPE=\r\n WORK:ana@exa\r\n mple.org\r\nEND:VCARD\r\n", "folding");
        if (res) {
                CHECK_STR(res->cards[0]->fn, "Ana Lima", "folding: one blank removed, the second kept");
                CHECK_STR(res->cards[0]->note, "folded", "folding: TAB continuation");
                check_emails(res->cards[0], "ana@example.org", "folding: inside parameters and value");
        }
        vcard_parse_result_free(res);
}

static void test_line_endings(void) {
        static const char *const variants[][2] = {
                { "LF", "BEGIN:VCARD\nVERSION:3.0\nFN:Ana\n  Lima\nEMAIL:ana@x.org\nEND:VCARD\n" },
                { "CRLF", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\n  Lima\r\nEMAIL:ana@x.org\r\nEND:VCARD\r\n" },
                { "CR CR LF", "BEGIN:VCARD\r\r\nVERSION:3.0\r\r\nFN:Ana\r\r\n  Lima\r\r\nEMAIL:ana@x.org\r\r\nEND:VCARD\r\r\n" },
                { "CR only", "BEGIN:VCARD\rVERSION:3.0\rFN:Ana\r  Lima\rEMAIL:ana@x.org\rEND:VCARD\r" },
                { "mixed", "BEGIN:VCARD\r\nVERSION:3.0\nFN:Ana\r\r\n  Lima\nEMAIL:ana@x.org\r\nEND:VCARD" },
        };

        for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
                VCardParseResult *res = parse_str(variants[i][1], variants[i][0]);
                if (!res)
                        continue;
                CHECK(res->n_cards == 1 && strcmp(or_null(res->cards[0]->fn), "Ana Lima") == 0 &&
                      res->cards[0]->n_emails == 1,
                      fmt("%s line ends: one card, folded FN, e-mail", variants[i][0]));
                vcard_parse_result_free(res);
        }
}

static void test_groups_and_params(void) {
        VCardParseResult *res;

        res = parse_str("BEGIN:VCARD\r\nVERSION:3.0\r\nitem1.FN:Ana\r\n"
                        "item1.EMAIL;type=INTERNET:b@x.org\r\n"
                        "EMAIL;X-LABEL=\"a:b;c\";TYPE=work:c@x.org\r\n"
                        "EMAIL;TYPE=INTERNET,PREF:a@x.org\r\n"
                        "item2.ORG:Acme;Sales\r\nEND:VCARD\r\n", "groups");
        if (res) {
                CHECK_STR(res->cards[0]->fn, "Ana", "group prefix: item1.FN");
                check_emails(res->cards[0], "a@x.org b@x.org c@x.org",
                             "params: quoted value with ':' and ';', TYPE=...,PREF moves first");
                CHECK_STR(res->cards[0]->org, "Acme", "group prefix: item2.ORG, first component");
        }
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Bo\r\nEMAIL;INTERNET:b@x.org\r\n"
                        "EMAIL;PREF;INTERNET:a@x.org\r\nEMAIL;HOME:c@x.org\r\nEND:VCARD\r\n", "2.1 bare params");
        if (res)
                check_emails(res->cards[0], "a@x.org b@x.org c@x.org", "2.1 bare PREF moves first");
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Cy\r\nEMAIL;PREF=50:b@x.org\r\n"
                        "EMAIL;PREF=2:a@x.org\r\nEMAIL:c@x.org\r\nEMAIL:mailto:d@x.org\r\nEMAIL:A@X.ORG\r\n"
                        "TEL;VALUE=uri:tel:+49-30-1\r\nEND:VCARD\r\n", "4.0 PREF");
        if (res) {
                check_emails(res->cards[0], "a@x.org b@x.org c@x.org d@x.org",
                             "4.0 lowest PREF first, mailto: dropped, duplicate ignoring case dropped");
                CHECK(res->cards[0]->n_tels == 1 && strcmp(res->cards[0]->tels[0], "+49-30-1") == 0, "TEL tel: URI");
        }
        vcard_parse_result_free(res);
}

static void test_escapes(void) {
        VCardParseResult *res;

        res = parse_str("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\\, B\\; C\\\\ D\\nE\r\n"
                        "N:Doe\\;Jr;Ana;;;\r\nNOTE:l1\\nl2\\\\n\\Nl3 C:\\Users\r\n"
                        "CATEGORIES:a,b\\,c,,A\r\nX-NETCTL-TIE:weak\r\nX-NETCTL-MET:PyData\\nBerlin\r\nEND:VCARD\r\n",
                        "escapes 3.0");
        if (res) {
                VCard *c = res->cards[0];
                CHECK_STR(c->fn, "A, B; C\\ D E", "3.0 escapes in FN (newline becomes a space)");
                CHECK_STR(c->n[VCARD_N_FAMILY], "Doe;Jr", "3.0 \\; inside an N component");
                CHECK_STR(c->note, "l1\nl2\\n\nl3 C:\\Users", "3.0 escapes in NOTE, unknown \\U kept");
                CHECK(c->n_categories == 2 && strcmp(c->categories[0], "a") == 0 &&
                      strcmp(c->categories[1], "b,c") == 0,
                      "CATEGORIES split on unescaped commas, empty and duplicate dropped");
                CHECK_STR(vcard_get_extension(c, "X-NETCTL-TIE"), "weak", "X-NETCTL-TIE kept");
                CHECK_STR(vcard_get_extension(c, "x-netctl-met"), "PyData\nBerlin", "X-NETCTL-MET unescaped");
        }
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana\r\nX-NETCTL-A_B:1\r\nitem1.X-NETCTL-CADENCE:60d\r\n"
                        "X-NETCTL-:2\r\nEND:VCARD\r\n", "extension names");
        if (res)
                CHECK(res->cards[0]->n_extensions == 1 &&
                      strcmp(res->cards[0]->extensions[0].name, "X-NETCTL-CADENCE") == 0,
                      "X-NETCTL-* read only under names the writer takes (group dropped)");
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:A\\,B\\nC\r\nORG:X\\;Y;Z\r\nEND:VCARD\r\n", "escapes 2.1");
        if (res) {
                CHECK_STR(res->cards[0]->fn, "A\\,B\\nC", "2.1 FN: backslash is literal");
                CHECK_STR(res->cards[0]->org, "X;Y", "2.1 ORG: \\; escapes the separator");
        }
        vcard_parse_result_free(res);
}

static void test_quoted_printable(void) {
        VCardParseResult *res;

        res = parse_str("BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Caf=C3=A9 =\r\n"
                        "au lait=3D=\r\n"
                        " ok\r\nNOTE;QUOTED-PRINTABLE:x=41=0D=0Ay=4\r\nEND:VCARD\r\n", "QP");
        if (res) {
                CHECK_STR(res->cards[0]->fn, "Caf\xC3\xA9 au lait= ok", "QP soft breaks, literal continuation");
                CHECK_STR(res->cards[0]->note, "xA\ny=4", "bare QUOTED-PRINTABLE, CRLF to newline, broken =4 kept");
        }
        vcard_parse_result_free(res);

        /* 2.1 quirk: a soft break followed by an empty line */
        res = parse_str("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ana\r\nNOTE;ENCODING=QUOTED-PRINTABLE:ab=\r\n\r\n=63d\r\n"
                        "ORG;ENCODING=QUOTED-PRINTABLE:Acme=\r\n\r\nTITLE:Boss\r\n"
                        "EMAIL;ENCODING=QUOTED-PRINTABLE:ana@x.org=\r\nEND:VCARD\r\n", "QP empty line");
        if (res) {
                CHECK_STR(res->cards[0]->note, "abcd", "QP: soft break + empty line + more QP continues");
                CHECK_STR(res->cards[0]->org, "Acme", "QP: soft break + empty line + property ends the value");
                check_emails(res->cards[0], "ana@x.org", "QP: a soft break never swallows END:VCARD");
                CHECK_INT(res->n_cards, 1, "QP: the card still ends");
        }
        vcard_parse_result_free(res);
}

static void test_charsets(void) {
        VCardParseResult *res;

        res = parse_str("BEGIN:VCARD\r\nVERSION:2.1\r\n"
                        "FN;CHARSET=ISO-8859-1:J\xFCrgen \x80\r\n"
                        "N;CHARSET=Windows-1252:\x93Q\x94;\x80\r\n"
                        "ORG;CHARSET=ISO-8859-15:\xA4uro\r\n"
                        "NOTE;CHARSET=ISO-8859-1:J\xC3\xBCrgen\r\n"
                        "TEL:M\xFCller\r\n"
                        "CATEGORIES;CHARSET=UTF-8:a\xFF" "b\r\n"
                        "UID;CHARSET=KOI8-R:\xF0\xD2" "x\r\nEND:VCARD\r\n", "charsets");
        if (res) {
                VCard *c = res->cards[0];
                CHECK_STR(c->fn, "J\xC3\xBCrgen \xE2\x82\xAC", "ISO-8859-1 read as Windows-1252 (0x80 is the euro)");
                CHECK_STR(c->n[0], "\xE2\x80\x9CQ\xE2\x80\x9D", "Windows-1252 quotes");
                CHECK_STR(c->org, "\xE2\x82\xAC" "uro", "ISO-8859-15 euro");
                CHECK_STR(c->note, "J\xC3\xBCrgen", "valid UTF-8 labelled ISO-8859-1 stays UTF-8");
                CHECK(c->n_tels == 1 && strcmp(c->tels[0], "M\xC3\xBCller") == 0, "unlabelled 8-bit read as Windows-1252");
                CHECK(c->n_categories == 1 && strcmp(c->categories[0], "a\xEF\xBF\xBD" "b") == 0,
                      "invalid byte in UTF-8 becomes U+FFFD");
                CHECK_STR(c->uid, "\xEF\xBF\xBD\xEF\xBF\xBDx", "unknown charset: bytes replaced");
                CHECK(has_warning(res, "KOI8-R"), "unknown charset reported");
        }
        vcard_parse_result_free(res);
}

static void test_base64(void) {
        VCardParseResult *res;

        res = parse_str("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ana\r\n"
                        "PHOTO;ENCODING=BASE64;TYPE=JPEG:\r\n/9j/4AAQSkZJRgABAQAAAQABAAD\r\n2wBDAAgGBgcGBQgHBwcJ==\r\n\r\n"
                        "EMAIL:ana@x.org\r\n"
                        "LOGO;BASE64:\r\n  AAAA\r\n  BBBB\r\n\r\n"
                        "PHOTO;ENCODING=b:AAAA\r\nTEL:1\r\nEND:VCARD\r\n", "base64");
        if (res) {
                check_emails(res->cards[0], "ana@x.org", "2.1 BASE64 block, unindented, ends at the blank line");
                CHECK_INT(res->cards[0]->n_tels, 1, "3.0 single-line ENCODING=b ends at the next property");
                CHECK_INT(res->n_warnings, 0, "photos pass quietly");
        }
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=b:QW5h\r\nN:Lima;Ana\r\nEND:VCARD\r\n", "base64 FN");
        if (res) {
                CHECK_STR(res->cards[0]->fn, "Ana Lima", "binary FN ignored, name built from N");
                CHECK(has_warning(res, "binary"), "binary FN reported");
        }
        vcard_parse_result_free(res);
}

static void test_nesting(void) {
        VCardParseResult *res;
        char big[4096] = "";

        res = parse_str("BEGIN:VCARD\nVERSION:2.1\nFN:Boss\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nFN:Assistant\n"
                        "END:VCARD\nEMAIL:boss@x.org\nEND:VCARD\n", "2.1 AGENT");
        if (res) {
                CHECK(res->n_cards == 2 && strcmp(or_null(res->cards[0]->fn), "Assistant") == 0 &&
                      strcmp(or_null(res->cards[1]->fn), "Boss") == 0 && res->cards[1]->n_emails == 1,
                      "2.1 AGENT: nested card first, parent keeps what follows it");
        }
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\nVERSION:3.0\nFN:Boss\nAGENT:BEGIN:VCARD\\nFN:Joe\\nEND:VCARD\\n\nEND:VCARD\n",
                        "3.0 AGENT");
        if (res)
                CHECK_INT(res->n_cards, 1, "3.0 AGENT as an escaped value is one property");
        vcard_parse_result_free(res);

        /* deeper than VCARD_NEST_MAX: inner ones ignored, outer ones read */
        for (unsigned i = 0; i < VCARD_NEST_MAX + 3; i++)
                strcat(big, "BEGIN:VCARD\nFN:x\n");
        for (unsigned i = 0; i < VCARD_NEST_MAX + 3; i++)
                strcat(big, "END:VCARD\n");
        strcat(big, "END:VCARD\nBEGIN:VCARD\nFN:after\nEND:VCARD\n");
        res = parse_str(big, "deep nesting");
        if (res) {
                CHECK_INT(res->n_cards, VCARD_NEST_MAX + 1, "deep nesting: cards up to the limit, then the next");
                CHECK_STR(res->cards[res->n_cards - 1]->fn, "after", "deep nesting: recovers");
                CHECK(has_warning(res, "nested"), "deep nesting reported");
        }
        vcard_parse_result_free(res);
}

static void test_structure(void) {
        VCardParseResult *res;

        res = parse_str("\xEF\xBB\xBF" "\r\n   \r\nBEGIN:VCARD\r\n\r\nVERSION:3.0\r\n\t\r\nFN:Ana\r\n\r\nEND:VCARD\r\n"
                        "\xEF\xBB\xBF" "BEGIN:VCARD\r\nFN:Bo\r\nEND:VCARD\r\n", "BOM and empty lines");
        if (res)
                CHECK(res->n_cards == 2 && strcmp(or_null(res->cards[1]->fn), "Bo") == 0,
                      "BOM at the start and mid-file, empty and blank lines");
        vcard_parse_result_free(res);

        res = parse_str("From: someone\r\n\r\nBEGIN:VCARD\r\nFN:Ana\r\nBEGIN:VCARD\r\nFN:Bo\r\nEND:VCARD\r\n",
                        "missing END");
        if (res) {
                CHECK_INT(res->n_cards, 2, "missing END: the next card nests, both are read");
                CHECK(has_warning(res, "no END:VCARD"), "missing END reported");
        }
        vcard_parse_result_free(res);

        res = parse_str("begin:vcard\r\nversion:3.0\r\nfn:Ana\r\nemail:ana@x.org\r\nend:vcard\r\n", "lower case");
        if (res)
                CHECK(res->n_cards == 1 && strcmp(or_null(res->cards[0]->fn), "Ana") == 0, "names are case-insensitive");
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:123\r\nEMAIL:not-an-address\r\nEND:VCARD\r\n"
                        "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:only@x.org\r\nEND:VCARD\r\n", "skipped card");
        if (res) {
                CHECK(res->n_cards == 1 && res->n_skipped == 1, "card with no name and no e-mail skipped, counted");
                CHECK(has_warning(res, "line 1: card has no name and no e-mail address; skipped"),
                      "skip reason names the card's line");
                CHECK(res->cards[0]->fn == NULL && res->cards[0]->n_emails == 1, "e-mail only card kept, FN NULL");
        }
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nTEL:1\r\nEND:VCARD\r\n", "all skipped");
        if (res)
                CHECK(res->n_cards == 0 && res->n_skipped == 1, "a file whose cards are all unusable still parses");
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nN:Mustermann;Erika;;Dr.;\r\nFN:   \r\nEND:VCARD\r\n", "FN from N");
        if (res)
                CHECK_STR(res->cards[0]->fn, "Dr. Erika Mustermann", "empty FN: name built from N");
        vcard_parse_result_free(res);
}

static void check_refused(const void *data, size_t size, int want, const char *needle, const char *what) {
        VCardParseResult *res = (VCardParseResult *) &res;      /* must stay untouched */
        char reason[256] = "";
        int r = vcard_parse(data, size, &res, reason, sizeof(reason));

        if (r != want || !strstr(reason, needle))
                printf("#   %d \"%s\"\n", r, reason);
        CHECK(r == want && strstr(reason, needle) && res == (VCardParseResult *) &res && valid_utf8(reason),
              fmt("%s: refused, reason: %s", what, reason));
}

static void test_refused(void) {
        static const char utf16le_nobom[] = "B\0E\0G\0I\0N\0:\0V\0C\0A\0R\0D\0";
        char *big;
        VCardParseResult *res = NULL;

        check_refused("", 0, -EBADMSG, "empty", "empty file");
        check_refused("hello world\n", 12, -EBADMSG, "no BEGIN:VCARD", "plain text");
        check_refused("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 58, -EBADMSG, "iCalendar",
                      "an .ics file");
        check_refused("BEGIN:VCARD\r\nFN:A\0B\r\nEND:VCARD\r\n", 30, -EBADMSG, "NUL", "NUL byte");
        check_refused(utf16le_nobom, sizeof(utf16le_nobom) - 1, -EBADMSG, "UTF-16", "UTF-16 without BOM");
        check_refused("\xFF\xFE\0\0B\0\0\0", 8, -EBADMSG, "UTF-32", "UTF-32");

        big = malloc(VCARD_FILE_MAX + 1);
        if (big) {
                memset(big, 'a', VCARD_FILE_MAX + 1);
                check_refused(big, VCARD_FILE_MAX + 1, -EFBIG, "16 MiB", "file over 16 MiB");
                free(big);
        }

        /* a short reason buffer is cut, not overrun; NULL is fine */
        {
                char tiny[8];
                memset(tiny, 'x', sizeof(tiny));
                CHECK(vcard_parse("x", 1, &res, tiny, sizeof(tiny)) == -EBADMSG && strlen(tiny) == 7,
                      "reason cut to its buffer");
                CHECK(vcard_parse("x", 1, &res, NULL, 0) == -EBADMSG && res == NULL, "reason may be NULL");
                CHECK(vcard_parse(NULL, 1, &res, NULL, 0) == -EINVAL, "NULL data refused");
        }
}

static void test_utf16(void) {
        const char *text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:J\xC3\xB6rg \xF0\x9F\x98\x80\r\nEMAIL:j@x.org\r\nEND:VCARD\r\n";
        unsigned char le[512], be[512];
        size_t n = 2;

        le[0] = 0xFF, le[1] = 0xFE, be[0] = 0xFE, be[1] = 0xFF;
        /* encode the few code points used here */
        for (const unsigned char *s = (const unsigned char *) text; *s;) {
                unsigned cp;
                if (*s < 0x80)
                        cp = *s++;
                else if (*s < 0xE0) {
                        cp = (unsigned) (s[0] & 0x1F) << 6 | (s[1] & 0x3F);
                        s += 2;
                } else {
                        cp = (unsigned) (s[0] & 0x07) << 18 | (unsigned) (s[1] & 0x3F) << 12 |
                             (unsigned) (s[2] & 0x3F) << 6 | (s[3] & 0x3F);
                        s += 4;
                }
                unsigned units[2], k = 0;
                if (cp >= 0x10000) {
                        units[k++] = 0xD800 + ((cp - 0x10000) >> 10);
                        units[k++] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
                } else
                        units[k++] = cp;
                for (unsigned i = 0; i < k; i++, n += 2) {
                        le[n] = units[i] & 0xFF, le[n + 1] = units[i] >> 8;
                        be[n] = units[i] >> 8, be[n + 1] = units[i] & 0xFF;
                }
        }
        for (int pass = 0; pass < 2; pass++) {
                VCardParseResult *res = parse_ok(pass ? (char *) be : (char *) le, n, pass ? "UTF-16BE" : "UTF-16LE");
                if (res)
                        CHECK(res->n_cards == 1 && strcmp(or_null(res->cards[0]->fn), "J\xC3\xB6rg \xF0\x9F\x98\x80") == 0,
                              fmt("%s with BOM decoded, surrogate pair included", pass ? "UTF-16BE" : "UTF-16LE"));
                vcard_parse_result_free(res);
        }
        /* a lone surrogate and an odd last byte */
        {
                unsigned char odd[] = { 0xFF, 0xFE, 'F', 0, 'N', 0, ':', 0, 0x00, 0xD8, 'x', 0, '\n', 0, 'Z' };
                VCardParseResult *res = NULL;
                char reason[128];
                int r = vcard_parse(odd, sizeof(odd), &res, reason, sizeof(reason));
                CHECK(r == -EBADMSG && strstr(reason, "BEGIN:VCARD"), "broken UTF-16 decodes, then is refused as no card");
        }
}

/* ---- limits and hostile input ---- */

static char *build(size_t size) {
        char *s = malloc(size + 1);
        if (s)
                s[0] = 0;
        return s;
}

static void test_limits(void) {
        VCardParseResult *res;
        size_t cap = 4u << 20;
        char *s = build(cap), *p;

        if (!s)
                return;

        /* 150 e-mails and 150 TELs */
        p = s + sprintf(s, "BEGIN:VCARD\r\nFN:Many\r\n");
        for (int i = 0; i < 150; i++)
                p += sprintf(p, "EMAIL:a%d@x.org\r\nTEL:%d\r\n", i, i);
        strcpy(p, "END:VCARD\r\n");
        res = parse_str(s, "150 e-mails");
        if (res) {
                CHECK(res->cards[0]->n_emails == VCARD_EMAILS_MAX && res->cards[0]->n_tels == VCARD_LIST_MAX,
                      "e-mails and TELs capped at 100");
                CHECK(has_warning(res, "more than 100 e-mail"), "e-mail cap reported");
        }
        vcard_parse_result_free(res);

        /* a 1 MiB FN on one line, of two-byte characters after one ASCII
         * so the cut falls mid-character */
        p = s + sprintf(s, "BEGIN:VCARD\r\nFN:a");
        for (int i = 0; i < (1 << 19); i++)
                p += sprintf(p, "\xC3\xA9");
        strcpy(p, "\r\nEND:VCARD\r\n");
        res = parse_str(s, "1 MiB FN");
        if (res) {
                size_t n = strlen(or_null(res->cards[0]->fn));
                CHECK(n <= VCARD_FIELD_MAX && n >= VCARD_FIELD_MAX - 3, "1 MiB FN cut to 1 KiB on a character boundary");
                CHECK(has_warning(res, "longer than"), "cut reported");
        }
        vcard_parse_result_free(res);

        /* a 1 MiB NOTE folded every 74 octets, and a 1 MiB line that is
         * not a property */
        p = s + sprintf(s, "BEGIN:VCARD\r\nFN:Ana\r\nNOTE:");
        for (int i = 0; i < 14000; i++)
                p += sprintf(p, "%s", "0123456789012345678901234567890123456789012345678901234567890123456789012\r\n ");
        p += sprintf(p, "end\r\n");
        memset(p, 'x', 1 << 20);
        p += 1 << 20;
        strcpy(p, "\r\nEND:VCARD\r\n");
        res = parse_str(s, "1 MiB NOTE");
        if (res) {
                CHECK_INT(strlen(or_null(res->cards[0]->note)), VCARD_NOTE_MAX, "1 MiB folded NOTE cut to 16 KiB");
                CHECK(has_warning(res, "not a vCard property"), "1 MiB junk line reported and ignored");
        }
        vcard_parse_result_free(res);

        /* more than VCARD_PROPERTIES_MAX lines in a card */
        p = s + sprintf(s, "BEGIN:VCARD\r\nFN:Ana\r\n");
        for (unsigned i = 0; i < VCARD_PROPERTIES_MAX + 10; i++)
                p += sprintf(p, "X-A:%u\r\n", i);
        strcpy(p, "EMAIL:late@x.org\r\nEND:VCARD\r\n");
        res = parse_str(s, "many properties");
        if (res) {
                CHECK(res->cards[0]->n_emails == 0 && has_warning(res, "properties"),
                      "properties past the per-card limit ignored, reported");
        }
        vcard_parse_result_free(res);

        /* many warnings: kept up to the cap, the rest counted */
        p = s + sprintf(s, "BEGIN:VCARD\r\nFN:Ana\r\n");
        for (int i = 0; i < 500; i++)
                p += sprintf(p, "EMAIL:bad%d\r\n", i);
        strcpy(p, "END:VCARD\r\n");
        res = parse_str(s, "many warnings");
        if (res)
                CHECK(res->n_warnings == VCARD_WARNINGS_MAX && res->n_warnings_dropped == 500 - VCARD_WARNINGS_MAX,
                      "warnings capped at 200, the rest counted");
        vcard_parse_result_free(res);
        free(s);

        /* exactly VCARD_CARDS_MAX cards parse, one more is refused */
        {
                static const char card[] = "BEGIN:VCARD\nFN:a\nEND:VCARD\n";
                size_t n = (VCARD_CARDS_MAX + 1) * (sizeof(card) - 1);
                char *many = malloc(n + 1), reason[128] = "";
                VCardParseResult *r100k = NULL;

                if (many) {
                        for (size_t i = 0; i <= VCARD_CARDS_MAX; i++)
                                memcpy(many + i * (sizeof(card) - 1), card, sizeof(card) - 1);
                        CHECK(vcard_parse(many, n - (sizeof(card) - 1), &r100k, reason, sizeof(reason)) == 0 &&
                              r100k->n_cards == VCARD_CARDS_MAX,
                              "100000 cards parse");
                        vcard_parse_result_free(r100k);
                        r100k = NULL;
                        CHECK(vcard_parse(many, n, &r100k, reason, sizeof(reason)) == -E2BIG && !r100k &&
                              strstr(reason, "100000"),
                              "100001 cards refused");
                        free(many);
                }
        }

        /* a card of exactly 16 MiB: accepted, NOTE cut */
        {
                char *huge = malloc(VCARD_FILE_MAX);
                static const char head[] = "BEGIN:VCARD\nFN:Big\nNOTE:", tail[] = "\nEND:VCARD\n";
                if (huge) {
                        memcpy(huge, head, sizeof(head) - 1);
                        memset(huge + sizeof(head) - 1, 'n', VCARD_FILE_MAX - sizeof(head) - sizeof(tail) + 2);
                        memcpy(huge + VCARD_FILE_MAX - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
                        res = parse_ok(huge, VCARD_FILE_MAX, "16 MiB file");
                        if (res)
                                CHECK_INT(strlen(or_null(res->cards[0]->note)), VCARD_NOTE_MAX, "16 MiB file: NOTE cut");
                        vcard_parse_result_free(res);
                        free(huge);
                }
        }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rng(void) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return (uint32_t) (rng_state >> 16);
}

/* Random bytes, and random mixes of vCard fragments and bytes: never a
 * crash (ASan/valgrind watch), always clean output. */
static void test_random(void) {
        static const char *const frags[] = {
                "BEGIN:VCARD\r\n", "END:VCARD\r\n", "VERSION:2.1\r\n", "VERSION:3.0\r\n", "FN:", "N:", "EMAIL:",
                "EMAIL;PREF=1:", "ORG:", "NOTE:", "TEL:", "CATEGORIES:", "X-NETCTL-TIE:", "UID:",
                ";ENCODING=QUOTED-PRINTABLE", ";ENCODING=BASE64", ";CHARSET=ISO-8859-1", ";CHARSET=SHIFT_JIS",
                ";TYPE=\"a:b\"", "\"", ":", ";", ",", "\\", "\\n", "\\,", "=", "=C3", "=A9", "=\r\n", "\r\n", "\n",
                "\r", " ", "\t", "\r\n ", "a@b.c", "<x@y.z>", "\xC3\xA9", "\xFF", "\x80", "\xE2\x82", "item1.",
                "BEGIN:VCALENDAR\r\n", "\xEF\xBB\xBF", "Ana Lima", "mailto:",
        };
        size_t bad = 0, parsed = 0;
        char *buf = malloc(8192);

        if (!buf)
                return;
        for (int iter = 0; iter < 3000; iter++) {
                size_t n = 0, want = rng() % 4096;
                bool pure = iter % 4 == 0;
                VCardParseResult *res = NULL;
                char reason[128];
                int r;

                while (n < want) {
                        if (pure || rng() % 5 == 0)
                                buf[n++] = (char) (pure ? rng() % 256 : 1 + rng() % 255);
                        else {
                                const char *f = frags[rng() % (sizeof(frags) / sizeof(frags[0]))];
                                size_t fl = strlen(f);
                                if (n + fl > 8000)
                                        break;
                                memcpy(buf + n, f, fl);
                                n += fl;
                        }
                }
                r = vcard_parse(buf, n, &res, reason, sizeof(reason));
                if (r == 0) {
                        parsed++;
                        if (result_problem(res)) {
                                printf("#   iteration %d: %s\n", iter, result_problem(res));
                                bad++;
                        }
                        for (size_t i = 0; i < res->n_cards && i < 4; i++) {
                                char *text = NULL;
                                VCardParseResult *again = NULL;
                                if (vcard_write_v4(res->cards[i], VCARD_WRITE_UNKNOWN, &text, NULL) < 0 ||
                                    written_problem(text) ||
                                    vcard_parse(text, strlen(text), &again, reason, sizeof(reason)) < 0 ||
                                    again->n_cards != 1 || card_diff(res->cards[i], again->cards[0])) {
                                        printf("#   iteration %d: round trip of card %zu\n", iter, i);
                                        bad++;
                                }
                                vcard_parse_result_free(again);
                                free(text);
                        }
                        vcard_parse_result_free(res);
                } else if ((r != -EBADMSG && r != -E2BIG) || res || !valid_utf8(reason) || !reason[0])
                        bad++;
        }
        CHECK(bad == 0, "3000 random inputs: no bad output, written cards round-trip");
        CHECK(parsed > 500, fmt("random inputs: many parsed (%zu)", parsed));
        free(buf);
}

/* ---- e-mail addresses ---- */

static void test_email(void) {
        static const char *const good[] = {
                "ana@example.org", "a.b+tag@sub.example.co.uk", "contact1@invalid", "x@y",
                "blabl\xC3\xB6@blub.com", "o'hara@example.ie", "ana@b\303\274cher.de", "a-b@c-d.e",
        };
        static const char *const bad[] = {
                "", "ana", "@example.org", "ana@", "ana@@x.org", "a@b@c", ".ana@x.org", "ana.@x.org", "a..b@x.org",
                "ana lima@x.org", "ana@x..org", "ana@-x.org", "ana@x-.org", "ana@.x", "ana@x.", "\"a\"@x.org",
                "a,b@x.org", "ana@x_y.org", "<ana@x.org>", "ana@x.org\xFF", "ana@x.org\r",
        };
        char longlocal[80], longaddr[300];
        VCard *c = NULL;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                CHECK(vcard_email_is_valid(good[i]), fmt("valid: %s", good[i]));
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                CHECK(!vcard_email_is_valid(bad[i]), fmt("invalid: %s", bad[i]));
        CHECK(!vcard_email_is_valid(NULL), "invalid: NULL");
        memset(longlocal, 'a', 65);
        strcpy(longlocal + 65, "@x.org");
        CHECK(!vcard_email_is_valid(longlocal), "invalid: local part over 64");
        memset(longaddr, 'a', sizeof(longaddr));
        memcpy(longaddr, "a@", 2);
        for (size_t i = 50; i < 290; i += 50)
                longaddr[i] = '.';
        longaddr[290] = 0;
        CHECK(!vcard_email_is_valid(longaddr), "invalid: over 254 bytes");

        CHECK(vcard_email_equal("Ana@Example.ORG", "ana@example.org"), "equal ignoring case");
        CHECK(!vcard_email_equal("ana@example.org", "ana@example.com"), "different");
        CHECK(!vcard_email_equal("ana@x.org", NULL), "NULL is never equal");

        CHECK(vcard_new(&c) == 0, "vcard_new");
        if (!c)
                return;
        CHECK(vcard_add_email(c, "Ana@x.org") == 0, "add_email");
        CHECK(vcard_add_email(c, "ana@X.ORG") == -EEXIST, "add_email: duplicate ignoring case");
        CHECK(vcard_add_email(c, "nope") == -EINVAL, "add_email: invalid");
        CHECK(c->n_emails == 1 && strcmp(c->emails[0], "Ana@x.org") == 0, "add_email keeps case as written");
        for (int i = 0; i < 99; i++)
                vcard_add_email(c, fmt("a%d@x.org", i));
        CHECK(vcard_add_email(c, "last@x.org") == -E2BIG, "add_email: 100 at most");
        vcard_free(c);
}

/* ---- the writer ---- */

static void test_writer(void) {
        VCard *c = NULL;
        char *text = NULL, *bad = NULL;
        size_t size = 0;
        char fn[600] = "";

        CHECK(vcard_new(&c) == 0, "writer: vcard_new");
        if (!c)
                return;

        /* 200 two-byte characters after an odd number of ASCII ones: the
         * folding must move the cut back to a character boundary */
        strcpy(fn, "Ana ");
        for (int i = 0; i < 200; i++)
                strcat(fn, "\xC3\xA9");
        c->fn = strdup(fn);
        c->n[VCARD_N_FAMILY] = strdup("Lima; da Silva");
        c->n[VCARD_N_GIVEN] = strdup("Ana, Maria");
        c->org = strdup("Acme\\Co");
        c->note = strdup("met at PyData\nasked about\tdata roles; follow up, soon\r\n");
        c->uid = strdup("urn:uuid:1234");
        vcard_add_email(c, "ana@example.org");
        vcard_add_email(c, "ana.lima@work.example");
        c->tels = calloc(1, sizeof(char *));
        c->tels[0] = strdup("+49 30 1234");
        c->n_tels = 1;
        c->categories = calloc(2, sizeof(char *));
        c->categories[0] = strdup("data, ml");
        c->categories[1] = strdup("berlin");
        c->n_categories = 2;
        CHECK(vcard_set_extension(c, "X-NETCTL-TIE", "weak") == 0, "set_extension TIE");
        CHECK(vcard_set_extension(c, "x-netctl-cadence", "60d") == 0, "set_extension CADENCE (name upper-cased)");
        CHECK(vcard_set_extension(c, "X-NETCTL-TIE", "strong") == 0, "set_extension replaces");
        CHECK(vcard_set_extension(c, "X-NETCTL-MET", "PyData\nBerlin") == 0, "set_extension with a newline");
        CHECK(vcard_set_extension(c, "X-OTHER", "x") == -EINVAL, "set_extension: only X-NETCTL-*");
        CHECK(vcard_set_extension(c, "X-NETCTL-A B", "x") == -EINVAL, "set_extension: name characters");
        CHECK(vcard_set_extension(c, "X-NETCTL-BAD", "\xFF") == -EINVAL, "set_extension: UTF-8 only");
        CHECK(c->n_extensions == 3 && strcmp(or_null(vcard_get_extension(c, "x-netctl-tie")), "strong") == 0,
              "extensions: 3, TIE replaced");

        CHECK(vcard_write_v4(c, 0, &text, &size) == 0, "writer: writes");
        if (text) {
                const char *p = written_problem(text);
                if (p)
                        printf("#   %s\n", p);
                CHECK(!p, "writer: CRLF, folded at 75 octets on character boundaries");
                CHECK(size == strlen(text), "writer: size");
                unfold(text);
                CHECK(strstr(text, "\r\nFN:Ana \xC3\xA9\xC3\xA9") != NULL && strlen(strstr(text, "FN:")) > 400,
                      "writer: long FN unfolds to the whole name");
                CHECK(strstr(text, "\r\nN:Lima\\; da Silva;Ana\\, Maria;;;\r\n") != NULL, "writer: N escaped");
                CHECK(strstr(text, "\r\nORG:Acme\\\\Co\r\n") != NULL, "writer: backslash escaped");
                CHECK(strstr(text, "\r\nEMAIL;PREF=1:ana@example.org\r\nEMAIL:ana.lima@work.example\r\n") != NULL,
                      "writer: first e-mail preferred");
                CHECK(strstr(text, "\r\nCATEGORIES:data\\, ml,berlin\r\n") != NULL, "writer: categories");
                CHECK(strstr(text, "\r\nX-NETCTL-TIE:strong\r\nX-NETCTL-CADENCE:60d\r\nX-NETCTL-MET:PyData\\nBerlin\r\n") != NULL,
                      "writer: X-NETCTL-* kept");
                CHECK(strstr(text, "NOTE:met at PyData\\nasked about\tdata roles\\; follow up\\, soon\\n\r\n") != NULL,
                      "writer: NOTE newline escaped, CR dropped");
                free(text);
        }
        free(c->note);
        c->note = strdup("met at PyData\nasked about\tdata roles; follow up, soon");
        check_round_trip(c, "hand-built card");

        /* refusals leave the output alone */
        bad = c->org;
        c->org = strdup("bell\a");
        text = (char *) &text;
        CHECK(vcard_write_v4(c, 0, &text, NULL) == -EINVAL && text == (char *) &text, "writer: control character refused");
        free(c->org);
        c->org = strdup("\xC3");
        CHECK(vcard_write_v4(c, 0, &text, NULL) == -EINVAL, "writer: invalid UTF-8 refused");
        free(c->org);
        c->org = bad;
        free(c->extensions[0].name);
        c->extensions[0].name = strdup("X-OTHER");
        CHECK(vcard_write_v4(c, 0, &text, NULL) == -EINVAL, "writer: non-X-NETCTL extension refused");
        CHECK(vcard_set_extension(c, "X-NETCTL-CADENCE", NULL) == 0 && c->n_extensions == 2, "set_extension NULL removes");
        vcard_free(c);

        /* a card with e-mail only writes an empty FN and reads back without a name */
        vcard_new(&c);
        if (c) {
                vcard_add_email(c, "only@x.org");
                CHECK(vcard_write_v4(c, 0, &text, NULL) == 0 && strstr(text, "\r\nFN:\r\n"), "writer: empty FN");
                free(text);
                check_round_trip(c, "e-mail only card");
                vcard_free(c);
        }
        CHECK(vcard_write_v4(NULL, 0, &text, NULL) == -EINVAL, "writer: NULL card");
        CHECK(vcard_free(NULL) == NULL && vcard_parse_result_free(NULL) == NULL, "destructors accept NULL");
}

static void test_writer_unknown(void) {
        VCardParseResult *res;
        char *text = NULL;

        res = parse_str("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Old//EN\r\nFN:Ana\r\nitem1.EMAIL:ana@x.org\r\n"
                        "item1.X-ABLabel:work\r\nADR;TYPE=HOME;CHARSET=UTF-8:;;Heidestra\xC3\x9F" "e 17;K\xC3\xB6ln;;51147;\r\n"
                        "LABEL:Heidestra\xC3\x9F" "e 17\r\nPHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n"
                        "PHOTO;VALUE=uri:http://x.org/a.jpg\r\nX-NETCTL-TIE:weak\r\nREV:2020\r\nEND:VCARD\r\n",
                        "unknown 3.0");
        if (res && vcard_write_v4(res->cards[0], VCARD_WRITE_UNKNOWN, &text, NULL) == 0) {
                CHECK(strstr(text, "\r\nADR;TYPE=HOME:;;Heidestra\xC3\x9F" "e 17;K\xC3\xB6ln;;51147;\r\n") != NULL,
                      "unknown: ADR carried, CHARSET parameter dropped");
                CHECK(strstr(text, "\r\nitem1.X-ABLabel:work\r\n") != NULL, "unknown: group kept");
                CHECK(strstr(text, "PHOTO;VALUE=uri:http://x.org/a.jpg\r\n") != NULL, "unknown: PHOTO URI carried");
                CHECK(!strstr(text, "ENCODING") && !strstr(text, "LABEL:") && !strstr(text, "PRODID") &&
                      !strstr(text, "REV"), "unknown: inline binary, LABEL, PRODID, REV left out");
                CHECK(strstr(text, "\r\nX-NETCTL-TIE:weak\r\n") && !strstr(strstr(text, "X-NETCTL-TIE") + 1, "X-NETCTL-TIE"),
                      "unknown: X-NETCTL-TIE written once, from the fields");
                free(text);
                text = NULL;
        }
        vcard_parse_result_free(res);

        res = parse_str("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ana\r\nADR;HOME:;;Street 1\r\nEND:VCARD\r\n", "unknown 2.1");
        if (res && vcard_write_v4(res->cards[0], VCARD_WRITE_UNKNOWN, &text, NULL) == 0) {
                CHECK(!strstr(text, "ADR"), "unknown: nothing carried from 2.1");
                free(text);
        }
        vcard_parse_result_free(res);
}

int main(void) {
        test_corpus_complete();
        for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++)
                test_corpus_file(&corpus[i]);
        test_truncated();

        test_folding();
        test_line_endings();
        test_groups_and_params();
        test_escapes();
        test_quoted_printable();
        test_charsets();
        test_base64();
        test_nesting();
        test_structure();
        test_refused();
        test_utf16();

        test_limits();
        test_random();
        test_email();
        test_writer();
        test_writer_unknown();
        return tap_done();
}
