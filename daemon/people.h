/* SPDX-License-Identifier: MIT */
#pragma once

/* The network's pure logic: handles, name matching, keep-in-touch
 * cadences and due times, suggestion ranking, weekly statistics and goals,
 * and the wording of reconnect reminders.  No SQL, no bus, no clock: every
 * function takes `now` and its inputs, so the unit tests drive it directly.
 * The store (store.c) and the bus layer (bus-contacts.c) build on it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DAY_SECONDS 86400

/* Bounds, checked at the bus edge (the client checks them too). */
#define PEOPLE_HANDLE_MAX       64      /* bytes */
#define PEOPLE_TAG_MAX          64      /* bytes of one tag */
#define PEOPLE_TAGS_MAX         32      /* tags per contact */
#define PEOPLE_EMAILS_MAX       20      /* e-mails per contact */
#define PEOPLE_NOTE_MAX         16384   /* bytes of a contact's or an interaction's note */
#define PEOPLE_CADENCE_MIN      DAY_SECONDS
#define PEOPLE_SUGGEST_MAX      100
#define PEOPLE_STATS_WEEKS_MAX  104
#define PEOPLE_LIST_LIMIT_MAX   10000   /* interactions in one reply */

/* Weak ties without a cadence of their own get the configured one
 * ([people] weak_cadence); this when the configured value is unusable. */
#define PEOPLE_DEFAULT_WEAK_CADENCE (90 * DAY_SECONDS)

/* A contact's cadence as set: 0 means "the default for the tie" (weak:
 * the configured one; strong: none), PEOPLE_CADENCE_OFF means "no
 * keep-in-touch reminders", anything else is seconds. */
#define PEOPLE_CADENCE_DEFAULT  0
#define PEOPLE_CADENCE_OFF      (-1)

/* What kinds of interaction `netctl log --kind` takes. */
extern const char *const people_interaction_kinds[];
bool people_kind_valid(const char *kind);
#define PEOPLE_KIND_DEFAULT "message"

/* A "got" text marks a lead when it starts with "lead" followed by ':' or
 * '-' or a space ("lead: data role at Acme"), ignoring case. */
bool people_got_is_lead(const char *got);

/* ---- handles and matching ---- */

/* Folds UTF-8 text for matching: ASCII lower-cased; Latin-1 and Latin
 * Extended-A letters transliterated ("José Müller" -> "jose muller", "ß" ->
 * "ss"); Greek and Cyrillic capitals lower-cased; other letters kept as
 * they are; combining marks dropped; every run of anything else
 * (punctuation, spaces, symbols, emoji) becomes one `separator`, none at
 * either end.  Input must be valid UTF-8.  Writes at most size bytes, NUL
 * terminated, never cutting a character; returns the length written. */
size_t people_fold(const char *text, char separator, char *buf, size_t size);

/* The handle derived from a name: people_fold with '-', cut to
 * PEOPLE_HANDLE_MAX bytes at a character boundary with no '-' at the end;
 * "contact" when nothing is left, and prefixed with "c-" when it is all
 * digits (an id looks like that).  size must exceed PEOPLE_HANDLE_MAX. */
void people_handle_derive(const char *name, char *buf, size_t size);

/* The n-th candidate for a handle whose base is taken: "ana-lima-2",
 * "-3", ...; the base is cut so the result stays within PEOPLE_HANDLE_MAX. */
void people_handle_candidate(const char *base, unsigned n, char *buf, size_t size);

/* A handle someone chose: 1..PEOPLE_HANDLE_MAX bytes of lower-case ASCII
 * letters, digits, '-', '_', '.', or non-ASCII letters (valid UTF-8); not
 * all digits; starting with a letter or digit.  0 or -EINVAL with a static
 * reason. */
int people_handle_check(const char *handle, const char **ret_reason);

/* A tag: text_check_line rules, at most PEOPLE_TAG_MAX bytes, no ','
 * (vCard CATEGORIES separates with it).  0, -EINVAL or -E2BIG. */
int people_tag_check(const char *tag, const char **ret_reason);

/* How a WHO names a contact, decided from its shape alone. */
typedef enum PeopleWhoKind {
        PEOPLE_WHO_ID,          /* "12" or "#12" */
        PEOPLE_WHO_EMAIL,       /* contains '@' */
        PEOPLE_WHO_NAME,        /* a handle, a name, or a prefix of either */
} PeopleWhoKind;
PeopleWhoKind people_who_kind(const char *who, int64_t *ret_id);

/* Whether a contact matches a folded query: exactly (2) by handle or full
 * name, by prefix (1) of the handle or the name, or not (0).  query_space
 * and query_dash are the query folded with ' ' and '-'. */
int people_name_match(const char *query_space, const char *query_dash,
                      const char *handle, const char *name);

/* ---- keep-in-touch ---- */

/* The cadence in force: the one set, else the weak-tie default for weak
 * ties; 0 when none applies (strong tie without one, or switched off). */
int64_t people_effective_cadence(bool strong, int64_t cadence_set, int64_t weak_default);

/* Where the cadence counts from: the latest of the last interaction, a
 * restart (skip, unarchive) and the contact's creation. */
int64_t people_cadence_base(int64_t created, int64_t cadence_from, int64_t last_at);

/* When the next reconnect falls due: on the local day that base + cadence
 * falls on, at PEOPLE_REMINDER_HOUR (a reminder at night helps nobody);
 * 0 when no cadence applies.  Uses the process's TZ. */
#define PEOPLE_REMINDER_HOUR 9
int64_t people_reconnect_due(int64_t base, int64_t effective_cadence);

/* "today", "yesterday", "12 days ago", "3 years ago" (730 days and more). */
void people_ago_phrase(int64_t then, int64_t now, char *buf, size_t size);

/* "90 days", "2 weeks", "1 day": a cadence for people to read. */
void people_cadence_phrase(int64_t seconds, char *buf, size_t size);

/* What a reconnect reminder says about someone. */
typedef struct PeopleHistory {
        const char *name;
        const char *met;                /* NULL or "" when unknown */
        int64_t created;
        int64_t last_at;                /* 0 when nothing was logged */
        const char *last_kind;
        unsigned n_leads, n_gave, n_got;
} PeopleHistory;

/* "Reconnect with Ana Lima (last: coffee, 94 days ago; you got a lead from
 * them)"; with nothing logged "Reconnect with Ana Lima (added 92 days ago;
 * met: PyData Berlin meetup)" (a long "met" is cut to 80 bytes and "...").
 * Truncated to size, the result is always valid UTF-8, as is that of
 * people_suggest_reason. */
void people_reconnect_summary(const PeopleHistory *h, int64_t now, char *buf, size_t size);

/* ---- suggestions ---- */

typedef struct PeopleCandidate {
        int64_t id;
        bool strong;
        bool never;                     /* nothing logged since being added */
        int64_t due;                    /* next reconnect; 0 when no cadence */
        int64_t created;
        int64_t effective_cadence;
        PeopleHistory history;
        void *userdata;                 /* the caller's, carried along */
} PeopleCandidate;

/* Who to reach out to now: contacts whose reconnect is due (0 < due <= now)
 * and contacts never contacted since being added.  Weak ties first; within
 * a tie, the most overdue first (overdue = now - due; a never-contacted
 * contact without a cadence counts from its creation, one with a cadence
 * not yet due comes after the due ones); then by id.  Reorders c so that
 * the selected candidates come first, ranked, and returns how many. */
size_t people_suggest_rank(PeopleCandidate *c, size_t n, int64_t now);

/* One kind line saying why: "last: coffee, 94 days ago, past the 90-day
 * rhythm; you got a lead from them" or "added 12 days ago (met at PyData
 * Berlin), nothing logged yet: say hello". */
void people_suggest_reason(const PeopleCandidate *c, int64_t now, char *buf, size_t size);

/* ---- statistics ---- */

typedef struct PeopleWeek {
        int64_t start;                  /* the bucket is [start, next start) */
        uint32_t interactions;
        uint32_t weak, strong;          /* interactions by the tie of the contact */
        uint32_t gave, got, leads;      /* interactions with something given, got, a lead */
        uint32_t new_contacts;          /* contacts added */
        uint32_t weak_people;           /* distinct weak ties reached */
} PeopleWeek;

typedef struct PeopleStats {
        PeopleWeek *weeks;              /* n_weeks buckets, caller's memory */
        size_t n_weeks;
        const int64_t *bounds;          /* n_weeks + 1 ascending instants */
        /* The last contact counted in weak_people, per week: interactions
         * arrive ordered by contact, so one slot per week suffices. */
        int64_t *last_weak_contact;     /* n_weeks slots, caller's memory */
} PeopleStats;

/* Index of the bucket holding t, or -1 when t is outside [bounds[0],
 * bounds[n_weeks]). */
ssize_t people_week_index(const int64_t *bounds, size_t n_weeks, int64_t t);

/* Checks bounds: 2..PEOPLE_STATS_WEEKS_MAX + 1 strictly ascending instants,
 * each bucket at most 8 days long (a week, with room for a DST day).
 * Zeroes the weeks and sets their starts.  -EINVAL or -E2BIG. */
int people_stats_init(PeopleStats *st, PeopleWeek *weeks, int64_t *last_weak_contact,
                      const int64_t *bounds, size_t n_bounds);

/* Counts one interaction (contacts must arrive grouped, see above). */
void people_stats_add_interaction(PeopleStats *st, int64_t contact_id, bool strong, int64_t at,
                                  bool gave, bool got, bool lead);
/* Counts a contact added at `created`. */
void people_stats_add_contact(PeopleStats *st, int64_t created);

/* ---- weekly goals ---- */

typedef struct PeopleGoals {
        int weak_reconnects;            /* distinct weak ties reached */
        int new_contacts;
        int given;                      /* interactions where something was given */
} PeopleGoals;

typedef struct PeopleProgress {
        unsigned weak_reconnects;
        unsigned new_contacts;
        unsigned given;
} PeopleProgress;

/* Whether the week is behind, `elapsed` seconds into a `period` (a week:
 * 7 days; the whole period when judging the last seven days): behind on a
 * goal when progress < floor(goal * elapsed / period), so a goal of 3 is
 * not behind on a Monday.  Goals of 0 are off.  When behind, writes one
 * friendly sentence to buf ("This week so far: 1 of 3 weak-tie reconnects
 * and no new contact yet. One short message is a fine start: netctl
 * suggest has ideas.") and returns 1; returns 0 and writes "" otherwise. */
int people_goals_nudge(const PeopleGoals *goals, const PeopleProgress *progress,
                       int64_t elapsed, int64_t period, char *buf, size_t size);
