/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "notifier.h"
#include "store.h"

typedef struct Attention Attention;
typedef struct Direct Direct;
typedef struct RowStream RowStream;
typedef struct SelfCare SelfCare;
typedef struct Sync Sync;

/* The daemon's one context: it owns the event loop, the bus, the store and
 * all state, and is the userdata of every bus vtable.  context_free() works
 * on a half-built context. */
typedef struct Context {
        sd_event *event;
        sd_bus *bus;
        Direct *direct;         /* the direct socket and its connections */
        Store *store;
        Notifier *notifier;

        char *database_path;
        char *config_path;
        Config config;
        char config_error[512];  /* why the last (re)load failed; "" if it did not */
        uid_t uid;              /* callers with another UID are refused */
        /* The last callers' UIDs as the bus told them (bus.c): a unique name
         * is never reused on a bus and a connection's credentials are fixed
         * when it connects, so one lookup per connection is enough. */
        struct {
                char name[32];
                uid_t euid;
        } callers[8];
        unsigned callers_next;

        /* The one timer: armed, as an absolute CLOCK_REALTIME time, for the
         * earliest pending reminder; disabled when nothing is pending. */
        sd_event_source *due_timer;
        int64_t next_due;       /* what the timer is armed for; 0 if nothing */
        int64_t next_due_id;

        /* No notification server took the last reminder: reminders stay
         * pending until one appears on the bus, or until this time, when
         * delivery is tried again (a server that hung may have recovered
         * without leaving the bus).  0 when delivery is possible. */
        int64_t notifications_blocked_until;

        /* Watched calendar directories (watch.c); index 0 is the inbox. */
        char *watch_dirs[1 + CONFIG_MAX_WATCH];
        sd_event_source *watch_sources[1 + CONFIG_MAX_WATCH];
        size_t n_watch;
        sd_event_source *watch_scan;

        /* Moves the window of expanded meeting occurrences once a day. */
        sd_event_source *window_timer;

        /* The local zone the stored all-day and floating meetings were
         * expanded in ("CET/CEST/-3600/1"); see calendar_check_zone(). */
        char zone_signature[96];
        sd_event_source *zone_watch;    /* inotify on /etc for "localtime" */

        /* The weekly goals nudge (goals.c). */
        sd_event_source *goals_timer;

        /* Gives freed memory back after a large request (see
         * context_release_memory_later()). */
        sd_event_source *release_memory;

        /* Copies the database's write-ahead log into it after a batch
         * (see store_set_checkpoint_later()). */
        sd_event_source *checkpoint;

        /* Quiet rules, the notification server's pause and digests in
         * flight (attention.c); breaks, wind-down and the pause suggestion
         * (selfcare.c). */
        Attention *attention;
        SelfCare *selfcare;

        /* Two-way sync with the [sync] vdirs (sync.c). */
        Sync *sync;

        /* ListStream lists still being written to slow readers
         * (row-stream.c). */
        RowStream *streams;
        unsigned n_streams;

        /* The clock.  NULL means the real wall clock; unit tests install
         * their own to drive the schedule through jumps and suspends. */
        int64_t (*clock)(void *userdata);
        void *clock_userdata;
} Context;

Context *context_free(Context *c);

/* (Re)reads the config file.  On error the config in force stays, the
 * reason is kept in c->config_error and returned as negative errno. */
int context_load_config(Context *c);

/* The current time, Unix seconds.  Everything in the daemon that needs
 * "now" asks here (see Context.clock). */
int64_t context_now(const Context *c);

/* After a request that built megabytes and freed them (an import, a long
 * listing): once the loop is idle, malloc gives its free memory back to
 * the system.  Otherwise the daemon keeps its peak (140 MB after a
 * 10,000-event import) for reuse that may never come. */
void context_release_memory_later(Context *c);
/* The store's `later` (store_set_checkpoint_later()): a checkpoint once
 * the loop is idle, after the reply. */
void context_checkpoint_later(void *userdata);
/* What counts as large for that: a 1 MiB request leaves several times
 * that behind once parsed. */
#define LARGE_REQUEST_BYTES (1024 * 1024)

/* The same, in microseconds (a fake Context.clock gives whole seconds). */
uint64_t context_now_usec(const Context *c);
