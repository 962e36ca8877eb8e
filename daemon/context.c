/* SPDX-License-Identifier: MIT */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "attention.h"
#include "bus-direct.h"
#include "row-stream.h"
#include "context.h"
#include "log.h"
#include "selfcare.h"
#include "store.h"
#include "sync.h"
#include "watch.h"

int64_t context_now(const Context *c) {
        /* "Now" comes with the zone it is read in.  glibc's localtime_r()
         * reads the zone once; tzset() follows a changed /etc/localtime
         * (timedatectl set-timezone) at the cost of a stat(), so local-time
         * texts and "tomorrow 09:00" follow the user's new zone without a
         * restart. */
        tzset();
        if (c && c->clock)
                return c->clock(c->clock_userdata);
        /* Not time(): on Linux it reads the coarse clock, which lags by up
         * to a scheduler tick (4 ms at HZ=250), so the due timer firing at
         * hh:mm:ss.000 would find nothing due yet and spin, re-armed for a
         * time already past, until the tick.  clock_gettime() reads the
         * precise clock, through the vDSO as cheaply. */
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return (int64_t) time(NULL);
        return (int64_t) ts.tv_sec;
}

uint64_t context_now_usec(const Context *c) {
        if (c && c->clock)
                return (uint64_t) context_now(c) * 1000000ULL;
        tzset();
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return (uint64_t) time(NULL) * 1000000ULL;
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

static int on_release_memory(sd_event_source *s, void *userdata) {
        (void) malloc_trim(0);
        return 0;
}

void context_release_memory_later(Context *c) {
        if (!c->event)
                return;
        if (!c->release_memory) {
                if (sd_event_add_defer(c->event, &c->release_memory, on_release_memory, c) < 0)
                        return;
                (void) sd_event_source_set_description(c->release_memory, "release-memory");
                /* After the reply is out and the request message freed. */
                (void) sd_event_source_set_priority(c->release_memory, SD_EVENT_PRIORITY_IDLE);
        }
        (void) sd_event_source_set_enabled(c->release_memory, SD_EVENT_ONESHOT);
}

static int on_checkpoint(sd_event_source *s, void *userdata) {
        Context *c = userdata;
        int r = store_checkpoint(c->store);
        if (r < 0)
                /* The data is safe in the log; the next one tries again. */
                log_warning_errno(r, "Cannot checkpoint the database: %s", store_last_error(c->store));
        return 0;
}

void context_checkpoint_later(void *userdata) {
        Context *c = userdata;
        if (!c->checkpoint) {
                /* No loop to wait for: now, as SQLite would have. */
                if (!c->event || sd_event_add_defer(c->event, &c->checkpoint, on_checkpoint, c) < 0) {
                        (void) on_checkpoint(NULL, c);
                        return;
                }
                (void) sd_event_source_set_description(c->checkpoint, "checkpoint");
                (void) sd_event_source_set_priority(c->checkpoint, SD_EVENT_PRIORITY_IDLE);
        }
        (void) sd_event_source_set_enabled(c->checkpoint, SD_EVENT_ONESHOT);
}

Context *context_free(Context *c) {
        if (!c)
                return NULL;

        /* The notifier first: its thread may still post events to the loop. */
        c->notifier = notifier_free(c->notifier);
        sd_event_source_disable_unref(c->due_timer);
        sd_event_source_disable_unref(c->window_timer);
        sd_event_source_disable_unref(c->goals_timer);
        sd_event_source_disable_unref(c->release_memory);
        sd_event_source_disable_unref(c->checkpoint);
        /* Before the bus: both hold slots on it. */
        c->selfcare = selfcare_free(c->selfcare);
        c->attention = attention_free(c->attention);
        watch_free(c);
        c->sync = sync_free(c->sync);
        /* The socket goes before the bus name, which a next netctld waits
         * for before it binds its own. */
        c->direct = bus_direct_free(c->direct);
        row_streams_free(c);
        sd_bus_flush_close_unref(c->bus);
        store_free(c->store);
        sd_event_unref(c->event);
        free(c->database_path);
        free(c->config_path);
        config_clear(&c->config);
        free(c);
        return NULL;
}

int context_load_config(Context *c) {
        Config fresh;
        int r;

        if (!c->config_path)
                return 0;
        r = config_load(c->config_path, &fresh, c->config_error, sizeof c->config_error);
        if (r < 0)
                return r;
        config_clear(&c->config);
        c->config = fresh;
        c->config_error[0] = '\0';
        return 0;
}
