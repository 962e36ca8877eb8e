/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "context.h"
#include "watch.h"

int64_t context_now(const Context *c) {
        if (c && c->clock)
                return c->clock(c->clock_userdata);
        return (int64_t) time(NULL);
}

Context *context_free(Context *c) {
        if (!c)
                return NULL;

        /* The notifier first: its thread may still post events to the loop. */
        c->notifier = notifier_free(c->notifier);
        sd_event_source_disable_unref(c->due_timer);
        sd_event_source_disable_unref(c->window_timer);
        watch_free(c);
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
