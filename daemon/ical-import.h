/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The iCalendar side of `netctl import`: turns the bytes of a .ics file
 * into plain C values (UTC instants, sanitised text, lowercased e-mail
 * addresses) and expands a stored series into occurrences.  No SQL and no
 * D-Bus here; the caller decides what to store.  Built on libical 3.
 *
 * Time: every instant is Unix seconds, UTC.  Times with a TZID are resolved,
 * in this order, as
 *   1. a Windows zone ID or CLDR display name ("W. Europe Standard Time",
 *      "(UTC+01:00) Amsterdam, Berlin, ...") mapped to IANA through the CLDR
 *      table: Exchange's own VTIMEZONEs carry only this year's rule, and some
 *      are plain wrong, so the IANA history is the better truth;
 *   2. the file's VTIMEZONE with that TZID;
 *   3. an IANA name ("Europe/Berlin", also behind a "/vendor/prefix/" as
 *      Evolution and Mozilla write them) from the system's zoneinfo;
 *   4. otherwise the time is read as floating and a warning is recorded.
 * Floating times and all-day (DATE) values are wall-clock times in the
 * process's local zone (TZ), as the user's calendar shows them;
 * X-WR-TIMEZONE is ignored: in every real file seen it accompanies UTC or
 * TZID times or all-day events, where it is only a display hint.
 *
 * libical keeps global state (the error mode, the builtin zone cache); the
 * functions here set errors to non-fatal on every call and are meant for
 * one thread.  All strings returned are malloc()ed, NUL-terminated, valid
 * UTF-8. */

#define ICS_FILE_MAX            (16u * 1024u * 1024u)   /* bytes */
#define ICS_EVENTS_MAX          100000u /* VEVENTs kept per file */
#define ICS_ATTENDEES_MAX       500u    /* per event; more are dropped */
#define ICS_TEXT_MAX            512u    /* bytes of SUMMARY / LOCATION */
#define ICS_NAME_MAX            255u    /* bytes of a CN */
#define ICS_EMAIL_MAX           254u    /* bytes of an address (RFC 5321) */
#define ICS_UID_MAX             1024u   /* longer UIDs are replaced by a hash */
#define ICS_EVENT_TEXT_MAX      (1024u * 1024u) /* IcsEvent.ical; larger events are skipped */
#define ICS_WARNINGS_MAX        64u     /* warning sentences kept per file */
#define ICS_OCCURRENCES_MAX     10000u  /* per ics_expand() call */
#define ICS_EXPAND_STEPS_MAX    100000u /* recurrence slots examined per call */
#define ICS_YEAR_MIN            1600    /* DTSTART outside [MIN, MAX) is refused */
#define ICS_YEAR_MAX            3000

typedef enum IcsMethod {
        ICS_METHOD_NONE,        /* no METHOD: a plain calendar (export, vdir) */
        ICS_METHOD_PUBLISH,
        ICS_METHOD_REQUEST,
        ICS_METHOD_REPLY,
        ICS_METHOD_ADD,
        ICS_METHOD_CANCEL,
        ICS_METHOD_REFRESH,
        ICS_METHOD_COUNTER,
        ICS_METHOD_DECLINECOUNTER,
        ICS_METHOD_OTHER,       /* anything else (X- names, typos) */
} IcsMethod;

/* "PUBLISH", "REQUEST", ...; "" for NONE, "OTHER" for OTHER. */
const char *ics_method_to_string(IcsMethod m);

typedef struct IcsPerson {
        char *email;            /* lowercased, from mailto: (or EMAIL=); never NULL in a list */
        char *name;             /* CN, sanitised; NULL when absent */
} IcsPerson;

typedef struct IcsEvent {
        char *uid;
        /* The file had no UID: uid is "derived-<16 hex>@netctl.invalid", a
         * hash of DTSTART, DTEND, DURATION, SUMMARY, LOCATION, RRULE and
         * RECURRENCE-ID ("derived-<hex>-2@..." for a second event with the
         * same hash in the file), so importing the same file again yields
         * the same UIDs.  Or the UID was longer than ICS_UID_MAX: uid is
         * "uidhash-<16 hex>@netctl.invalid", a hash of it, which keeps a
         * series and its overrides together. */
        bool uid_derived;
        IcsMethod method;       /* of the VCALENDAR the event came in */
        int64_t sequence;       /* SEQUENCE, 0 when absent, never negative */
        char *summary;          /* one line, at most ICS_TEXT_MAX bytes; "" when absent */
        char *location;         /* likewise */
        bool cancelled;         /* STATUS:CANCELLED, or it came in a METHOD:CANCEL */
        bool tentative;         /* STATUS:TENTATIVE */

        /* DTSTART and the end (DTEND, else DTSTART + DURATION, else the
         * RFC 5545 default: one day for all-day, zero for timed).  DTEND
         * wins when a file has both.  has_start is false only for a
         * cancellation, REPLY, REFRESH, COUNTER or DECLINECOUNTER without
         * DTSTART (RFC 5546 lets them name the event by UID alone); other
         * events without DTSTART are skipped with a warning. */
        bool has_start;
        int64_t start, end;
        bool all_day;           /* DTSTART is a DATE: midnight to midnight in local time */
        bool floating;          /* a DATE-TIME DTSTART without zone (or an unknown one): local time */
        bool zone_unresolved;   /* ...because its TZID could not be resolved */

        bool recurring;         /* has RRULE or RDATE: expand with ics_expand() */
        bool has_recurrence_id; /* an override of one occurrence of series `uid` */
        int64_t recurrence_id;  /* the occurrence it replaces (UTC, local midnight if DATE) */
        bool this_and_future;   /* RECURRENCE-ID;RANGE=THISANDFUTURE */

        IcsPerson organizer;    /* organizer.email NULL when none */
        IcsPerson *attendees;
        size_t n_attendees;     /* distinct addresses, at most ICS_ATTENDEES_MAX */

        /* A self-contained iCalendar object: VCALENDAR with this VEVENT and
         * the VTIMEZONEs it refers to, CRLF lines, at most
         * ICS_EVENT_TEXT_MAX bytes.  Keep it to expand the series later
         * (ics_expand) or to export it.  The VEVENT is the file's own text
         * when libical read all of it (no X-LIC-ERROR note, no ATTENDEEs
         * past the cap, property names in upper case, no property longer
         * than 64 KiB); otherwise libical's writing of what it understood:
         * without the notes, the ATTENDEEs past the cap, or properties
         * longer than 64 KiB (SUMMARY and LOCATION are shortened instead;
         * anything else dropped gets a warning). */
        char *ical;
} IcsEvent;

typedef struct IcsCalendar {
        IcsMethod method;       /* of the first VCALENDAR; see each event for files with several */
        IcsEvent *events;       /* in file order */
        size_t n_events;
        size_t n_todos;         /* VTODOs seen (not converted here) */
        size_t n_skipped;       /* VEVENTs that could not be used; see warnings */
        /* Sentences describing what was repaired, ignored or skipped, in
         * file order, at most ICS_WARNINGS_MAX; n_warnings_total counts
         * all of them. */
        char **warnings;
        size_t n_warnings;
        size_t n_warnings_total;
} IcsCalendar;

/* Parses the bytes of one file (data need not be NUL-terminated).
 *
 * Returns 0 and a calendar in *ret_calendar (possibly with zero events:
 * an empty calendar or a file holding only VTODOs is not an error), or a
 * negative errno with *ret_calendar untouched and a sentence naming the
 * problem written to errbuf (when errbuf is not NULL):
 *   -EFBIG    larger than ICS_FILE_MAX
 *   -EBADMSG  empty, binary (NUL bytes), no BEGIN:VCALENDAR (nor a bare
 *             BEGIN:VEVENT/VTODO), truncated, an END that does not match
 *             its BEGIN, components nested more than 8 deep, more than
 *             1000 VTIMEZONEs, or libical could not parse it
 *   -ENOMEM
 * A file that is rejected yields nothing; a file that parses yields every
 * usable event and a warning for each thing dropped or repaired (events
 * without DTSTART, unknown TZIDs, broken lines libical skipped, invalid
 * UTF-8 replaced by U+FFFD, a file read as Windows-1252 because it is not
 * UTF-8 at all, a VTIMEZONE rule that cannot recur yearly dropped, ...).  Repairs happen before libical sees the bytes:
 * a BOM is skipped, CR LF and lone CR become LF, other control characters
 * are dropped, so every string in the result is clean UTF-8. */
int ics_parse(const void *data, size_t size, IcsCalendar **ret_calendar, char *errbuf, size_t errsize);

/* Frees everything the calendar owns; accepts NULL.  Returns NULL. */
IcsCalendar *ics_calendar_free(IcsCalendar *c);

/* ics_parse() in steps, for a caller that stores events as they come: a
 * large file is parsed in parts, the first on the calling thread in
 * ics_stream_open() and the others on a helper thread meanwhile.
 *
 * ics_stream_open() fails as ics_parse() does.  ics_stream_next() hands
 * over the next events, in file order: 1 with the events in *ret_events
 * and *ret_n (owned by the stream), 0 after the last, a negative errno as
 * ics_parse() (the file is parsed as a whole then, and errbuf says why),
 * or -EAGAIN: a part gave a warning, so the file was parsed again as a
 * whole (the warnings' order and numbering are the whole file's); the
 * caller undoes what it did with the events handed so far, and the next
 * call hands all of the file's events.  ics_stream_finish(), once next()
 * returned 0, gives the calendar ics_parse() would have, with the same
 * events. */
typedef struct IcsStream IcsStream;
int ics_stream_open(const void *data, size_t size, IcsStream **ret, char *errbuf, size_t errsize);
int ics_stream_next(IcsStream *s, const IcsEvent **ret_events, size_t *ret_n, char *errbuf, size_t errsize);
int ics_stream_finish(IcsStream *s, IcsCalendar **ret);
IcsStream *ics_stream_free(IcsStream *s);

typedef struct IcsOccurrence {
        int64_t start, end;     /* UTC */
        int64_t recurrence_id;  /* the slot this occurrence fills: its original start */
        bool all_day;
        bool cancelled;         /* cancelled series, or a cancelled override */
        bool overridden;        /* an override VEVENT (exact or THISANDFUTURE) shaped it */
        char *summary;          /* sanitised as IcsEvent.summary */
} IcsOccurrence;

/* Expands one series: `master` is the IcsEvent.ical of the event without
 * RECURRENCE-ID (NULL when only overrides are known, as in an invite for
 * one changed occurrence), `overrides` the IcsEvent.ical texts of the
 * events with that UID and a RECURRENCE-ID (the caller groups by UID and
 * keeps only the newest SEQUENCE of each).
 *
 * Yields, sorted by start, every occurrence that overlaps [from, to)
 * (an instant occurrence, start == end, counts when from <= start < to):
 * DTSTART, the RRULE (COUNT and UNTIL honoured) and RDATE (DATE, DATE-TIME
 * and PERIOD) instants, minus EXDATEs; an override replaces the slot whose
 * RECURRENCE-ID it names (a DATE-TIME RECURRENCE-ID on a DATE series
 * matches by date, as Exchange writes them); RANGE=THISANDFUTURE moves and
 * reshapes every later slot by the same offset and duration; overrides that
 * match no slot are kept as single occurrences; cancelled ones are
 * returned with cancelled set so the caller can withdraw their reminders.
 *
 * Bounded: at most `max` occurrences (0 or more than ICS_OCCURRENCES_MAX
 * means ICS_OCCURRENCES_MAX) and ICS_EXPAND_STEPS_MAX slots examined;
 * *ret_truncated (optional) tells whether either cap stopped the walk.
 * A rule without COUNT starts its walk just before `from`, so a long-running
 * series costs the same as a new one; a COUNT rule walks from DTSTART.
 * Rules that recur more often than daily, rules whose BYMONTH, BYMONTHDAY,
 * BYYEARDAY and BYDAY cannot all hold on any day, and rules whose BYSETPOS
 * can never pick an instance are not expanded (only DTSTART and RDATEs
 * count): no calendar client writes them for meetings and libical spins
 * for seconds to minutes on such rules.
 * RRULE occurrences after the year 2500 are not produced (libical's
 * iterator ends in 2582).
 *
 * Returns 0 with a malloc()ed array (NULL when empty) in *ret_occurrences
 * and its length in *ret_n; -EINVAL when from > to, a text does not parse,
 * the master has no DTSTART or an override no RECURRENCE-ID; -ENOMEM.
 * Outputs are untouched on failure. */
int ics_expand(const char *master, const char *const *overrides, size_t n_overrides,
               int64_t from, int64_t to, size_t max,
               IcsOccurrence **ret_occurrences, size_t *ret_n, bool *ret_truncated);

/* Frees n occurrences and the array; accepts NULL. */
void ics_occurrences_free(IcsOccurrence *o, size_t n);

/* The IANA name for a Windows zone ID or CLDR display name (compared
 * case-insensitively, surrounding blanks ignored), or NULL. */
const char *ics_windows_zone_to_iana(const char *name);
