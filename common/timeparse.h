/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* WHEN and DURATION, as SPEC.md describes them.  All instants are Unix
 * seconds (UTC).  Local time is whatever the process's TZ says; the client
 * parses in the user's zone and sends UTC to the daemon.  The functions that
 * use local time call tzset() themselves, because localtime_r() need not
 * notice a changed TZ.
 *
 * Daylight-saving rules (documented in netctl(1)):
 *  - a local time that falls in a gap (spring forward) is moved forward by
 *    the length of the gap: 02:30 on the Berlin spring-forward day is 03:30
 *    CEST, as mktime() normalises and taskwarrior does; in general it is the
 *    wall time read with the UTC offset in force before the gap, so a
 *    30-minute gap (Lord Howe) moves it by 30 minutes;
 *  - a local time that occurs twice (fall back) means the earlier instant,
 *    the one still on summer time: 02:30 on the Berlin fall-back day is
 *    02:30 CEST (00:30 UTC), 01:30 on the New York one is 01:30 EDT.
 *    glibc's mktime() with tm_isdst = -1 may pick either, so this is decided
 *    here from the offsets localtime_r() reports, not left to mktime().
 * Both rules assume at most one offset change within a day of the time
 * asked for, which holds for every zone in tzdata. */

#define DURATION_MAX_SECONDS (10LL * 366 * 24 * 3600)  /* ten years */

/* Longest text either parser reads, surrounding whitespace included; longer
 * input is -EINVAL without being scanned further (no WHEN or DURATION a
 * person types comes near it). */
#define TIMEPARSE_TEXT_MAX 256

/* Parses a DURATION: "45s", "90m", "2h", "3d", "2w", compounds such as
 * "1h30m" or "1d 2h", optionally led by "+" or "in ".  Units also accept
 * their long names (sec(s), second(s), min(s), minute(s), hr(s), hour(s),
 * day(s), wk(s), week(s)) and a space after the number ("3 days").  Case is
 * ignored, and so is whitespace around the text.  No sign other than a
 * leading "+", no fractions, no months or years (they have no fixed length).
 * Returns 0 and the length in *ret_seconds (> 0), -EINVAL on bad syntax
 * (NULL, empty, control characters, non-ASCII, text longer than
 * TIMEPARSE_TEXT_MAX), -ERANGE when zero or above DURATION_MAX_SECONDS
 * (numbers of any length are read without overflow).  Syntax is checked
 * before range.  *ret_seconds untouched on failure. */
int duration_parse(const char *text, int64_t *ret_seconds);

/* Parses a WHEN relative to `now`:
 *   ISO 8601: 2026-12-01, 2026-12-01T09:30,
 *     2026-12-01 09:30, 2026-12-01T09:30:15, with Z or +01:00/-0500/+01
 *     offsets (two-digit fields; with an offset the result does not depend
 *     on TZ at all);
 *   "now", "today", "tomorrow", "today 17:00", "tomorrow 9am",
 *     "tomorrow at 9am";
 *   weekday names "fri", "friday", "fri 10:00", "next monday" (the next
 *     such day strictly after today; "next" forces a week ahead when today
 *     is that day).  A bare weekday that names today means today unless
 *     its time has already passed, and then the same day next week;
 *   clock times alone "17:00", "17:00:30", "9am", "9 am", "9:30pm" (today,
 *     or tomorrow if that time has already passed today, i.e. lies strictly
 *     before `now`); 12am is midnight, 12pm noon;
 *   relative "in 3d", "+2h", "90m", "2w" (anything duration_parse takes):
 *     exactly that many seconds after `now`, so "in 1d" across a DST change
 *     lands an hour off the same wall time, while "tomorrow" keeps it.
 * A date without a time (ISO date, day word, weekday name) means 09:00
 * local that day: a reminder at midnight helps nobody.  "today" alone is
 * 09:00 today even when that has passed (it is then simply overdue); so is
 * "today 17:00" at 18:00.  Case and surrounding whitespace are ignored.
 * Returns 0 and the instant in *ret_utc, -EINVAL on bad syntax (as for
 * duration_parse, plus "-3d" and anything not listed above), -ERANGE for
 * out-of-range fields (month 13, day 30 of February, 25:00, 13pm, offset
 * beyond 23:59, year before 1970 or after 9999), a zero or too long
 * duration, or a result before 1970.  *ret_utc untouched on failure. */
int when_parse(const char *text, int64_t now, int64_t *ret_utc);

/* Parses a WHEN in the past, when something happened (netctl log --when):
 *   "now";
 *   "today", "yesterday", weekday names "fri" (the most recent Friday,
 *     today included), "last fri" (strictly before today), each optionally
 *     followed by [at] CLOCK ("yesterday 17:00", "last mon at 9am"); a bare
 *     weekday naming today with a clock time still ahead means last week's;
 *   clock times alone "17:00", "9am" (today, or yesterday when today's is
 *     still ahead);
 *   ISO 8601 dates and date-times, as when_parse;
 *   "N<unit> ago" with anything duration_parse takes before " ago" except
 *     a leading "+" or "in" ("3d ago", "2 weeks ago", "1h30m ago"):
 *     exactly that many seconds before `now`.
 * A day without a time means 12:00 local that day; on today, before noon,
 * it means `now`.  Forward forms ("tomorrow", "in 2h", "+2h", "next mon")
 * and bare durations ("3d": write "3d ago") are -EINVAL; a result after
 * `now` or before 1970 is -ERANGE, as are the field errors of when_parse.
 * Case and surrounding whitespace are ignored; the DST rules above apply.
 * *ret_utc untouched on failure. */
int when_parse_past(const char *text, int64_t now, int64_t *ret_utc);

/* "2h", "1d 3h", "2w", "45s": at most two adjacent units, largest first,
 * truncated ("1w 3h" prints as "1w"); 0 is "0s" and a negative length gets a
 * leading "-".  Writes at most `size` bytes, always NUL-terminated when
 * size > 0 (buf may be NULL when size is 0). */
void duration_format(int64_t seconds, char *buf, size_t size);

/* "in 2h", "3d ago", "now" (within a minute either way, i.e. less than 60
 * seconds apart); uses duration_format after rounding to the nearest
 * multiple of the smallest unit shown (7199 s ahead is "in 2h").  Any pair
 * of instants works, without overflow.  Buffer rules as duration_format. */
void relative_format(int64_t then, int64_t now, char *buf, size_t size);

/* Local date and time, "2026-11-25 14:00" (seconds shown only when
 * non-zero).  An instant localtime_r() cannot represent prints as "@SECONDS".
 * Buffer rules as duration_format. */
void local_time_format(int64_t utc, char *buf, size_t size);

/* The instant of 00:00 local time on the day `days` after the day holding
 * `now` (0 = today's midnight, 1 = tomorrow's, negative goes back).  Used for
 * --today/--week.  Counted in calendar days, so a 23- or 25-hour DST day is
 * one day.  Where midnight itself is skipped (Havana's spring forward at
 * 00:00) this is the day's first instant, 01:00.  `now` is clamped to about
 * 300,000 years either side of 1970 so that no input overflows. */
int64_t local_midnight(int64_t now, int days);
