/* SPDX-License-Identifier: MIT */
/* The break cycle as a pure state machine, driven by a fake clock: active
 * time only, idle stretches and suspends as breaks, taken breaks and the
 * welcome back, later/skip, pauses, new settings.  And the store's part:
 * the saved break state and the day's outreach count. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "breaks.h"
#include "store.h"
#include "tap.h"

#define MIN 60

static const BreakSettings standard = { .work = 50 * MIN, .length = 10 * MIN, .postpone = 10 * MIN };

static void test_active_time_only(void) {
        BreakCycle b;
        int64_t t = 1000;

        break_cycle_init(&b, &standard, t);
        CHECK_INT(b.phase, BREAK_WORKING, "a fresh cycle is working");
        CHECK_INT(break_cycle_next_event(&b), t + 50 * MIN, "the break is due after 50 min of activity");

        break_cycle_advance(&b, t + 20 * MIN);
        CHECK_INT(b.active, 20 * MIN, "20 min active");

        /* Away 5 min: shorter than a break, not counted as work either. */
        break_cycle_set_idle(&b, true, t + 20 * MIN);
        CHECK_INT(break_cycle_next_event(&b), 0, "no wake-up while the user is away");
        CHECK_INT(break_cycle_next_break(&b), 0, "no next break can be said while away");
        break_cycle_advance(&b, t + 24 * MIN);
        CHECK_INT(b.active, 20 * MIN, "idle time does not count");
        break_cycle_set_idle(&b, false, t + 25 * MIN);
        CHECK_INT(b.phase, BREAK_WORKING, "a short absence is not a break");
        CHECK_INT(b.active, 20 * MIN, "the work so far is kept");
        CHECK_INT(b.last_break_kind, BREAK_KIND_NONE, "no break counted");
        CHECK_INT(break_cycle_next_event(&b), t + 25 * MIN + 30 * MIN, "30 more minutes of activity");

        break_cycle_advance(&b, t + 55 * MIN - 1);
        CHECK_INT(b.phase, BREAK_WORKING, "one second before: still working");
        break_cycle_advance(&b, t + 55 * MIN);
        CHECK_INT(b.phase, BREAK_DUE, "50 active minutes: the break is due");
        CHECK_INT(break_cycle_next_event(&b), 0, "a due break waits for the user, no polling");

        /* Still working: the overrun is counted. */
        break_cycle_advance(&b, t + 60 * MIN);
        CHECK_INT(b.active, 55 * MIN, "work past the due break keeps counting");
        CHECK_INT(b.phase, BREAK_DUE, "and the break stays due");
}

static void test_idle_counts_as_break(void) {
        BreakCycle b;
        int64_t t = 5000;

        break_cycle_init(&b, &standard, t);
        break_cycle_advance(&b, t + 55 * MIN);
        CHECK_INT(b.phase, BREAK_DUE, "due");

        break_cycle_set_idle(&b, true, t + 56 * MIN);
        break_cycle_set_idle(&b, false, t + 66 * MIN);
        CHECK_INT(b.phase, BREAK_WORKING, "away exactly a break's length: a break taken");
        CHECK_INT(b.active, 0, "the cycle restarts");
        CHECK_INT(b.last_break, t + 66 * MIN, "counted when the user came back");
        CHECK_INT(b.last_break_kind, BREAK_KIND_IDLE, "as an idle break");
        CHECK(!break_cycle_take_welcome(&b), "no welcome back for a break the user did not ask for");

        /* Away long before the break was due: restarts too. */
        break_cycle_advance(&b, t + 86 * MIN);
        break_cycle_set_idle(&b, true, t + 86 * MIN);
        break_cycle_set_idle(&b, false, t + 200 * MIN);
        CHECK_INT(b.active, 0, "a long absence mid-stretch restarts the cycle");
        CHECK_INT(break_cycle_next_event(&b), t + 250 * MIN, "next break 50 min after the return");
}

static void test_taken_break(void) {
        BreakCycle b;
        int64_t t = 0;

        break_cycle_init(&b, &standard, t);
        break_cycle_advance(&b, t + 50 * MIN);
        CHECK_INT(break_cycle_take(&b, t + 51 * MIN), 0, "take a break");
        CHECK_INT(b.phase, BREAK_ON_BREAK, "on a break");
        CHECK_INT(break_cycle_next_event(&b), t + 61 * MIN, "it ends after 10 min");

        /* Checking the phone during the break: not work. */
        break_cycle_advance(&b, t + 55 * MIN);
        CHECK_INT(b.phase, BREAK_ON_BREAK, "still on the break");
        break_cycle_advance(&b, t + 61 * MIN);
        CHECK_INT(b.phase, BREAK_WORKING, "break over");
        CHECK_INT(b.active, 0, "nothing counted during the break");
        CHECK_INT(b.last_break_kind, BREAK_KIND_TAKEN, "a taken break");
        CHECK_INT(b.last_break, t + 61 * MIN, "ended at its end");
        CHECK(break_cycle_take_welcome(&b), "welcome back, the user is here");
        CHECK(!break_cycle_take_welcome(&b), "said once");

        /* A late timer: the activity after the end counts. */
        break_cycle_take(&b, t + 100 * MIN);
        break_cycle_advance(&b, t + 115 * MIN);
        CHECK_INT(b.active, 5 * MIN, "the 5 min after the break's end count as work");

        /* Away when the break ends: welcome on return. */
        break_cycle_take(&b, t + 200 * MIN);
        break_cycle_set_idle(&b, true, t + 201 * MIN);
        break_cycle_advance(&b, t + 210 * MIN);
        CHECK_INT(b.phase, BREAK_WORKING, "the break ended while away");
        CHECK(!break_cycle_take_welcome(&b), "no welcome to an empty room");
        break_cycle_set_idle(&b, false, t + 230 * MIN);
        CHECK(break_cycle_take_welcome(&b), "welcome back when the user returns");
        CHECK_INT(b.active, 0, "and a fresh stretch");
}

static void test_later_and_skip(void) {
        BreakCycle b;
        int64_t t = 0;

        break_cycle_init(&b, &standard, t);
        break_cycle_advance(&b, t + 50 * MIN);
        CHECK_INT(break_cycle_postpone(&b, t + 50 * MIN), 0, "In 10 min");
        CHECK_INT(b.phase, BREAK_WORKING, "working again");
        CHECK_INT(break_cycle_next_event(&b), t + 60 * MIN, "due again after 10 more active minutes");
        break_cycle_set_idle(&b, true, t + 55 * MIN);
        break_cycle_set_idle(&b, false, t + 58 * MIN);
        CHECK_INT(break_cycle_next_event(&b), t + 63 * MIN, "idle minutes do not count toward it");
        break_cycle_advance(&b, t + 63 * MIN);
        CHECK_INT(b.phase, BREAK_DUE, "due again");

        CHECK_INT(break_cycle_skip(&b, t + 64 * MIN), 0, "skip");
        CHECK_INT(b.phase, BREAK_WORKING, "working");
        CHECK_INT(b.active, 0, "a fresh stretch");
        CHECK_INT(b.last_break_kind, BREAK_KIND_NONE, "a skipped break is not a break");
        CHECK_INT(break_cycle_next_event(&b), t + 114 * MIN, "the full 50 min again");
}

static void test_pause(void) {
        BreakCycle b;
        int64_t t = 0;

        break_cycle_init(&b, &standard, t);
        break_cycle_advance(&b, t + 30 * MIN);
        CHECK_INT(break_cycle_pause(&b, t + 90 * MIN, t + 30 * MIN), 0, "pause for an hour");
        CHECK_INT(b.phase, BREAK_PAUSED, "paused");
        CHECK_INT(break_cycle_next_event(&b), t + 90 * MIN, "wake at the pause's end");
        CHECK_INT(break_cycle_pause(&b, t + 10 * MIN, t + 31 * MIN), -ERANGE, "a pause ending in the past");
        break_cycle_advance(&b, t + 89 * MIN);
        CHECK_INT(b.phase, BREAK_PAUSED, "still paused");
        break_cycle_advance(&b, t + 95 * MIN);
        CHECK_INT(b.phase, BREAK_WORKING, "the pause ended");
        CHECK_INT(b.active, 5 * MIN, "a fresh stretch from the pause's end");

        CHECK_INT(break_cycle_pause(&b, 0, t + 100 * MIN), 0, "pause until resumed");
        CHECK_INT(break_cycle_next_event(&b), 0, "no wake-up at all");
        break_cycle_advance(&b, t + 1000 * MIN);
        CHECK_INT(b.phase, BREAK_PAUSED, "paused for ever");
        CHECK_INT(break_cycle_resume(&b, t + 1000 * MIN), 0, "resume");
        CHECK_INT(b.phase, BREAK_WORKING, "working");
        CHECK_INT(b.active, 0, "from zero");
        CHECK_INT(break_cycle_resume(&b, t + 1001 * MIN), -EALREADY, "resume when not paused");

        /* resume also ends a taken break early. */
        break_cycle_take(&b, t + 1002 * MIN);
        CHECK_INT(break_cycle_resume(&b, t + 1003 * MIN), 0, "back early from a break");
        CHECK_INT(b.phase, BREAK_WORKING, "working");
        CHECK(!break_cycle_take_welcome(&b), "no welcome for cutting it short");
}

static void test_sleep(void) {
        BreakCycle b;
        int64_t t = 0;

        break_cycle_init(&b, &standard, t);
        break_cycle_advance(&b, t + 20 * MIN);
        /* The lid closes at 20 min, opens at 50 min, the user is there. */
        break_cycle_sleep(&b, t + 20 * MIN, t + 50 * MIN);
        CHECK(b.idle, "asleep counts as away");
        break_cycle_set_idle(&b, false, t + 50 * MIN);
        CHECK_INT(b.active, 0, "a 30 min suspend is a break");
        CHECK_INT(b.last_break_kind, BREAK_KIND_SLEEP, "a sleep break");

        /* A short suspend: not a break, and not work. */
        break_cycle_advance(&b, t + 60 * MIN);
        break_cycle_sleep(&b, t + 60 * MIN, t + 63 * MIN);
        break_cycle_set_idle(&b, false, t + 63 * MIN);
        CHECK_INT(b.active, 10 * MIN, "the 3 min asleep are not work");
        CHECK_INT(b.last_break, t + 50 * MIN, "no new break");

        /* Timer fired late after the wake: the sleep is found first. */
        break_cycle_sleep(&b, t + 63 * MIN, t + 200 * MIN);
        break_cycle_set_idle(&b, true, t + 200 * MIN);
        CHECK(b.idle, "still away after the wake (screen locked)");
        break_cycle_set_idle(&b, false, t + 205 * MIN);
        CHECK_INT(b.last_break_kind, BREAK_KIND_SLEEP, "the stretch with the suspend counts as a sleep break");

        /* Announced by logind: away from then on, as a sleep. */
        break_cycle_advance(&b, t + 240 * MIN);
        break_cycle_going_to_sleep(&b, t + 240 * MIN);
        CHECK(b.idle, "going to sleep means away");
        break_cycle_set_idle(&b, false, t + 251 * MIN);
        CHECK_INT(b.last_break_kind, BREAK_KIND_SLEEP, "an announced suspend counts as a sleep break");
        CHECK_INT(b.last_break, t + 251 * MIN, "counted at the wake");

        /* A break taken before the suspend ends during it. */
        break_cycle_take(&b, t + 300 * MIN);
        break_cycle_sleep(&b, t + 301 * MIN, t + 400 * MIN);
        CHECK_INT(b.phase, BREAK_WORKING, "the taken break ended while asleep");
        break_cycle_set_idle(&b, false, t + 400 * MIN);
        CHECK(break_cycle_take_welcome(&b), "welcome back after the wake");
}

static void test_configure(void) {
        BreakCycle b;
        BreakSettings off = standard, short_work = standard;
        int64_t t = 0;

        off.work = 0;
        short_work.work = 20 * MIN;

        break_cycle_init(&b, &off, t);
        CHECK_INT(b.phase, BREAK_OFF, "work = off: breaks off");
        CHECK_INT(break_cycle_next_event(&b), 0, "no timer when off");
        CHECK_INT(break_cycle_take(&b, t), -EALREADY, "no break to take when off");
        CHECK_INT(break_cycle_pause(&b, 0, t), -EALREADY, "nothing to pause when off");

        break_cycle_configure(&b, &standard, t + MIN);
        CHECK_INT(b.phase, BREAK_WORKING, "switched on: working");
        break_cycle_advance(&b, t + 31 * MIN);
        CHECK_INT(b.active, 30 * MIN, "counting");

        break_cycle_configure(&b, &short_work, t + 31 * MIN);
        CHECK_INT(b.phase, BREAK_DUE, "a shorter cycle than the work done: due at once");
        break_cycle_configure(&b, &standard, t + 31 * MIN);
        CHECK_INT(b.phase, BREAK_WORKING, "back to 50 min: not due");
        CHECK_INT(b.active, 30 * MIN, "the work so far is kept across a reload");

        break_cycle_advance(&b, t + 51 * MIN);
        break_cycle_postpone(&b, t + 51 * MIN);
        break_cycle_configure(&b, &short_work, t + 51 * MIN);
        CHECK_INT(b.due_at, 20 * MIN + 10 * MIN, "a postponement keeps its 10 min on the new length");

        break_cycle_configure(&b, &off, t + 52 * MIN);
        CHECK_INT(b.phase, BREAK_OFF, "switched off");

        /* The clock never runs backwards for the cycle. */
        break_cycle_init(&b, &standard, 1000);
        break_cycle_advance(&b, 900);
        CHECK_INT(b.active, 0, "an earlier time adds nothing");
        break_cycle_advance(&b, 1060);
        CHECK_INT(b.active, 60, "and counting resumes from the last time seen");

        CHECK_STR(break_phase_to_string(BREAK_DUE), "break-due", "phase names");
        CHECK_STR(break_kind_to_string(BREAK_KIND_SLEEP), "sleep", "kind names");
        CHECK(break_kind_to_string(BREAK_KIND_NONE) == NULL, "no kind: NULL");
}

static void test_store(void) {
        char dir[] = "/tmp/netctl-test-breaks.XXXXXX", path[256], err[512];
        Store *s = NULL;
        SelfCareState st;
        unsigned n = 99;
        int64_t id, next;

        if (!mkdtemp(dir)) {
                CHECK(false, "temp dir");
                return;
        }
        snprintf(path, sizeof path, "%s/netctl.db", dir);
        CHECK_INT(store_open(path, err, sizeof err, &s), 0, "open a fresh store");
        CHECK_INT(store_schema_version() >= 3, 1, "schema has the self-care table");

        CHECK_INT(store_selfcare_load(s, &st), 0, "load before anything was saved");
        CHECK(!st.paused && st.paused_until == 0 && st.winddown_day == 0 && st.pause_day == 0, "all zero");

        st = (SelfCareState) { .paused = true, .paused_until = 1800000000, .winddown_day = 20261125,
                               .pause_day = 20261124 };
        CHECK_INT(store_selfcare_save(s, &st), 0, "save");
        st.paused_until = 1;
        CHECK_INT(store_selfcare_save(s, &st), 0, "save again (update, not duplicate)");
        store_free(s);

        CHECK_INT(store_open(path, err, sizeof err, &s), 0, "reopen");
        SelfCareState back;
        CHECK_INT(store_selfcare_load(s, &back), 0, "load after a restart");
        CHECK(back.paused && back.paused_until == 1 && back.winddown_day == 20261125 && back.pause_day == 20261124,
              "the state survived the restart");

        /* Outreach: follow-ups done (and thank-yous), not the rest. */
        CHECK_INT(store_outreach_count(s, 0, 2000000000, &n), 0, "count on an empty day");
        CHECK_INT(n, 0, "nothing yet");
        store_followup_add(s, "Write to Ana", 1000, 0, false, 1000, &id);
        store_followup_done(s, id, 5000, &next);
        store_followup_add(s, "Write to Bo", 1000, 0, false, 1000, &id);
        store_followup_done(s, id, 9000, &next);
        store_followup_add(s, "Not done", 1000, 0, false, 1000, &id);
        CHECK_INT(store_outreach_count(s, 4000, 8000, &n), 0, "count a range");
        CHECK_INT(n, 1, "one done in the range");
        CHECK_INT(store_outreach_count(s, 0, 10000, &n), 0, "count the day");
        CHECK_INT(n, 2, "two done in the day");
        store_free(s);

        snprintf(path, sizeof path, "rm -rf '%s'", dir);
        CHECK_INT(system(path), 0, "clean up");
}

int main(void) {
        test_active_time_only();
        test_idle_counts_as_break();
        test_taken_break();
        test_later_and_skip();
        test_pause();
        test_sleep();
        test_configure();
        test_store();
        return tap_done();
}
