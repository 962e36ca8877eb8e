/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "log.h"

#define PRODID "-//netctl//netctl " NETCTL_VERSION "//EN"

static icalcomponent *new_calendar(void) {
        icalcomponent *cal = icalcomponent_new_vcalendar();
        icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
        icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
        return cal;
}

static struct icaltimetype utc_time(int64_t t) {
        return icaltime_from_timet_with_zone((time_t) t, 0, icaltimezone_get_utc_timezone());
}

static icalcomponent *followup_to_vtodo(const Followup *f) {
        icalcomponent *todo = icalcomponent_new_vtodo();

        icalcomponent_add_property(todo, icalproperty_new_uid(f->uid));
        icalcomponent_add_property(todo, icalproperty_new_dtstamp(utc_time(f->modified)));
        icalcomponent_add_property(todo, icalproperty_new_created(utc_time(f->created)));
        icalcomponent_add_property(todo, icalproperty_new_lastmodified(utc_time(f->modified)));
        icalcomponent_add_property(todo, icalproperty_new_summary(f->text));
        icalcomponent_add_property(todo, icalproperty_new_due(utc_time(f->due)));
        if (f->done_at) {
                icalcomponent_add_property(todo, icalproperty_new_status(ICAL_STATUS_COMPLETED));
                icalcomponent_add_property(todo, icalproperty_new_completed(utc_time(f->done_at)));
                icalcomponent_add_property(todo, icalproperty_new_percentcomplete(100));
        } else
                icalcomponent_add_property(todo, icalproperty_new_status(ICAL_STATUS_NEEDSACTION));

        /* netctl plus the kind (followup, prep, thanks, reconnect), so other
         * clients can filter. */
        icalproperty *cat = icalproperty_new_categories("netctl");
        icalcomponent_add_property(todo, cat);
        icalcomponent_add_property(todo, icalproperty_new_categories(f->kind));
        if (f->contact) {
                icalproperty *x = icalproperty_new_x(f->contact);
                icalproperty_set_x_name(x, "X-NETCTL-CONTACT");
                icalcomponent_add_property(todo, x);
        }
        return todo;
}

typedef struct ExportState {
        sd_bus_message *reply;
        icalcomponent *single;          /* everything, when exporting one file */
        icalcomponent *group;           /* the VCALENDAR of the current UID */
        char *group_uid;
        int error;
} ExportState;

static int emit(ExportState *st, const char *uid, icalcomponent *cal) {
        char *text = icalcomponent_as_ical_string_r(cal);
        if (!text)
                return -ENOMEM;
        int r = sd_bus_message_append(st->reply, "(ss)", uid, text);
        free(text);
        return r;
}

static int export_followup(const Followup *f, void *userdata) {
        ExportState *st = userdata;
        icalcomponent *todo = followup_to_vtodo(f);

        if (st->single) {
                icalcomponent_add_component(st->single, todo);
                return 0;
        }
        icalcomponent *cal = new_calendar();
        icalcomponent_add_component(cal, todo);
        int r = emit(st, f->uid, cal);
        icalcomponent_free(cal);
        return r;
}

static bool has_timezone(icalcomponent *cal, const char *tzid) {
        for (icalcomponent *tz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT); tz;
             tz = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT)) {
                icalproperty *p = icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY);
                if (p && icalproperty_get_tzid(p) && strcmp(icalproperty_get_tzid(p), tzid) == 0)
                        return true;
        }
        return false;
}

/* Moves the VTIMEZONEs and VEVENTs of one stored object into `into`. */
static void merge_event(icalcomponent *into, const MeetingRow *m) {
        icalcomponent *parsed = icalparser_parse_string(m->ical);
        if (!parsed)
                return;

        icalcomponent *c;
        while ((c = icalcomponent_get_first_component(parsed, ICAL_VTIMEZONE_COMPONENT))) {
                icalcomponent_remove_component(parsed, c);
                icalproperty *p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
                const char *tzid = p ? icalproperty_get_tzid(p) : NULL;
                if (tzid && !has_timezone(into, tzid))
                        icalcomponent_add_component(into, c);
                else
                        icalcomponent_free(c);
        }
        while ((c = icalcomponent_get_first_component(parsed, ICAL_VEVENT_COMPONENT))) {
                icalcomponent_remove_component(parsed, c);
                /* A cancellation may have come as METHOD:CANCEL alone. */
                if (m->cancelled)
                        icalcomponent_set_status(c, ICAL_STATUS_CANCELLED);
                icalcomponent_add_component(into, c);
        }
        icalcomponent_free(parsed);
}

static int flush_group(ExportState *st) {
        int r = 0;
        if (st->group) {
                r = emit(st, st->group_uid, st->group);
                icalcomponent_free(st->group);
                st->group = NULL;
        }
        free(st->group_uid);
        st->group_uid = NULL;
        return r;
}

static int export_meeting(const MeetingRow *m, void *userdata) {
        ExportState *st = userdata;

        if (st->single) {
                merge_event(st->single, m);
                return 0;
        }
        if (!st->group_uid || strcmp(st->group_uid, m->uid) != 0) {
                int r = flush_group(st);
                if (r < 0)
                        return r;
                st->group = new_calendar();
                st->group_uid = strdup(m->uid);
                if (!st->group_uid)
                        return -ENOMEM;
        }
        merge_event(st->group, m);
        return 0;
}

int export_append(Context *c, sd_bus_message *reply, bool todos, bool events, bool single) {
        ExportState st = { .reply = reply };
        int r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(ss)");
        if (r < 0)
                return r;
        if (single)
                st.single = new_calendar();

        if (todos) {
                r = store_followup_list(c->store, INT64_MIN, INT64_MAX, FOLLOWUP_ANY, export_followup, &st);
                if (r < 0)
                        goto out;
        }
        if (events) {
                r = store_meetings_each(c->store, export_meeting, &st);
                if (r < 0)
                        goto out;
                r = flush_group(&st);
                if (r < 0)
                        goto out;
        }
        if (st.single) {
                r = emit(&st, "", st.single);
                if (r < 0)
                        goto out;
        }
        r = sd_bus_message_close_container(reply);
out:
        if (st.single)
                icalcomponent_free(st.single);
        if (st.group)
                icalcomponent_free(st.group);
        free(st.group_uid);
        return r;
}
