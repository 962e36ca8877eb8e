/* SPDX-License-Identifier: MIT */
/* The schedule through wall-clock jumps, driven by Context.clock.
 *
 * The daemon arms its one timer on CLOCK_REALTIME at the absolute due time
 * of the earliest pending reminder (daemon/schedule.c): when the wall clock
 * jumps forward, a suspend ends or the process is continued after SIGSTOP,
 * the kernel fires the timer as soon as the clock is past that time, and
 * after a jump back it simply fires later, when the clock gets there.  So a
 * real jump needs no special case in the daemon; what must hold is that
 * whatever "now" the daemon sees, delivery (schedule_deliver_due(), which
 * claims with store_claim_due()) takes each reminder exactly once and never
 * one that is not yet due, and re-arming (schedule_arm_next(), which asks
 * store_next_pending()) points the timer at the right absolute instant.
 *
 * The tests never touch the machine's clock: a fake clock is installed in
 * Context.clock and moved forward and back.  There is no notification
 * server (Context.notifier is NULL): a claimed reminder stays "sending",
 * and the test records it as shown, as the notifier's answer would. */
#include <errno.h>
#include <stdlib.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "schedule.h"
#include "store.h"
#include "tap.h"

#define MAX_IDS 64

static char tmpdir[] = "/tmp/netctl-test-schedule-clock-XXXXXX";

typedef struct Clock {
        int64_t now;
} Clock;

static int64_t fake_clock(void *userdata) {
        return ((Clock *) userdata)->now;
}

/* How often each reminder was claimed, and when. */
static unsigned claims[MAX_IDS];
static int64_t claimed_at[MAX_IDS];
static int64_t ids_known[MAX_IDS];
static size_t n_known;

static void track(int64_t id) {
        if (n_known < MAX_IDS && id > 0 && id < MAX_IDS)
                ids_known[n_known++] = id;
}

static NotifyState state_of(Store *s, int64_t id) {
        Followup f = {};
        NotifyState st = (NotifyState) -1;
        if (store_followup_get(s, id, &f) == 0)
                st = f.notify_state;
        followup_clear(&f);
        return st;
}

static int64_t due_of(Store *s, int64_t id) {
        Followup f = {};
        int64_t due = -1;
        if (store_followup_get(s, id, &f) == 0)
                due = f.due;
        followup_clear(&f);
        return due;
}

/* Sets the clock to t and runs a delivery as the timer would.  Every
 * reminder that went from pending to sending is counted as claimed, and
 * then recorded as shown (the notification server took it).  Returns how
 * many were claimed. */
static unsigned deliver_at(Context *c, Clock *clk, int64_t t) {
        NotifyState before[MAX_IDS];
        unsigned n = 0;

        clk->now = t;
        for (size_t i = 0; i < n_known; i++)
                before[i] = state_of(c->store, ids_known[i]);
        (void) schedule_deliver_due(c);
        for (size_t i = 0; i < n_known; i++) {
                int64_t id = ids_known[i];
                if (before[i] == NOTIFY_PENDING && state_of(c->store, id) == NOTIFY_SENDING) {
                        claims[id]++;
                        claimed_at[id] = t;
                        n++;
                        (void) store_reminder_shown(c->store, id, t);
                }
        }
        return n;
}

/* The due time the timer is armed for, in seconds; 0 when it is off.  The
 * timer itself fires DELIVERY_LEAD_USEC (well under a second) before it,
 * so this rounds up to the whole second. */
static int64_t timer_at(Context *c) {
        int enabled = 0;
        uint64_t usec = 0;
        clockid_t clock = -1;

        (void) sd_event_source_get_enabled(c->due_timer, &enabled);
        if (enabled == SD_EVENT_OFF)
                return 0;
        (void) sd_event_source_get_time_clock(c->due_timer, &clock);
        if (clock != CLOCK_REALTIME)
                return -1;
        (void) sd_event_source_get_time(c->due_timer, &usec);
        return (int64_t) ((usec + 999999) / 1000000);
}

static int64_t add(Context *c, const char *text, int64_t due, int64_t every, bool fixed) {
        int64_t id = 0;
        int r = store_followup_add(c->store, text, due, every, fixed, context_now(c), &id);
        if (r < 0) {
                printf("# store_followup_add: %s\n", store_last_error(c->store));
                return 0;
        }
        track(id);
        return id;
}

static Context *context_for_test(Clock *clk, const char *db) {
        char err[512];
        Context *c = calloc(1, sizeof *c);
        if (!c)
                return NULL;
        /* Each test has a database of its own, with ids from 1. */
        memset(claims, 0, sizeof claims);
        memset(claimed_at, 0, sizeof claimed_at);
        n_known = 0;
        config_defaults(&c->config);
        c->clock = fake_clock;
        c->clock_userdata = clk;
        if (store_open(db, err, sizeof err, &c->store) < 0) {
                printf("# store_open: %s\n", err);
                return context_free(c);
        }
        if (sd_event_new(&c->event) < 0 || schedule_setup(c) < 0)
                return context_free(c);
        return c;
}

/* Forward and backward jumps with no digests: strictly never early. */
static void test_jumps(void) {
        char db[512];
        Clock clk = { .now = 1800000000 };      /* 2027-01-15 08:00 UTC */
        const int64_t T0 = clk.now;

        snprintf(db, sizeof db, "%s/jumps.db", tmpdir);
        Context *c = context_for_test(&clk, db);
        CHECK(c, "a context with a store, an event loop and a fake clock");
        if (!c)
                return;
        c->config.digest_window = 0;

        int64_t a = add(c, "A, due at T0+100", T0 + 100, 0, false);
        int64_t b = add(c, "B, due at T0+200", T0 + 200, 0, false);
        int64_t d = add(c, "D, due at T0+300", T0 + 300, 0, false);
        CHECK(a && b && d, "three reminders added");

        CHECK_INT(schedule_arm_next(c), 0, "arming the timer");
        CHECK_INT(timer_at(c), T0 + 100, "timer: absolute CLOCK_REALTIME at the first due time");

        CHECK_INT(deliver_at(c, &clk, T0 + 99), 0, "one second before the first due time: nothing");

        /* Forward jump over two due times (a suspend, a SIGSTOP, an NTP
         * step): both are due and go out now, the third is not due. */
        CHECK_INT(deliver_at(c, &clk, T0 + 250), 2, "jump forward to T0+250: the two due reminders");
        CHECK_INT(claims[a] + claims[b], 2, "A and B claimed once each");
        CHECK_INT(claims[d], 0, "D (due at T0+300) not claimed early");
        CHECK_INT(schedule_arm_next(c), 0, "re-arming after the jump");
        CHECK_INT(timer_at(c), T0 + 300, "timer moves on to D's absolute due time");

        /* Backward jump: nothing already shown comes again, nothing new
         * becomes due, and the timer stays at the same absolute instant
         * (it fires later by the wall clock, when the clock gets there). */
        CHECK_INT(deliver_at(c, &clk, T0 + 50), 0, "jump back to T0+50: nothing claimed");
        CHECK_INT(deliver_at(c, &clk, T0 + 150), 0, "clock passes A's due time again: A not repeated");
        CHECK_INT(schedule_arm_next(c), 0, "re-arming after the jump back");
        CHECK_INT(timer_at(c), T0 + 300, "timer still at D's absolute due time");

        /* A reminder added while the clock is behind, due between the two
         * readings of the clock. */
        clk.now = T0 + 150;
        int64_t e = add(c, "E, due at T0+220, added after the jump back", T0 + 220, 0, false);
        CHECK_INT(schedule_arm_next(c), 0, "re-arming for E");
        CHECK_INT(timer_at(c), T0 + 220, "timer armed for E");
        CHECK_INT(deliver_at(c, &clk, T0 + 219), 0, "one second before E: nothing");
        CHECK_INT(deliver_at(c, &clk, T0 + 220), 1, "at E's due time: E");
        CHECK_INT(claims[e], 1, "E claimed once");

        /* Back and forth around D's due time. */
        CHECK_INT(deliver_at(c, &clk, T0 + 299), 0, "T0+299: D not yet");
        CHECK_INT(deliver_at(c, &clk, T0 + 10), 0, "jump back to T0+10: nothing");
        CHECK_INT(deliver_at(c, &clk, T0 + 86400), 1, "jump a day forward: D");
        CHECK_INT(deliver_at(c, &clk, T0 + 86400), 0, "the same instant again: nothing");
        CHECK_INT(deliver_at(c, &clk, T0), 0, "jump back to T0: nothing");
        CHECK_INT(schedule_arm_next(c), 0, "re-arming with nothing pending");
        CHECK_INT(timer_at(c), 0, "timer off: nothing pending, no wake-ups");

        /* A snoozed reminder is pending again and comes once more, at its
         * new time and not before. */
        clk.now = T0 + 86400;
        CHECK_INT(store_followup_snooze(c->store, a, T0 + 90000, clk.now), 0, "snooze A to T0+90000");
        CHECK_INT(deliver_at(c, &clk, T0 + 89999), 0, "before the snooze ends: nothing");
        CHECK_INT(deliver_at(c, &clk, T0 + 30), 0, "jump back before A's first due time: nothing");
        CHECK_INT(deliver_at(c, &clk, T0 + 90000), 1, "at the snooze's end: A again");
        CHECK_INT(claims[a], 2, "A claimed twice in all: once per due time");

        for (size_t i = 0; i < n_known; i++) {
                int64_t id = ids_known[i];
                CHECK(claimed_at[id] >= due_of(c->store, id), "no reminder claimed before its due time");
        }
        CHECK_INT(claims[b], 1, "B once");
        CHECK_INT(claims[d], 1, "D once");
        CHECK_INT(claims[e], 1, "E once");

        context_free(c);
}

/* Recurrence math on done, with the clock far ahead or behind. */
static void test_recurrence(void) {
        char db[512];
        Clock clk = { .now = 1800000000 };
        const int64_t T0 = clk.now, DAY = 86400;
        int64_t next = 0;

        snprintf(db, sizeof db, "%s/recurrence.db", tmpdir);
        Context *c = context_for_test(&clk, db);
        CHECK(c, "a context for the recurrence checks");
        if (!c)
                return;

        /* A fixed daily schedule done after the clock jumped 3.5 days: the
         * next slot after now, not a burst of the three missed ones. */
        int64_t f = add(c, "Fixed daily", T0, DAY, true);
        clk.now = T0 + 3 * DAY + DAY / 2;
        CHECK_INT(store_followup_done(c->store, f, context_now(c), &next), 0, "fixed: done 3.5 days late");
        CHECK_INT(due_of(c->store, next), T0 + 4 * DAY, "fixed: the next slot after now, in step");

        /* Done with the clock set back before the due time: the next slot
         * is one period after the due time, never in the past. */
        int64_t g = add(c, "Fixed daily, done early", T0 + 10 * DAY, DAY, true);
        clk.now = T0 + 5 * DAY;
        CHECK_INT(store_followup_done(c->store, g, context_now(c), &next), 0, "fixed: done with the clock behind");
        CHECK_INT(due_of(c->store, next), T0 + 11 * DAY, "fixed: due + period");

        /* Keep-in-touch counts from completion, by the clock as it is. */
        int64_t k = add(c, "Keep in touch weekly", T0, 7 * DAY, false);
        clk.now = T0 - 2 * DAY;
        CHECK_INT(store_followup_done(c->store, k, context_now(c), &next), 0, "from completion: done with the clock behind");
        CHECK_INT(due_of(c->store, next), T0 + 5 * DAY, "from completion: now + period");

        /* "Tomorrow" from the notification: 09:00 local on the next day,
         * whatever the clock says. */
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        int64_t tm_next = schedule_tomorrow_morning(1800000000);       /* 09:00 CET on Jan 15 */
        CHECK_INT(tm_next, 1800000000 + DAY, "tomorrow morning: 09:00 local the next day");
        tm_next = schedule_tomorrow_morning(1800000000 - 10 * 3600);   /* 23:00 CET on Jan 14 */
        CHECK_INT(tm_next, 1800000000, "tomorrow morning from late evening: the next day's 09:00");
        unsetenv("TZ");
        tzset();

        context_free(c);
}

/* Digests: reminders due within digest_window of one that is due come
 * along with it, so they may go out up to digest_window early; but nothing
 * goes out while nothing at all is due. */
static void test_digest_window(void) {
        char db[512];
        Clock clk = { .now = 1800000000 };
        const int64_t T0 = clk.now;

        snprintf(db, sizeof db, "%s/digest.db", tmpdir);
        Context *c = context_for_test(&clk, db);
        CHECK(c, "a context for the digest checks");
        if (!c)
                return;
        CHECK(c->config.digest_window > 0, "the default config gathers digests");
        int64_t window = c->config.digest_window;

        int64_t x = add(c, "X, due at T0+1000", T0 + 1000, 0, false);
        int64_t y = add(c, "Y, due within the window after X", T0 + 1000 + window / 2, 0, false);
        int64_t z = add(c, "Z, due after the window", T0 + 1000 + 2 * window, 0, false);

        CHECK_INT(deliver_at(c, &clk, T0 + 1000 - window / 4), 0,
                  "nothing due yet (X is due in a quarter window): nothing goes out");
        CHECK_INT(deliver_at(c, &clk, T0 + 1000), 2, "X is due: X, and Y with it as a digest");
        CHECK_INT(claims[x] + claims[y], 2, "X and Y once each");
        CHECK_INT(claims[z], 0, "Z (past the window) not early");
        CHECK(claimed_at[y] >= due_of(c->store, y) - window, "Y at most digest_window early");
        CHECK_INT(deliver_at(c, &clk, T0 + 900), 0, "jump back: nothing");
        CHECK_INT(deliver_at(c, &clk, T0 + 1000 + 2 * window), 1, "at Z's due time: Z");
        CHECK_INT(claims[z], 1, "Z once");

        context_free(c);
}

/* A timer armed for an instant already past (the machine slept, the
 * process was stopped, the clock jumped over it) fires on the next loop
 * iteration and delivers.  Here the fake clock follows the real one. */
static void test_past_timer_fires(void) {
        char db[512];
        Clock clk = { .now = (int64_t) time(NULL) };

        snprintf(db, sizeof db, "%s/past.db", tmpdir);
        Context *c = context_for_test(&clk, db);
        CHECK(c, "a context for the past-timer check");
        if (!c)
                return;
        c->config.digest_window = 0;

        int64_t p = add(c, "Fell due while the process was stopped", clk.now - 30, 0, false);
        int64_t q = add(c, "Not due for an hour", clk.now + 3600, 0, false);
        CHECK_INT(schedule_arm_next(c), 0, "arming for a due time 30 s in the past");
        CHECK_INT(timer_at(c), clk.now - 30, "timer armed at the past absolute instant");
        CHECK(sd_event_run(c->event, 0) > 0, "the loop dispatches the past timer at once");
        CHECK_INT(state_of(c->store, p), NOTIFY_SENDING, "the overdue reminder was handed over");
        CHECK_INT(state_of(c->store, q), NOTIFY_PENDING, "the future one was not");
        CHECK_INT(timer_at(c), clk.now + 3600, "the timer moved on to the next due time");

        context_free(c);
}

int main(void) {
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 1;
        }
        /* schedule_report_status() talks to $NOTIFY_SOCKET when set. */
        unsetenv("NOTIFY_SOCKET");

        test_jumps();
        test_recurrence();
        test_digest_window();
        test_past_timer_fires();

        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        (void) !system(cmd);
        return tap_done();
}
