/* SPDX-License-Identifier: MIT */
#pragma once

/* vCard 2.1, 3.0 and 4.0 reading, vCard 4.0 writing.
 *
 * Plain C11, no libraries: the parser sees files from phones, mail clients
 * and web services, so it is written to take hostile bytes and to hand back
 * only bounded, valid UTF-8 without control characters.  It knows the
 * fields netctl uses (FN, N, EMAIL, ORG, TEL, NOTE, CATEGORIES, UID and
 * netctl's own X-NETCTL-* properties) and keeps each card's text so that a
 * later writer can carry the rest over.
 *
 * Ownership: every string and array reachable from a VCard is heap memory
 * owned by that card and released by vcard_free().  Callers may take a
 * string over by setting the field to NULL, and may fill a card from
 * vcard_new() directly with malloc'd strings. */

#include <stdbool.h>
#include <stddef.h>

#define VCARD_FILE_MAX (16u * 1024u * 1024u)  /* bytes of input */
#define VCARD_CARDS_MAX 100000u               /* cards per file */
#define VCARD_EMAILS_MAX 100u                 /* e-mails per card */
#define VCARD_LIST_MAX 100u                   /* TELs, categories, X-NETCTL-* per card */
#define VCARD_FIELD_MAX 1024u                 /* bytes: FN, each N part, ORG, TEL, UID, category */
#define VCARD_NOTE_MAX 16384u                 /* bytes: NOTE, X-NETCTL-* values */
#define VCARD_EMAIL_MAX 254u                  /* bytes, as RFC 5321 allows in a path */
#define VCARD_WARNINGS_MAX 200u               /* kept; further ones are only counted */
#define VCARD_NEST_MAX 8u                     /* BEGIN:VCARD inside BEGIN:VCARD (2.1 AGENT) */
#define VCARD_PROPERTIES_MAX 10000u           /* content lines looked at per card */

/* What a card declared in VERSION; NONE when it declared nothing (read
 * with 3.0 rules, which 4.0 shares for everything netctl looks at). */
typedef enum VCardVersion {
        VCARD_VERSION_NONE,
        VCARD_VERSION_21,
        VCARD_VERSION_30,
        VCARD_VERSION_40,
} VCardVersion;

/* The components of N, in the order vCard writes them. */
enum {
        VCARD_N_FAMILY,
        VCARD_N_GIVEN,
        VCARD_N_ADDITIONAL,
        VCARD_N_PREFIX,
        VCARD_N_SUFFIX,
        VCARD_N_PARTS,
};

/* An X-NETCTL-* property: name upper-case and complete ("X-NETCTL-TIE"),
 * value unescaped text (may hold newlines). */
typedef struct VCardExtension {
        char *name;
        char *value;
} VCardExtension;

/* One card.  All text is valid UTF-8, trimmed, with no control characters
 * except newline and TAB in note and extension values.  A string field is
 * NULL when the card had nothing usable for it, never "". */
typedef struct VCard {
        VCardVersion version;
        char *fn;                       /* the first non-empty FN, else built
                                         * from N ("Dr. Erika Mustermann");
                                         * NULL only when the card has
                                         * e-mails but no name */
        char *n[VCARD_N_PARTS];         /* N components, unescaped */
        char **emails;                  /* syntax-checked, as written (case
                                         * kept), unique ignoring case; the
                                         * preferred one (PREF) first */
        size_t n_emails;
        char *org;                      /* first component of the first ORG
                                         * that has one */
        char **tels;
        size_t n_tels;
        char *note;                     /* all NOTEs, joined by newlines */
        char **categories;              /* unique ignoring case */
        size_t n_categories;
        char *uid;
        VCardExtension *extensions;     /* X-NETCTL-* (names as
                                         * vcard_set_extension() takes them),
                                         * in file order */
        size_t n_extensions;
        char *raw;                      /* the card as read, BEGIN to END:
                                         * physical lines ending in CRLF,
                                         * valid UTF-8 (lines that were not
                                         * are read as Windows-1252), no
                                         * control characters but TAB; lines
                                         * of nested cards left out */
        size_t raw_size;
        unsigned line;                  /* line of BEGIN:VCARD, from 1 */
} VCard;

typedef struct VCardParseResult {
        VCard **cards;                  /* usable cards, in the order their
                                         * END:VCARD was read (a nested card
                                         * comes before its parent) */
        size_t n_cards;
        size_t n_skipped;               /* cards with no name and no e-mail */
        char **warnings;                /* "line 12: EMAIL ... dropped", one
                                         * sentence each, valid UTF-8 */
        size_t n_warnings;
        size_t n_warnings_dropped;      /* beyond VCARD_WARNINGS_MAX */
} VCardParseResult;

/* Reads every card in data[0..size).  Accepts UTF-8 with or without BOM,
 * UTF-16 with BOM, LF, CRLF, CR CR LF, or (with no LF anywhere) CR line
 * ends.  A card without FN, N or a valid e-mail is skipped and counted;
 * whatever is dropped or repaired on the way gets a warning.
 *
 * Returns 0 and a result in *ret_result (free with
 * vcard_parse_result_free()), which may hold zero cards when every card was
 * skipped.  On failure returns -EFBIG (over VCARD_FILE_MAX), -E2BIG (over
 * VCARD_CARDS_MAX cards), -EBADMSG (empty, binary, UTF-32, or no
 * BEGIN:VCARD at all) or -ENOMEM, writes a sentence naming the problem
 * into reason (when reason_size > 0; cut to fit) and leaves *ret_result
 * untouched; -EINVAL for NULL ret_result or NULL data with size > 0. */
int vcard_parse(const void *data, size_t size, VCardParseResult **ret_result,
                char *reason, size_t reason_size);

/* Both accept NULL and return NULL. */
VCardParseResult *vcard_parse_result_free(VCardParseResult *result);
VCard *vcard_free(VCard *card);

static inline void vcard_freep(VCard **card) {
        vcard_free(*card);
}
static inline void vcard_parse_result_freep(VCardParseResult **result) {
        vcard_parse_result_free(*result);
}

/* An empty card (version 4.0, everything NULL/0).  -ENOMEM. */
int vcard_new(VCard **ret_card);

/* Whether text is an address netctl accepts: local@domain, at most
 * VCARD_EMAIL_MAX bytes, dot-atom local part (UTF-8 allowed, RFC 6531),
 * domain of letters, digits, hyphens and UTF-8 in dot-separated labels (a
 * single label such as "invalid" is allowed; local networks use them). */
bool vcard_email_is_valid(const char *address);

/* Addresses compare equal ignoring ASCII case (case is kept as written
 * but "Ana@X.org" and "ana@x.org" are one person). */
bool vcard_email_equal(const char *a, const char *b);

/* Appends a copy of address.  -EINVAL when not valid, -EEXIST when the card
 * has it already (ignoring case), -E2BIG at VCARD_EMAILS_MAX, -ENOMEM. */
int vcard_add_email(VCard *card, const char *address);

/* The value of the first extension called name (case-insensitive), or NULL. */
const char *vcard_get_extension(const VCard *card, const char *name);

/* Sets extension name (must start with "X-NETCTL-" and hold only letters,
 * digits and '-') to a copy of value, replacing any it had; value NULL
 * removes it.  -EINVAL for a bad name or a value that is not UTF-8 or is
 * over VCARD_NOTE_MAX bytes, -E2BIG at VCARD_LIST_MAX, -ENOMEM. */
int vcard_set_extension(VCard *card, const char *name, const char *value);

enum {
        /* Also copy the properties VCard does not model (ADR, BDAY, URL,
         * PHOTO as URI, X-ABLabel, ...) from card->raw.  Only cards read as
         * 3.0 or 4.0 are copied from, because 2.1 values are in charsets
         * and encodings 4.0 lacks; from 3.0, properties 4.0 dropped (LABEL,
         * AGENT, CLASS, NAME, MAILER, PROFILE, SORT-STRING) and inline
         * binary (ENCODING=b) are left out.  PRODID and REV are never
         * copied: they would describe the old file, not this one. */
        VCARD_WRITE_UNKNOWN = 1u << 0,
};

/* Writes card as vCard 4.0: CRLF line ends, lines folded at 75 octets
 * without splitting a UTF-8 sequence, text escaped.  Writes UID, FN
 * (empty when the card has none, as 4.0 requires the property), N, EMAIL
 * (PREF=1 on the first when there are several), TEL, ORG, CATEGORIES,
 * NOTE, the X-NETCTL-* extensions and, with VCARD_WRITE_UNKNOWN, the
 * rest.  Reading the text back gives the same fields, for fields such as
 * vcard_parse() makes (trimmed, no duplicate e-mails or categories).
 *
 * Returns 0 with a NUL-terminated text in *ret_text (free()) and its
 * length in *ret_size (may be NULL); -EINVAL when a field is not valid
 * UTF-8, holds a control character other than TAB or newline, or an
 * extension name is not X-NETCTL-*; -ENOMEM.  Outputs untouched on
 * failure. */
int vcard_write_v4(const VCard *card, unsigned flags, char **ret_text, size_t *ret_size);
