/* SPDX-License-Identifier: MIT */
/* WHEN and DURATION parsing and formatting; the contract is in timeparse.h.
 *
 * Linked into the client as well as the daemon, so plain C11 and libc only.
 * Input is first normalised into a bounded stack buffer (lower case, single
 * spaces, only the characters any accepted form uses); the parsers below then
 * walk that buffer with a cursor and never need to think about case, runs of
 * whitespace, control characters or length again. */

#include "timeparse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR   3600
#define SECONDS_PER_DAY    86400
#define SECONDS_PER_WEEK   604800

/* A date without a time means this hour: a reminder at midnight helps nobody. */
#define DEFAULT_HOUR 9

/* 10000-01-01T00:00Z.  A result may exceed it by up to a day, so that
 * "9999-12-31T23:00-05:00" still parses; beyond that it is -ERANGE. */
#define INSTANT_YEAR_10000 INT64_C(253402300800)
#define WHEN_UTC_MAX (INSTANT_YEAR_10000 + SECONDS_PER_DAY)

/* local_midnight() clamps `now` here: about 317,000 years each way keeps
 * every product below far from int64 overflow and tm_year within int. */
#define LOCAL_NOW_LIMIT INT64_C(10000000000000)

/* ---- characters and numbers ------------------------------------------ */

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_lower(char c) {
        return c >= 'a' && c <= 'z';
}

/* The whitespace trimmed from either end: what isspace() means in the C
 * locale, spelled out so a user's locale cannot change the grammar. */
static bool is_edge_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static size_t word_len(const char *p) {
        size_t n = 0;

        while (is_lower(p[n]))
                n++;
        return n;
}

/* True when the whole word at p (a run of letters) is w. */
static bool word_is(const char *p, const char *w) {
        size_t n = word_len(p);

        return n == strlen(w) && memcmp(p, w, n) == 0;
}

static size_t digits_len(const char *p) {
        size_t n = 0;

        while (is_digit(p[n]))
                n++;
        return n;
}

/* Only ever called on runs of at most four digits, so int cannot overflow. */
static int digits_value(const char *p, size_t n) {
        int v = 0;

        for (size_t i = 0; i < n; i++)
                v = v * 10 + (p[i] - '0');
        return v;
}

/* Copies text into buf lower-cased, trimmed, with each inner run of spaces
 * and tabs folded to one space.  Anything no accepted form contains (control
 * characters, including a newline inside the text; punctuation; bytes
 * outside ASCII) is -EINVAL here, so the parsers need not consider it. */
static int normalize(const char *text, char *buf, size_t size) {
        size_t len, start, end, n = 0;

        if (!text)
                return -EINVAL;

        /* strnlen, so a megabyte of digits costs TIMEPARSE_TEXT_MAX reads. */
        len = strnlen(text, TIMEPARSE_TEXT_MAX + 1);
        if (len > TIMEPARSE_TEXT_MAX || len + 1 > size)
                return -EINVAL;

        start = 0;
        while (start < len && is_edge_space(text[start]))
                start++;
        end = len;
        while (end > start && is_edge_space(text[end - 1]))
                end--;
        if (start == end)
                return -EINVAL;

        for (size_t i = start; i < end; i++) {
                char c = text[i];

                if (c == ' ' || c == '\t') {
                        if (buf[n - 1] != ' ')  /* n > 0: text[start] is no space */
                                buf[n++] = ' ';
                        continue;
                }
                if (c >= 'A' && c <= 'Z')
                        c = (char) (c - 'A' + 'a');
                else if (!is_lower(c) && !is_digit(c) && c != ':' && c != '+' && c != '-')
                        return -EINVAL;
                buf[n++] = c;
        }
        buf[n] = '\0';
        return 0;
}

/* ---- calendar arithmetic ---------------------------------------------- */

static bool is_leap_year(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

        return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so UTC instants need neither timegm() nor TZ. */
static int64_t days_from_civil(int64_t y, int m, int d) {
        int64_t era, yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = y - era * 400;
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

/* ---- local time ------------------------------------------------------- */

static int local_tm(int64_t t, struct tm *ret) {
        time_t tt = (time_t) t;

        /* A 32-bit time_t cannot hold every int64; say so rather than wrap. */
        if ((int64_t) tt != t)
                return -ERANGE;
        if (!localtime_r(&tt, ret))
                return -ERANGE;
        return 0;
}

static int local_offset(int64_t t, long *ret_offset) {
        struct tm tm;
        int r;

        r = local_tm(t, &tm);
        if (r < 0)
                return r;
        *ret_offset = tm.tm_gmtoff;
        return 0;
}

/* The local calendar day holding `now`, as days since 1970-01-01, and its
 * weekday (0 = Sunday). */
static int local_today(int64_t now, int64_t *ret_day, int *ret_wday) {
        struct tm tm;
        int r;

        r = local_tm(now, &tm);
        if (r < 0)
                return r;
        *ret_day = days_from_civil((int64_t) tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        *ret_wday = tm.tm_wday;
        return 0;
}

/* The instant at which local wall-clock time reads `seconds` into local day
 * `day` (days since 1970-01-01), with the DST rules of timeparse.h.
 *
 * Rather than trusting mktime() (whose pick inside an overlap is
 * unspecified and differs between libcs and even between calls), take the
 * UTC offsets in force a day before and a day after that wall time and try
 * each: an offset is right when the instant it yields really has that
 * offset.  Two right answers mean an overlap: take the earlier.  None means
 * a gap: read the wall time with the offset from before the gap, which lands
 * the gap's length later on the new offset. */
static int local_resolve(int64_t day, int64_t seconds, int64_t *ret_utc) {
        int64_t wall, early, late, result;
        long before, after, check;
        bool early_ok, late_ok;
        int r;

        if (day < -LOCAL_NOW_LIMIT / SECONDS_PER_DAY - INT32_MAX ||
            day > LOCAL_NOW_LIMIT / SECONDS_PER_DAY + INT32_MAX)
                return -ERANGE;
        wall = day * SECONDS_PER_DAY + seconds;

        r = local_offset(wall - SECONDS_PER_DAY, &before);
        if (r < 0)
                return r;
        r = local_offset(wall + SECONDS_PER_DAY, &after);
        if (r < 0)
                return r;

        early = wall - before;
        late = wall - after;
        early_ok = local_offset(early, &check) >= 0 && check == before;
        late_ok = local_offset(late, &check) >= 0 && check == after;

        if (early_ok && late_ok)
                result = early < late ? early : late;
        else if (early_ok)
                result = early;
        else if (late_ok)
                result = late;
        else
                result = early;

        *ret_utc = result;
        return 0;
}

/* ---- durations -------------------------------------------------------- */

static const struct {
        const char *name;
        int64_t seconds;
} duration_units[] = {
        { "s", 1 },
        { "sec", 1 },
        { "secs", 1 },
        { "second", 1 },
        { "seconds", 1 },
        { "m", SECONDS_PER_MINUTE },
        { "min", SECONDS_PER_MINUTE },
        { "mins", SECONDS_PER_MINUTE },
        { "minute", SECONDS_PER_MINUTE },
        { "minutes", SECONDS_PER_MINUTE },
        { "h", SECONDS_PER_HOUR },
        { "hr", SECONDS_PER_HOUR },
        { "hrs", SECONDS_PER_HOUR },
        { "hour", SECONDS_PER_HOUR },
        { "hours", SECONDS_PER_HOUR },
        { "d", SECONDS_PER_DAY },
        { "day", SECONDS_PER_DAY },
        { "days", SECONDS_PER_DAY },
        { "w", SECONDS_PER_WEEK },
        { "wk", SECONDS_PER_WEEK },
        { "wks", SECONDS_PER_WEEK },
        { "week", SECONDS_PER_WEEK },
        { "weeks", SECONDS_PER_WEEK },
};

static int64_t duration_unit_lookup(const char *p, size_t n) {
        for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
                if (strlen(duration_units[i].name) == n && memcmp(duration_units[i].name, p, n) == 0)
                        return duration_units[i].seconds;
        return 0;
}

/* Parses a normalised DURATION.  Numbers and the running total saturate just
 * above DURATION_MAX_SECONDS instead of overflowing, and the grammar is
 * checked to the end before the total is judged, so syntax errors win over
 * range errors whatever the order in the text. */
static int parse_duration_normalized(const char *p, int64_t *ret_seconds) {
        const int64_t cap = DURATION_MAX_SECONDS + 1;
        int64_t total = 0;

        if (*p == '+') {
                p++;
                if (*p == ' ')
                        p++;
        } else if (word_is(p, "in")) {
                p += 2;
                if (*p != ' ')
                        return -EINVAL;
                p++;
        }

        for (;;) {
                int64_t number = 0, unit;
                size_t n;

                if (!is_digit(*p))
                        return -EINVAL;
                for (; is_digit(*p); p++)
                        if (number < cap)
                                number = number * 10 + (*p - '0');
                if (number > cap)
                        number = cap;

                if (*p == ' ')
                        p++;
                n = word_len(p);
                unit = duration_unit_lookup(p, n);
                if (unit == 0)
                        return -EINVAL;
                p += n;

                /* cap * a week is about 2e14: no overflow before clamping. */
                total += number * unit;
                if (total > cap)
                        total = cap;

                if (*p == '\0')
                        break;
                if (*p == ' ')
                        p++;
        }

        if (total <= 0 || total > DURATION_MAX_SECONDS)
                return -ERANGE;
        *ret_seconds = total;
        return 0;
}

int duration_parse(const char *text, int64_t *ret_seconds) {
        char buf[TIMEPARSE_TEXT_MAX + 1];
        int64_t seconds;
        int r;

        if (!ret_seconds)
                return -EINVAL;
        r = normalize(text, buf, sizeof(buf));
        if (r < 0)
                return r;
        r = parse_duration_normalized(buf, &seconds);
        if (r < 0)
                return r;
        *ret_seconds = seconds;
        return 0;
}

/* ---- clock times ------------------------------------------------------ */

typedef enum {
        MERIDIEM_NONE,
        MERIDIEM_AM,
        MERIDIEM_PM,
} Meridiem;

/* A clock time as written; ranges are checked by clock_seconds(), after the
 * whole text has parsed. */
typedef struct {
        int hour, minute, second;
        Meridiem meridiem;
        bool has_offset;
        int offset_sign, offset_hour, offset_minute;
} Clock;

/* Z, +HH, +HH:MM or +HHMM (or with "-") at *p, if any. */
static int parse_offset(const char **p, Clock *c) {
        const char *q = *p;

        if (*q == 'z') {
                c->has_offset = true;
                c->offset_sign = 1;
                *p = q + 1;
                return 0;
        }
        if (*q != '+' && *q != '-')
                return 0;

        c->offset_sign = *q == '-' ? -1 : 1;
        q++;
        switch (digits_len(q)) {
        case 2:
                c->offset_hour = digits_value(q, 2);
                q += 2;
                if (*q == ':') {
                        q++;
                        if (digits_len(q) != 2)
                                return -EINVAL;
                        c->offset_minute = digits_value(q, 2);
                        q += 2;
                }
                break;
        case 4:
                c->offset_hour = digits_value(q, 2);
                c->offset_minute = digits_value(q + 2, 2);
                q += 4;
                break;
        default:
                return -EINVAL;
        }
        c->has_offset = true;
        *p = q;
        return 0;
}

/* Parses H:MM, H:MM:SS, Ham, H:MMpm, "H am" at *p.  `iso` demands the ISO
 * shape (two-digit hour, minutes, no am/pm) used after a "T"; `allow_offset`
 * accepts a zone offset after a 24-hour time.  The clock must end the text or
 * be followed by a space.  -EINVAL (and *p unmoved) when it is not a clock. */
static int parse_clock(const char **p, bool iso, bool allow_offset, Clock *ret) {
        Clock c = { .meridiem = MERIDIEM_NONE };
        const char *q = *p;
        bool has_minutes = false;
        size_t n;
        int r;

        n = digits_len(q);
        if (n < 1 || n > 2 || (iso && n != 2))
                return -EINVAL;
        c.hour = digits_value(q, n);
        q += n;

        if (*q == ':') {
                q++;
                if (digits_len(q) != 2)
                        return -EINVAL;
                c.minute = digits_value(q, 2);
                q += 2;
                has_minutes = true;

                if (*q == ':') {
                        q++;
                        if (digits_len(q) != 2)
                                return -EINVAL;
                        c.second = digits_value(q, 2);
                        q += 2;
                }
        }

        if (!iso) {
                const char *m = *q == ' ' ? q + 1 : q;

                if (word_is(m, "am"))
                        c.meridiem = MERIDIEM_AM;
                else if (word_is(m, "pm"))
                        c.meridiem = MERIDIEM_PM;
                if (c.meridiem != MERIDIEM_NONE)
                        q = m + 2;
        }

        if (!has_minutes && c.meridiem == MERIDIEM_NONE)
                return -EINVAL;

        if (allow_offset && c.meridiem == MERIDIEM_NONE) {
                r = parse_offset(&q, &c);
                if (r < 0)
                        return r;
        }

        if (*q != '\0' && *q != ' ')
                return -EINVAL;

        *p = q;
        *ret = c;
        return 0;
}

/* Seconds after local midnight, or -ERANGE. */
static int clock_seconds(const Clock *c, int64_t *ret_seconds) {
        int hour = c->hour;

        if (c->meridiem != MERIDIEM_NONE) {
                /* 12am is midnight and 12pm noon; there is no 0am or 13pm. */
                if (hour < 1 || hour > 12)
                        return -ERANGE;
                hour = hour % 12 + (c->meridiem == MERIDIEM_PM ? 12 : 0);
        } else if (hour > 23)
                return -ERANGE;

        /* No leap second: nothing downstream could represent it. */
        if (c->minute > 59 || c->second > 59)
                return -ERANGE;
        if (c->has_offset && (c->offset_hour > 23 || c->offset_minute > 59))
                return -ERANGE;

        *ret_seconds = (int64_t) hour * SECONDS_PER_HOUR + c->minute * SECONDS_PER_MINUTE + c->second;
        return 0;
}

static int64_t clock_offset_seconds(const Clock *c) {
        return (int64_t) c->offset_sign * (c->offset_hour * SECONDS_PER_HOUR + c->offset_minute * SECONDS_PER_MINUTE);
}

/* Skips an optional "at " before a clock time ("tomorrow at 9am"). */
static void skip_at(const char **p) {
        if (word_is(*p, "at") && (*p)[2] == ' ')
                *p += 3;
}

/* ---- WHEN forms ------------------------------------------------------- */

static bool looks_like_iso_date(const char *p) {
        return digits_len(p) == 4 && p[4] == '-';
}

/* An ISO date or date-time; a date alone means `default_seconds` after
 * local midnight.  *ret_date_only tells the caller which it was. */
static int parse_iso(const char *p, int64_t default_seconds, int64_t *ret_utc, bool *ret_date_only) {
        Clock clock = { .meridiem = MERIDIEM_NONE };
        bool has_time = false;
        int64_t seconds = default_seconds, day;
        int year, month, mday, r;

        year = digits_value(p, 4);
        p += 5;
        if (digits_len(p) != 2 || p[2] != '-')
                return -EINVAL;
        month = digits_value(p, 2);
        p += 3;
        if (digits_len(p) != 2)
                return -EINVAL;
        mday = digits_value(p, 2);
        p += 2;

        if (*p == 't') {
                p++;
                r = parse_clock(&p, true, true, &clock);
                if (r < 0)
                        return r;
                has_time = true;
        } else if (*p == ' ') {
                p++;
                skip_at(&p);
                r = parse_clock(&p, false, true, &clock);
                if (r < 0)
                        return r;
                has_time = true;
        }
        if (*p != '\0')
                return -EINVAL;

        if (year < 1970 || year > 9999 || month < 1 || month > 12 ||
            mday < 1 || mday > days_in_month(year, month))
                return -ERANGE;
        if (has_time) {
                r = clock_seconds(&clock, &seconds);
                if (r < 0)
                        return r;
        }

        day = days_from_civil(year, month, mday);
        if (ret_date_only)
                *ret_date_only = !has_time;
        if (clock.has_offset) {
                /* Pure arithmetic: a stated offset owes nothing to TZ. */
                *ret_utc = day * SECONDS_PER_DAY + seconds - clock_offset_seconds(&clock);
                return 0;
        }
        return local_resolve(day, seconds, ret_utc);
}

static int weekday_lookup(const char *p, size_t n) {
        static const struct {
                const char *name;
                int wday;
        } names[] = {
                { "sun", 0 }, { "sunday", 0 },
                { "mon", 1 }, { "monday", 1 },
                { "tue", 2 }, { "tues", 2 }, { "tuesday", 2 },
                { "wed", 3 }, { "weds", 3 }, { "wednesday", 3 },
                { "thu", 4 }, { "thur", 4 }, { "thurs", 4 }, { "thursday", 4 },
                { "fri", 5 }, { "friday", 5 },
                { "sat", 6 }, { "saturday", 6 },
        };

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strlen(names[i].name) == n && memcmp(names[i].name, p, n) == 0)
                        return names[i].wday;
        return -EINVAL;
}

/* today, tomorrow, WEEKDAY, next WEEKDAY; then optionally [at] CLOCK. */
static int parse_day_phrase(const char *p, int64_t now, int64_t *ret_utc) {
        int64_t today, day, seconds = DEFAULT_HOUR * SECONDS_PER_HOUR, t;
        bool roll_week = false;
        size_t n = word_len(p);
        int wday, r;

        r = local_today(now, &today, &wday);
        if (r < 0)
                return r;

        if (word_is(p, "today"))
                day = today;
        else if (word_is(p, "tomorrow"))
                day = today + 1;
        else {
                bool next = word_is(p, "next");
                int target, ahead;

                if (next) {
                        p += n;
                        if (*p != ' ')
                                return -EINVAL;
                        p++;
                        n = word_len(p);
                }
                target = weekday_lookup(p, n);
                if (target < 0)
                        return target;
                ahead = (target - wday + 7) % 7;
                if (next && ahead == 0)
                        ahead = 7;
                /* A bare weekday naming today: today if still ahead, else
                 * next week (decided once the instant is known). */
                roll_week = !next && ahead == 0;
                day = today + ahead;
        }
        p += n;

        if (*p != '\0') {
                Clock clock;

                if (*p != ' ')
                        return -EINVAL;
                p++;
                skip_at(&p);
                r = parse_clock(&p, false, false, &clock);
                if (r < 0)
                        return r;
                if (*p != '\0')
                        return -EINVAL;
                r = clock_seconds(&clock, &seconds);
                if (r < 0)
                        return r;
        }

        r = local_resolve(day, seconds, &t);
        if (r < 0)
                return r;
        if (roll_week && t < now) {
                r = local_resolve(day + 7, seconds, &t);
                if (r < 0)
                        return r;
        }
        *ret_utc = t;
        return 0;
}

/* A clock time alone: today, or tomorrow once today's has passed. */
static int parse_clock_phrase(const char *p, int64_t now, int64_t *ret_utc) {
        int64_t today, seconds, t;
        Clock clock;
        int wday, r;

        r = parse_clock(&p, false, false, &clock);
        if (r < 0)
                return r;
        if (*p != '\0')
                return -EINVAL;
        r = clock_seconds(&clock, &seconds);
        if (r < 0)
                return r;

        r = local_today(now, &today, &wday);
        if (r < 0)
                return r;
        r = local_resolve(today, seconds, &t);
        if (r < 0)
                return r;
        if (t < now) {
                r = local_resolve(today + 1, seconds, &t);
                if (r < 0)
                        return r;
        }
        *ret_utc = t;
        return 0;
}

static int parse_relative(const char *p, int64_t now, int64_t *ret_utc) {
        int64_t seconds;
        int r;

        r = parse_duration_normalized(p, &seconds);
        if (r < 0)
                return r;
        if (now > INT64_MAX - seconds)
                return -ERANGE;
        *ret_utc = now + seconds;
        return 0;
}

int when_parse(const char *text, int64_t now, int64_t *ret_utc) {
        char buf[TIMEPARSE_TEXT_MAX + 1];
        const char *p = buf;
        Clock probe;
        int64_t t;
        int r;

        if (!ret_utc)
                return -EINVAL;
        r = normalize(text, buf, sizeof(buf));
        if (r < 0)
                return r;

        tzset();

        /* Dispatch on the shape of the start, so each error comes from the
         * parser the text was plainly meant for ("25:00" is a bad clock
         * time, not a bad duration). */
        if (word_is(p, "now") && p[3] == '\0') {
                t = now;
                r = 0;
        } else if (*p == '+' || word_is(p, "in"))
                r = parse_relative(p, now, &t);
        else if (looks_like_iso_date(p))
                r = parse_iso(p, DEFAULT_HOUR * SECONDS_PER_HOUR, &t, NULL);
        else if (is_lower(*p))
                r = parse_day_phrase(p, now, &t);
        else if (is_digit(*p)) {
                const char *q = p;

                if (parse_clock(&q, false, false, &probe) >= 0)
                        r = parse_clock_phrase(p, now, &t);
                else
                        r = parse_relative(p, now, &t);
        } else
                r = -EINVAL;
        if (r < 0)
                return r;

        if (t < 0 || t > WHEN_UTC_MAX)
                return -ERANGE;
        *ret_utc = t;
        return 0;
}

/* ---- past WHEN (when something happened) ------------------------------ */

/* A past day without a time means midday: the hour matters less than the
 * day, and noon keeps the day right whatever the DST change. */
#define PAST_DEFAULT_HOUR 12

static bool same_local_day(int64_t a, int64_t b) {
        int64_t day_a, day_b;
        int wday;

        return local_today(a, &day_a, &wday) >= 0 && local_today(b, &day_b, &wday) >= 0 &&
                day_a == day_b;
}

/* today, yesterday, WEEKDAY, last WEEKDAY; then optionally [at] CLOCK. */
static int parse_past_day_phrase(const char *p, int64_t now, int64_t *ret_utc) {
        int64_t today, day, seconds = PAST_DEFAULT_HOUR * SECONDS_PER_HOUR, t;
        bool has_clock = false, bare_weekday = false;
        size_t n = word_len(p);
        int wday, r;

        r = local_today(now, &today, &wday);
        if (r < 0)
                return r;

        if (word_is(p, "today"))
                day = today;
        else if (word_is(p, "yesterday"))
                day = today - 1;
        else {
                bool last = word_is(p, "last");
                int target, back;

                if (last) {
                        p += n;
                        if (*p != ' ')
                                return -EINVAL;
                        p++;
                        n = word_len(p);
                }
                target = weekday_lookup(p, n);
                if (target < 0)
                        return target;
                back = (wday - target + 7) % 7;
                if (last && back == 0)
                        back = 7;
                bare_weekday = !last && back == 0;
                day = today - back;
        }
        p += n;

        if (*p != '\0') {
                Clock clock;

                if (*p != ' ')
                        return -EINVAL;
                p++;
                skip_at(&p);
                r = parse_clock(&p, false, false, &clock);
                if (r < 0)
                        return r;
                if (*p != '\0')
                        return -EINVAL;
                r = clock_seconds(&clock, &seconds);
                if (r < 0)
                        return r;
                has_clock = true;
        }

        r = local_resolve(day, seconds, &t);
        if (r < 0)
                return r;
        if (day == today && t > now) {
                if (!has_clock)
                        /* "today" before noon: earlier today, i.e. now. */
                        t = now;
                else if (bare_weekday) {
                        /* "fri 17:00" said on a Friday morning: last week's. */
                        r = local_resolve(day - 7, seconds, &t);
                        if (r < 0)
                                return r;
                }
                /* "today 17:00" said at 10:00 stays in the future: the
                 * caller rejects it. */
        }
        *ret_utc = t;
        return 0;
}

/* A clock time alone: today, or yesterday when today's is still ahead. */
static int parse_past_clock_phrase(const char *p, int64_t now, int64_t *ret_utc) {
        int64_t today, seconds, t;
        Clock clock;
        int wday, r;

        r = parse_clock(&p, false, false, &clock);
        if (r < 0)
                return r;
        if (*p != '\0')
                return -EINVAL;
        r = clock_seconds(&clock, &seconds);
        if (r < 0)
                return r;

        r = local_today(now, &today, &wday);
        if (r < 0)
                return r;
        r = local_resolve(today, seconds, &t);
        if (r < 0)
                return r;
        if (t > now) {
                r = local_resolve(today - 1, seconds, &t);
                if (r < 0)
                        return r;
        }
        *ret_utc = t;
        return 0;
}

/* "3d ago", "2 weeks ago", "1h30m ago": the text before " ago" (already cut
 * off) is a DURATION without a leading "+" or "in". */
static int parse_ago(const char *p, int64_t now, int64_t *ret_utc) {
        int64_t seconds;
        int r;

        if (!is_digit(*p))
                return -EINVAL;
        r = parse_duration_normalized(p, &seconds);
        if (r < 0)
                return r;
        if (now < seconds)
                return -ERANGE;         /* before 1970 */
        *ret_utc = now - seconds;
        return 0;
}

int when_parse_past(const char *text, int64_t now, int64_t *ret_utc) {
        char buf[TIMEPARSE_TEXT_MAX + 1];
        const char *p = buf;
        Clock probe;
        size_t len;
        int64_t t;
        int r;

        if (!ret_utc)
                return -EINVAL;
        r = normalize(text, buf, sizeof(buf));
        if (r < 0)
                return r;

        tzset();

        len = strlen(buf);
        if (word_is(p, "now") && p[3] == '\0') {
                t = now;
                r = 0;
        } else if (len > 4 && memcmp(buf + len - 4, " ago", 4) == 0) {
                buf[len - 4] = '\0';
                r = parse_ago(p, now, &t);
        } else if (looks_like_iso_date(p)) {
                bool date_only = false;

                r = parse_iso(p, PAST_DEFAULT_HOUR * SECONDS_PER_HOUR, &t, &date_only);
                /* Today's date alone, before noon: earlier today. */
                if (r >= 0 && date_only && t > now && same_local_day(t, now))
                        t = now;
        } else if (is_lower(*p))
                r = parse_past_day_phrase(p, now, &t);
        else if (is_digit(*p)) {
                const char *q = p;

                /* A bare duration ("3d") is not a past time: say "3d ago". */
                r = parse_clock(&q, false, false, &probe) >= 0 ?
                        parse_past_clock_phrase(p, now, &t) : -EINVAL;
        } else
                r = -EINVAL;
        if (r < 0)
                return r;

        if (t < 0 || t > now)
                return -ERANGE;
        *ret_utc = t;
        return 0;
}

/* ---- formatting ------------------------------------------------------- */

static const struct {
        uint64_t seconds;
        char suffix;
} format_units[] = {
        { SECONDS_PER_WEEK, 'w' },
        { SECONDS_PER_DAY, 'd' },
        { SECONDS_PER_HOUR, 'h' },
        { SECONDS_PER_MINUTE, 'm' },
        { 1, 's' },
};

#define FORMAT_UNITS_N (sizeof(format_units) / sizeof(format_units[0]))

/* Index of the largest unit not longer than magnitude (> 0). */
static size_t format_unit_for(uint64_t magnitude) {
        size_t i = 0;

        while (i < FORMAT_UNITS_N - 1 && magnitude < format_units[i].seconds)
                i++;
        return i;
}

/* The magnitude is unsigned so that INT64_MIN and any difference of two
 * int64 instants fit. */
static void format_magnitude(uint64_t magnitude, const char *prefix, const char *suffix,
                             char *buf, size_t size) {
        uint64_t first, second = 0;
        size_t i;

        if (!buf || size == 0)
                return;
        if (magnitude == 0) {
                snprintf(buf, size, "%s0s%s", prefix, suffix);
                return;
        }

        i = format_unit_for(magnitude);
        first = magnitude / format_units[i].seconds;
        if (i + 1 < FORMAT_UNITS_N)
                second = magnitude % format_units[i].seconds / format_units[i + 1].seconds;

        if (second > 0)
                snprintf(buf, size, "%s%" PRIu64 "%c %" PRIu64 "%c%s", prefix,
                         first, format_units[i].suffix, second, format_units[i + 1].suffix, suffix);
        else
                snprintf(buf, size, "%s%" PRIu64 "%c%s", prefix, first, format_units[i].suffix, suffix);
}

static uint64_t magnitude_of(int64_t v) {
        /* Negating in unsigned arithmetic is defined even for INT64_MIN. */
        return v < 0 ? UINT64_C(0) - (uint64_t) v : (uint64_t) v;
}

void duration_format(int64_t seconds, char *buf, size_t size) {
        format_magnitude(magnitude_of(seconds), seconds < 0 ? "-" : "", "", buf, size);
}

void relative_format(int64_t then, int64_t now, char *buf, size_t size) {
        bool future = then >= now;
        /* Unsigned subtraction wraps to the exact distance, which always
         * fits in 64 bits, where the signed one could overflow. */
        uint64_t magnitude = future ? (uint64_t) then - (uint64_t) now : (uint64_t) now - (uint64_t) then;
        uint64_t step, remainder;
        size_t i;

        if (!buf || size == 0)
                return;
        if (magnitude < SECONDS_PER_MINUTE) {
                snprintf(buf, size, "now");
                return;
        }

        /* Round to the smallest unit duration_format will show, so 1h 59m 59s
         * reads "2h", not "1h 59m".  A carry lands exactly on the next unit
         * up, so no hidden remainder is truncated afterwards. */
        i = format_unit_for(magnitude);
        step = i + 1 < FORMAT_UNITS_N ? format_units[i + 1].seconds : 1;
        remainder = magnitude % step;
        magnitude -= remainder;
        if (remainder * 2 >= step && magnitude <= UINT64_MAX - step)
                magnitude += step;

        format_magnitude(magnitude, future ? "in " : "", future ? "" : " ago", buf, size);
}

void local_time_format(int64_t utc, char *buf, size_t size) {
        struct tm tm;

        if (!buf || size == 0)
                return;

        tzset();
        if (local_tm(utc, &tm) < 0) {
                snprintf(buf, size, "@%" PRId64, utc);
                return;
        }

        if (tm.tm_sec != 0)
                snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        else
                snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

int64_t local_midnight(int64_t now, int days) {
        int64_t today, t;
        int wday;

        if (now > LOCAL_NOW_LIMIT)
                now = LOCAL_NOW_LIMIT;
        else if (now < -LOCAL_NOW_LIMIT)
                now = -LOCAL_NOW_LIMIT;

        tzset();
        if (local_today(now, &today, &wday) < 0) {
                /* Only a time_t narrower than these instants gets here; UTC
                 * days are the nearest honest answer.  Floor, not truncate. */
                today = now / SECONDS_PER_DAY - (now % SECONDS_PER_DAY < 0);
        }
        if (local_resolve(today + days, 0, &t) < 0)
                t = (today + days) * SECONDS_PER_DAY;
        return t;
}
