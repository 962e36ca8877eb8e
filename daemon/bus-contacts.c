/* SPDX-License-Identifier: MIT */
/* org.netctl.Netctl1.Contacts: people: contacts, interactions, suggestions,
 * statistics and vCard import.  Every argument is checked here, before
 * anything reaches the store. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bus-contacts.h"
#include "bus-names.h"
#include "bus.h"
#include "log.h"
#include "people.h"
#include "schedule.h"
#include "selfcare.h"
#include "sync.h"
#include "text.h"
#include "timeparse.h"
#include "vcard.h"

/* Instants beyond the year 9999 cannot be shown or exported. */
#define INSTANT_MAX 253402300799LL
/* A logged interaction may be this far in the future (clocks of client
 * and daemon differ a little; the client sends what it parsed). */
#define LOG_FUTURE_SLACK 300
#define WHO_MAX 512
#define EMAIL_MAX 254
#define SUGGEST_DEFAULT 5
#define INTERACTIONS_DEFAULT 1000

/* ---- helpers ---- */

int64_t contacts_weak_cadence(const Context *c) {
        int64_t v = c->config.weak_cadence;
        return v >= PEOPLE_CADENCE_MIN && v <= DURATION_MAX_SECONDS ? v : PEOPLE_DEFAULT_WEAK_CADENCE;
}

void contacts_emit_changed(Context *c, int64_t id, const char *change) {
        /* The [sync] contacts vdir follows every committed change. */
        sync_note_contact(c, change);
        if (!c->bus)
                return;
        (void) sd_bus_emit_signal(c->bus, NETCTL_OBJECT_PATH, NETCTL_IFACE_CONTACTS, "Changed",
                                  "ts", (uint64_t) id, change);
        /* A logged interaction counts toward the day's outreach. */
        selfcare_note_change(c, change);
}

void contacts_reconnect_changed(Context *c, const ReconnectChange *ch) {
        if (!ch || (ch->withdrawn_id == 0 && ch->scheduled_id == 0))
                return;
        if (ch->withdrawn_id)
                schedule_withdraw(c, ch->withdrawn_id);
        (void) schedule_arm_next(c);
        if (ch->withdrawn_id && ch->withdrawn_id != ch->scheduled_id)
                bus_emit_changed(c, ch->withdrawn_id, ch->withdrawn_deleted ? "removed" : "done");
        if (ch->scheduled_id)
                bus_emit_changed(c, ch->scheduled_id, ch->scheduled_new ? "added" : "edited");
}


static int store_failure(Context *c, sd_bus_error *error, int r) {
        if (r == -ENOSPC)
                return bus_error_errno(error, r, "The disk is full; nothing was changed.");
        if (r == -EBUSY)
                return bus_error_errno(error, r, "The database is locked by another program; try again.");
        if (r == -ENOMEM)
                return bus_error_errno(error, r, "Out of memory.");
        const char *why = store_last_error(c->store);
        if (!why[0])
                return bus_error_errno(error, r, "The request failed (%s).", strerror(-r));
        /* Sentences from the store start in lower case, with a word of
         * their own: never with a name or an address, which must not be
         * changed here. */
        char first = why[0] >= 'a' && why[0] <= 'z' ? (char) (why[0] - 'a' + 'A') : why[0];
        return bus_error_errno(error, r, "%c%s.", first, why + 1);
}

static int check_line(const char *what, const char *value, size_t max, bool allow_empty,
                      sd_bus_error *error) {
        const char *reason;
        int r = text_check_line(value, max, allow_empty, &reason);
        if (r == -E2BIG)
                return bus_error_errno(error, r, "The %s is longer than %zu bytes.", what, max);
        if (r < 0)
                return bus_error_errno(error, r, "Invalid %s: %s.", what, reason);
        return 0;
}

static int check_note(const char *what, const char *value, sd_bus_error *error) {
        const char *reason;
        int r = text_check_multiline(value, NETCTL_NOTE_MAX, &reason);
        if (r == -E2BIG)
                return bus_error_errno(error, r, "The %s is longer than %d bytes.", what, NETCTL_NOTE_MAX);
        if (r < 0)
                return bus_error_errno(error, r, "Invalid %s: %s.", what, reason);
        return 0;
}

static int check_email(const char *email, sd_bus_error *error) {
        char buf[128];
        if (strlen(email) > EMAIL_MAX || !utf8_valid(email, strlen(email)) ||
            !vcard_email_is_valid(email))
                return bus_error_errno(error, -EINVAL, "\"%s\" is not an e-mail address netctl accepts "
                                       "(local@domain).", bus_cut(email, 100, buf, sizeof buf));
        return 0;
}

static int check_tag(const char *tag, sd_bus_error *error) {
        const char *reason;
        char buf[80];
        int r = people_tag_check(tag, &reason);
        if (r == -E2BIG)
                return bus_error_errno(error, r, "The tag \"%s...\" is longer than %d bytes.",
                                       bus_cut(tag, 40, buf, sizeof buf), PEOPLE_TAG_MAX);
        if (r < 0)
                return bus_error_errno(error, r, "Invalid tag: %s.", reason);
        return 0;
}

static int check_handle(const char *handle, sd_bus_error *error) {
        const char *reason;
        if (people_handle_check(handle, &reason) < 0)
                return bus_error_errno(error, -EINVAL, "Invalid handle: %s.", reason);
        return 0;
}

static int check_cadence(int64_t cadence, sd_bus_error *error) {
        if (cadence == PEOPLE_CADENCE_DEFAULT || cadence == PEOPLE_CADENCE_OFF)
                return 0;
        if (cadence < PEOPLE_CADENCE_MIN || cadence > DURATION_MAX_SECONDS)
                return bus_error_errno(error, -ERANGE, "The keep-in-touch cadence must be between "
                                       "a day and ten years (or 0 for the default, -1 for none).");
        return 0;
}

static int parse_tie(const char *tie, int *ret_strong, sd_bus_error *error) {
        char buf[40];
        if (strcmp(tie, "weak") == 0)
                *ret_strong = 0;
        else if (strcmp(tie, "strong") == 0)
                *ret_strong = 1;
        else
                return bus_error_errno(error, -EINVAL, "Unknown tie \"%s\"; expected weak or strong.",
                                       bus_cut(tie, 32, buf, sizeof buf));
        return 0;
}

int contacts_resolve(Context *c, const char *who, int64_t *ret_id, sd_bus_error *error) {
        int r = check_line("contact", who, WHO_MAX, false, error);
        if (r < 0)
                return r;
        r = store_contact_resolve(c->store, who, ret_id);
        if (r < 0)
                return store_failure(c, error, r);
        return 0;
}

/* ---- a{sv} options ---- */

static void strv_free(char **l) {
        if (!l)
                return;
        for (char **p = l; *p; p++)
                free(*p);
        free(l);
}

static size_t strv_length(char **l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

/* Reads an "as" option of at most max items into a new list (replacing
 * *ret, which is freed). */
static int option_strv(sd_bus_message *m, const char *key, size_t max, char ***ret, sd_bus_error *error) {
        char **l = NULL, buf[80];
        int r = bus_option_type(m, key, "as", error);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, "as");
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0) {
                strv_free(l);
                return r;
        }
        if (strv_length(l) > max) {
                strv_free(l);
                return bus_error_errno(error, -E2BIG, "Option \"%s\" holds more than %zu items.",
                                       bus_cut(key, 64, buf, sizeof buf), max);
        }
        strv_free(*ret);
        *ret = l;
        return 0;
}

typedef struct ContactOptions {
        ContactChanges changes;
        char **emails, **remove_emails, **tags, **remove_tags;
} ContactOptions;

static void contact_options_done(ContactOptions *o) {
        strv_free(o->emails);
        strv_free(o->remove_emails);
        strv_free(o->tags);
        strv_free(o->remove_tags);
}

typedef struct ContactOptionsReader {
        bool editing;           /* Edit's changes, not Add's options */
        ContactOptions *options;
} ContactOptionsReader;

static int read_contact_option(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        ContactOptionsReader *rd = userdata;
        ContactOptions *o = rd->options;
        ContactChanges *ch = &o->changes;
        bool editing = rd->editing;
        int r;

        if (editing && strcmp(key, "name") == 0) {
                r = bus_option_string(m, key, &ch->name, error);
                if (r >= 0)
                        r = check_line("name", ch->name, NETCTL_NAME_MAX, false, error);
        } else if (strcmp(key, "handle") == 0) {
                r = bus_option_string(m, key, &ch->handle, error);
                if (r >= 0)
                        r = check_handle(ch->handle, error);
        } else if (strcmp(key, "org") == 0) {
                r = bus_option_string(m, key, &ch->org, error);
                if (r >= 0)
                        r = check_line("organisation", ch->org, NETCTL_NAME_MAX, true, error);
        } else if (strcmp(key, "met") == 0) {
                r = bus_option_string(m, key, &ch->met, error);
                if (r >= 0)
                        r = check_line("\"met\" text", ch->met, NETCTL_TEXT_MAX, true, error);
        } else if (strcmp(key, "note") == 0) {
                r = bus_option_string(m, key, &ch->note, error);
                if (r >= 0)
                        r = check_note("note", ch->note, error);
        } else if (strcmp(key, "tie") == 0) {
                const char *tie;
                r = bus_option_string(m, key, &tie, error);
                if (r >= 0)
                        r = parse_tie(tie, &ch->strong, error);
        } else if (strcmp(key, "cadence") == 0) {
                r = bus_option_int64(m, key, &ch->cadence, error);
                if (r >= 0)
                        r = check_cadence(ch->cadence, error);
        } else if (editing && strcmp(key, "archived") == 0) {
                int archived;
                r = bus_option_bool(m, key, &archived, error);
                ch->archived = !!archived;
        } else if ((!editing && strcmp(key, "emails") == 0) ||
                   (editing && strcmp(key, "add_emails") == 0)) {
                r = option_strv(m, key, PEOPLE_EMAILS_MAX, &o->emails, error);
                for (size_t i = 0; r >= 0 && o->emails[i]; i++)
                        r = check_email(o->emails[i], error);
        } else if (editing && strcmp(key, "remove_emails") == 0) {
                r = option_strv(m, key, PEOPLE_EMAILS_MAX, &o->remove_emails, error);
                for (size_t i = 0; r >= 0 && o->remove_emails[i]; i++)
                        r = check_line("e-mail", o->remove_emails[i], EMAIL_MAX, false, error);
        } else if ((!editing && strcmp(key, "tags") == 0) ||
                   (editing && strcmp(key, "add_tags") == 0)) {
                r = option_strv(m, key, PEOPLE_TAGS_MAX, &o->tags, error);
                for (size_t i = 0; r >= 0 && o->tags[i]; i++)
                        r = check_tag(o->tags[i], error);
        } else if (editing && strcmp(key, "remove_tags") == 0) {
                r = option_strv(m, key, PEOPLE_TAGS_MAX, &o->remove_tags, error);
                for (size_t i = 0; r >= 0 && o->remove_tags[i]; i++)
                        r = check_tag(o->remove_tags[i], error);
        } else
                return BUS_OPTION_UNKNOWN;
        return r < 0 ? r : 0;
}

/* Reads and checks the options of Add (editing false) or the changes of
 * Edit (editing true). */
static int read_contact_options(sd_bus_message *m, bool editing, ContactOptions *o, sd_bus_error *error) {
        ContactOptionsReader rd = { .editing = editing, .options = o };
        ContactChanges *ch = &o->changes;
        int r = bus_read_options(m, "option", read_contact_option, &rd, error);
        if (r < 0)
                return r;

        ch->add_emails = (const char *const *) o->emails;
        ch->n_add_emails = strv_length(o->emails);
        ch->remove_emails = (const char *const *) o->remove_emails;
        ch->n_remove_emails = strv_length(o->remove_emails);
        ch->add_tags = (const char *const *) o->tags;
        ch->n_add_tags = strv_length(o->tags);
        ch->remove_tags = (const char *const *) o->remove_tags;
        ch->n_remove_tags = strv_length(o->remove_tags);
        return 0;
}

/* ---- replies ---- */

static int append_strv(sd_bus_message *reply, char **v, size_t n) {
        int r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "s");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "s", v[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int append_contact(sd_bus_message *reply, const Contact *ct, int64_t weak_cadence) {
        int64_t effective = ct->archived_at ? 0 :
                people_effective_cadence(ct->strong, ct->cadence, weak_cadence);
        int r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_STRUCT, "tsssssssxtasasxxxsuuuuxt");
        if (r >= 0)
                r = sd_bus_message_append(reply, "tsssssssxt", (uint64_t) ct->id, ct->uid, ct->handle,
                                          ct->name, ct->org ? ct->org : "", ct->met ? ct->met : "",
                                          ct->note ? ct->note : "", ct->strong ? "strong" : "weak",
                                          ct->cadence, (uint64_t) effective);
        if (r >= 0)
                r = append_strv(reply, ct->emails, ct->n_emails);
        if (r >= 0)
                r = append_strv(reply, ct->tags, ct->n_tags);
        if (r >= 0)
                r = sd_bus_message_append(reply, "xxxsuuuuxt", ct->created, ct->archived_at, ct->last_at,
                                          ct->last_kind ? ct->last_kind : "", ct->n_interactions,
                                          ct->n_leads, ct->n_gave, ct->n_got, ct->reconnect_due,
                                          (uint64_t) ct->reconnect_id);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

/* ---- methods ---- */

static int method_add(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(contact_clear) Contact ct = {};
        ContactOptions o = { .changes = CONTACT_CHANGES_NONE };
        ReconnectChange change = {};
        Context *c = userdata;
        const char *name;
        int64_t id;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = check_line("name", name, NETCTL_NAME_MAX, false, error);
        if (r < 0)
                return r;
        r = read_contact_options(m, false, &o, error);
        if (r < 0)
                goto out;
        o.changes.name = name;

        r = store_contact_add(c->store, &o.changes, contacts_weak_cadence(c), context_now(c), &id, &change);
        if (r < 0) {
                r = store_failure(c, error, r);
                goto out;
        }
        r = store_contact_get(c->store, id, &ct);
        if (r < 0) {
                r = store_failure(c, error, r);
                goto out;
        }

        log_debug("Added contact #%" PRId64 " (%s)", id, ct.handle);
        contacts_reconnect_changed(c, &change);
        contacts_emit_changed(c, id, "added");
        r = sd_bus_reply_method_return(m, "ts", (uint64_t) id, ct.handle);
out:
        contact_options_done(&o);
        return r;
}

/* A method's leading WHO argument (id, handle, e-mail or name prefix),
 * after the caller: the contact's id, or a named error (NotFound,
 * Ambiguous listing the candidates). */
static int read_who(sd_bus_message *m, Context *c, int64_t *ret_id, sd_bus_error *error) {
        const char *who;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &who);
        if (r < 0)
                return r;
        return contacts_resolve(c, who, ret_id, error);
}

static int method_get(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(contact_clear) Contact ct = {};
        Context *c = userdata;
        int64_t id;
        int r;

        r = read_who(m, c, &id, error);
        if (r < 0)
                return r;
        r = store_contact_get(c->store, id, &ct);
        if (r < 0)
                return store_failure(c, error, r);

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = append_contact(reply, &ct, contacts_weak_cadence(c));
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_resolve(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(contact_clear) Contact ct = {};
        Context *c = userdata;
        int64_t id;
        int r;

        r = read_who(m, c, &id, error);
        if (r < 0)
                return r;
        r = store_contact_get(c->store, id, &ct);
        if (r < 0)
                return store_failure(c, error, r);
        return sd_bus_reply_method_return(m, "tss", (uint64_t) id, ct.handle, ct.name);
}

typedef struct AppendContext {
        sd_bus_message *reply;
        int64_t weak_cadence;
} AppendContext;

static int append_contact_cb(const Contact *ct, void *userdata) {
        AppendContext *a = userdata;
        return append_contact(a->reply, ct, a->weak_cadence);
}

static int read_contact_filter(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        ContactFilter *filter = userdata;
        int r;

        if (strcmp(key, "tie") == 0) {
                const char *tie;
                r = bus_option_string(m, key, &tie, error);
                if (r >= 0)
                        r = parse_tie(tie, &filter->strong, error);
        } else if (strcmp(key, "tag") == 0) {
                r = bus_option_string(m, key, &filter->tag, error);
                if (r >= 0)
                        r = check_tag(filter->tag, error);
        } else if (strcmp(key, "archived") == 0) {
                int archived;
                r = bus_option_bool(m, key, &archived, error);
                filter->include_archived = archived;
        } else
                return BUS_OPTION_UNKNOWN;
        return r < 0 ? r : 0;
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        ContactFilter filter = { .strong = -1 };
        Context *c = userdata;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;

        r = bus_read_options(m, "filter", read_contact_filter, &filter, error);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_CONTACT_SIG);
        if (r < 0)
                return r;
        AppendContext a = { .reply = reply, .weak_cadence = contacts_weak_cadence(c) };
        r = store_contact_list(c->store, &filter, append_contact_cb, &a);
        if (r < 0)
                return store_failure(c, error, r);
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_edit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(contact_clear) Contact ct = {};
        ContactOptions o = { .changes = CONTACT_CHANGES_NONE };
        ReconnectChange change = {};
        Context *c = userdata;
        int64_t id;
        int r;

        r = read_who(m, c, &id, error);
        if (r < 0)
                return r;
        r = read_contact_options(m, true, &o, error);
        if (r < 0)
                goto out;

        r = store_contact_edit(c->store, id, &o.changes, contacts_weak_cadence(c), context_now(c), &change);
        if (r < 0) {
                r = store_failure(c, error, r);
                goto out;
        }
        r = store_contact_get(c->store, id, &ct);
        if (r < 0) {
                r = store_failure(c, error, r);
                goto out;
        }

        contacts_reconnect_changed(c, &change);
        contacts_emit_changed(c, id, o.changes.archived == 1 ? "archived" : "edited");
        r = sd_bus_reply_method_return(m, "s", ct.handle);
out:
        contact_options_done(&o);
        return r;
}

typedef struct RemoveOptions {
        int force, archive;
} RemoveOptions;

static int read_remove_option(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        RemoveOptions *o = userdata;

        if (strcmp(key, "force") == 0)
                return bus_option_bool(m, key, &o->force, error);
        if (strcmp(key, "archive") == 0)
                return bus_option_bool(m, key, &o->archive, error);
        return BUS_OPTION_UNKNOWN;
}

static int method_remove(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ReconnectChange change = {};
        RemoveOptions o = {};
        Context *c = userdata;
        unsigned deleted = 0;
        int64_t id;
        int r;

        r = read_who(m, c, &id, error);
        if (r < 0)
                return r;
        r = bus_read_options(m, "option", read_remove_option, &o, error);
        if (r < 0)
                return r;
        if (o.force && o.archive)
                return bus_error_errno(error, -EINVAL, "Give either force or archive, not both.");

        ContactRemoveMode mode = o.archive ? CONTACT_REMOVE_ARCHIVE :
                                 o.force ? CONTACT_REMOVE_FORCE : CONTACT_REMOVE;
        r = store_contact_remove(c->store, id, mode, context_now(c), &deleted, &change);
        if (r < 0)
                return store_failure(c, error, r);

        const char *outcome = o.archive ? "archived" : "removed";
        contacts_reconnect_changed(c, &change);
        contacts_emit_changed(c, id, outcome);
        return sd_bus_reply_method_return(m, "su", outcome, deleted);
}

typedef struct LogOptions {
        InteractionNew *in;
        int lead;
} LogOptions;

static int read_log_option(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        LogOptions *o = userdata;
        InteractionNew *in = o->in;
        int r;

        if (strcmp(key, "gave") == 0) {
                r = bus_option_string(m, key, &in->gave, error);
                if (r >= 0)
                        r = check_line("\"gave\" text", in->gave, NETCTL_TEXT_MAX, true, error);
        } else if (strcmp(key, "got") == 0) {
                r = bus_option_string(m, key, &in->got, error);
                if (r >= 0)
                        r = check_line("\"got\" text", in->got, NETCTL_TEXT_MAX, true, error);
        } else if (strcmp(key, "note") == 0) {
                r = bus_option_string(m, key, &in->note, error);
                if (r >= 0)
                        r = check_note("note", in->note, error);
        } else if (strcmp(key, "lead") == 0)
                r = bus_option_bool(m, key, &o->lead, error);
        else
                return BUS_OPTION_UNKNOWN;
        return r < 0 ? r : 0;
}

static int method_log(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ReconnectChange change = {};
        InteractionNew in = {};
        Context *c = userdata;
        int64_t id, contact_id, now = context_now(c);
        const char *who, *kind;
        char buf[80];
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "ssx", &who, &kind, &in.at);
        if (r < 0)
                return r;
        if (kind[0] == '\0')
                kind = PEOPLE_KIND_DEFAULT;
        if (!people_kind_valid(kind))
                return bus_error_errno(error, -EINVAL, "Unknown kind \"%s\"; expected coffee, call, "
                                       "email, message, meeting, event or intro.",
                                       bus_cut(kind, 32, buf, sizeof buf));
        in.kind = kind;
        if (in.at == 0)
                in.at = now;
        if (in.at < 0 || in.at > INSTANT_MAX)
                return bus_error_errno(error, -ERANGE, "The time %" PRId64 " is out of range.", in.at);
        if (in.at > now + LOG_FUTURE_SLACK)
                return bus_error_errno(error, -ERANGE, "An interaction is logged once it happened; "
                                       "that time is in the future (plan it with netctl add).");

        LogOptions o = { .in = &in };
        r = bus_read_options(m, "option", read_log_option, &o, error);
        if (r < 0)
                return r;
        in.lead = o.lead || people_got_is_lead(in.got);

        /* Resolve last: a bad argument is reported before a bad WHO is
         * looked up, and nothing is resolved for a request that fails. */
        r = contacts_resolve(c, who, &contact_id, error);
        if (r < 0)
                return r;

        r = store_interaction_add(c->store, contact_id, &in, contacts_weak_cadence(c), now, &id, &change);
        if (r < 0)
                return store_failure(c, error, r);

        log_debug("Logged interaction #%" PRId64 " with contact #%" PRId64, id, contact_id);
        contacts_reconnect_changed(c, &change);
        contacts_emit_changed(c, contact_id, "logged");
        return sd_bus_reply_method_return(m, "t", (uint64_t) id);
}

static int append_interaction_cb(const Interaction *i, void *userdata) {
        return sd_bus_message_append(userdata, NETCTL_INTERACTION_SIG, (uint64_t) i->id,
                                     (uint64_t) i->contact_id, i->handle, i->name, i->kind, i->at,
                                     i->gave ? i->gave : "", i->got ? i->got : "",
                                     i->note ? i->note : "", (int) i->lead, i->created);
}

static int method_list_interactions(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Context *c = userdata;
        int64_t contact_id = 0;
        const char *who;
        uint32_t limit;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "su", &who, &limit);
        if (r < 0)
                return r;
        if (limit > PEOPLE_LIST_LIMIT_MAX)
                return bus_error_errno(error, -ERANGE, "At most %d interactions at a time.",
                                       PEOPLE_LIST_LIMIT_MAX);
        if (limit == 0)
                limit = INTERACTIONS_DEFAULT;
        if (who[0]) {
                r = contacts_resolve(c, who, &contact_id, error);
                if (r < 0)
                        return r;
        }

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_INTERACTION_SIG);
        if (r < 0)
                return r;
        r = store_interaction_list(c->store, contact_id, limit, append_interaction_cb, reply);
        if (r < 0)
                return store_failure(c, error, r);
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_remove_interaction(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ReconnectChange change = {};
        Context *c = userdata;
        uint64_t id;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return r;
        if (id == 0 || id > INT64_MAX)
                return bus_error_errno(error, -ENOENT, "No interaction with id %" PRIu64 ".", id);

        r = store_interaction_remove(c->store, (int64_t) id, contacts_weak_cadence(c), context_now(c),
                                     &change);
        if (r < 0)
                return store_failure(c, error, r);
        contacts_reconnect_changed(c, &change);
        contacts_emit_changed(c, 0, "unlogged");
        return sd_bus_reply_method_return(m, NULL);
}

/* ---- suggestions ---- */

typedef struct SuggestList {
        PeopleCandidate *items;
        size_t n, allocated;
        int64_t weak_cadence;
} SuggestList;

static void suggest_list_done(SuggestList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].userdata);     /* the handle */
                free((char *) l->items[i].history.name);
                free((char *) l->items[i].history.met);
                free((char *) l->items[i].history.last_kind);
        }
        free(l->items);
}

static int collect_candidate_cb(const Contact *ct, void *userdata) {
        SuggestList *l = userdata;

        if (l->n == l->allocated) {
                size_t grow = l->allocated ? l->allocated * 2 : 64;
                PeopleCandidate *bigger = realloc(l->items, grow * sizeof *bigger);
                if (!bigger)
                        return -ENOMEM;
                l->items = bigger;
                l->allocated = grow;
        }
        int64_t cadence = people_effective_cadence(ct->strong, ct->cadence, l->weak_cadence);
        PeopleCandidate *p = &l->items[l->n];
        *p = (PeopleCandidate) {
                .id = ct->id,
                .strong = ct->strong,
                .never = ct->n_interactions == 0,
                .due = people_reconnect_due(people_cadence_base(ct->created, ct->cadence_from, ct->last_at),
                                            cadence),
                .created = ct->created,
                .effective_cadence = cadence,
                .history = {
                        .name = strdup(ct->name),
                        .met = ct->met ? strdup(ct->met) : NULL,
                        .created = ct->created,
                        .last_at = ct->last_at,
                        .last_kind = ct->last_kind ? strdup(ct->last_kind) : NULL,
                        .n_leads = ct->n_leads,
                        .n_gave = ct->n_gave,
                        .n_got = ct->n_got,
                },
                .userdata = strdup(ct->handle),
        };
        l->n++;
        if (!p->history.name || !p->userdata || (ct->met && !p->history.met) ||
            (ct->last_kind && !p->history.last_kind))
                return -ENOMEM;
        return 0;
}

static int method_suggest(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        ContactFilter filter = { .strong = -1 };
        Context *c = userdata;
        SuggestList l = { .weak_cadence = contacts_weak_cadence(c) };
        int64_t now = context_now(c);
        uint32_t count;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &count);
        if (r < 0)
                return r;
        if (count > PEOPLE_SUGGEST_MAX)
                return bus_error_errno(error, -ERANGE, "At most %d suggestions at a time.",
                                       PEOPLE_SUGGEST_MAX);
        if (count == 0)
                count = SUGGEST_DEFAULT;

        r = store_contact_list(c->store, &filter, collect_candidate_cb, &l);
        if (r < 0) {
                r = r == -ENOMEM ? bus_error_errno(error, r, "Out of memory.") : store_failure(c, error, r);
                goto out;
        }
        size_t selected = people_suggest_rank(l.items, l.n, now);
        if (selected > count)
                selected = count;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_SUGGESTION_SIG);
        for (size_t i = 0; r >= 0 && i < selected; i++) {
                const PeopleCandidate *p = &l.items[i];
                char reason[512];
                people_suggest_reason(p, now, reason, sizeof reason);
                /* The reason quotes names and "met" text: keep it UTF-8. */
                char safe[512];
                bus_cut(reason, sizeof safe - 1, safe, sizeof safe);
                r = sd_bus_message_append(reply, NETCTL_SUGGESTION_SIG, (uint64_t) p->id,
                                          (const char *) p->userdata, p->history.name,
                                          p->strong ? "strong" : "weak", p->due, p->history.last_at,
                                          p->history.last_kind ? p->history.last_kind : "",
                                          (int) p->never, safe);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
out:
        suggest_list_done(&l);
        return r;
}

/* ---- statistics ---- */

static int append_entry(sd_bus_message *reply, const char *key, const char *type, const void *value) {
        int r = sd_bus_message_open_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_VARIANT, type);
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, type[0], value);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int method_stats(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        PeopleWeek weeks[PEOPLE_STATS_WEEKS_MAX];
        int64_t last_weak[PEOPLE_STATS_WEEKS_MAX];
        Context *c = userdata;
        int64_t now = context_now(c);
        const int64_t *bounds;
        PeopleStats st;
        PeopleTotals totals;
        size_t size;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(m, 'x', (const void **) &bounds, &size);
        if (r < 0)
                return r;
        size_t n = size / sizeof(int64_t);
        for (size_t i = 0; i < n; i++)
                if (bounds[i] < 0 || bounds[i] > INSTANT_MAX)
                        return bus_error_errno(error, -ERANGE, "A week boundary is out of range.");
        r = people_stats_init(&st, weeks, last_weak, bounds, n);
        if (r == -E2BIG)
                return bus_error_errno(error, r, "At most %d weeks at a time.", PEOPLE_STATS_WEEKS_MAX);
        if (r < 0)
                return bus_error_errno(error, r, "The week boundaries must be at least two ascending "
                                       "instants, at most 8 days apart.");

        r = store_people_stats(c->store, &st);
        if (r >= 0)
                r = store_people_totals(c->store, bounds[0], bounds[n - 1], &totals);
        if (r < 0)
                return store_failure(c, error, r);

        /* The goals, judged on the week holding now, if it is asked for. */
        char nudge[512] = "";
        ssize_t current = people_week_index(bounds, n - 1, now);
        if (current >= 0) {
                PeopleGoals goals = {
                        .weak_reconnects = c->config.goal_weak_reconnects,
                        .new_contacts = c->config.goal_new_contacts,
                        .given = c->config.goal_given,
                };
                PeopleProgress progress = {
                        .weak_reconnects = weeks[current].weak_people,
                        .new_contacts = weeks[current].new_contacts,
                        .given = weeks[current].gave,
                };
                (void) people_goals_nudge(&goals, &progress, now - bounds[current],
                                          bounds[current + 1] - bounds[current], nudge, sizeof nudge);
        }

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_STATS_WEEK_SIG);
        for (size_t i = 0; r >= 0 && i < st.n_weeks; i++) {
                const PeopleWeek *w = &weeks[i];
                r = sd_bus_message_append(reply, NETCTL_STATS_WEEK_SIG, w->start, w->interactions,
                                          w->weak, w->strong, w->gave, w->got, w->leads,
                                          w->new_contacts, w->weak_people);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");

        const struct {
                const char *key;
                uint32_t value;
        } counts[] = {
                { "contacts", totals.contacts },
                { "weak_contacts", totals.weak_contacts },
                { "strong_contacts", totals.strong_contacts },
                { "archived", totals.archived },
                { "interactions", totals.interactions },
                { "weak", totals.weak },
                { "strong", totals.strong },
                { "gave", totals.gave },
                { "got", totals.got },
                { "leads", totals.leads },
                { "leads_weak", totals.leads_weak },
                { "leads_strong", totals.leads_strong },
        };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(counts); i++)
                r = append_entry(reply, counts[i].key, "u", &counts[i].value);
        const struct {
                const char *key;
                int32_t value;
        } goals[] = {
                { "goal_weak_reconnects", c->config.goal_weak_reconnects },
                { "goal_new_contacts", c->config.goal_new_contacts },
                { "goal_given", c->config.goal_given },
        };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(goals); i++)
                r = append_entry(reply, goals[i].key, "i", &goals[i].value);
        if (r >= 0)
                r = append_entry(reply, "goal_nudge", "s", nudge);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ---- vCard import ---- */

/* Appends "; " and text to a detail sentence, keeping it bounded. */
static void detail_add(char *detail, size_t size, const char *text) {
        size_t len = strlen(detail);
        if (len + strlen(text) + 3 >= size)
                return;
        snprintf(detail + len, size - len, "%s%s", len ? "; " : "", text);
}

typedef struct ImportCard {
        ContactChanges changes;
        const char *emails[PEOPLE_EMAILS_MAX];
        const char *tags[PEOPLE_TAGS_MAX];
        char *note;             /* NOTE and TEL lines, owned */
        char name[NETCTL_NAME_MAX + 1];
} ImportCard;

/* Turns a parsed card into the fields netctl keeps, checking each as Add
 * would.  A field that fails is left out and named in detail; a card
 * without a usable name returns -EINVAL. */
static int import_card_fields(const VCard *v, bool keep_in_touch, ImportCard *ic, char *detail, size_t size) {
        const char *reason;
        char buf[160];

        ic->changes = CONTACT_CHANGES_NONE;
        const char *name = v->fn ? v->fn : (v->n_emails > 0 ? v->emails[0] : NULL);
        if (!name || text_check_line(name, NETCTL_NAME_MAX, false, &reason) < 0) {
                detail_add(detail, size, name ? "the name is too long or not plain text" : "no name");
                return -EINVAL;
        }
        snprintf(ic->name, sizeof ic->name, "%s", name);
        ic->changes.name = ic->name;

        for (size_t i = 0; i < v->n_emails; i++) {
                if (ic->changes.n_add_emails == PEOPLE_EMAILS_MAX) {
                        detail_add(detail, size, "only the first 20 e-mails kept");
                        break;
                }
                if (strlen(v->emails[i]) <= EMAIL_MAX && vcard_email_is_valid(v->emails[i]))
                        ic->emails[ic->changes.n_add_emails++] = v->emails[i];
        }
        ic->changes.add_emails = ic->emails;

        for (size_t i = 0; i < v->n_categories; i++) {
                if (ic->changes.n_add_tags == PEOPLE_TAGS_MAX)
                        break;
                if (people_tag_check(v->categories[i], NULL) < 0) {
                        char cat[48];
                        snprintf(buf, sizeof buf, "category \"%s\" left out",
                                 bus_cut(v->categories[i], 40, cat, sizeof cat));
                        detail_add(detail, size, buf);
                        continue;
                }
                ic->tags[ic->changes.n_add_tags++] = v->categories[i];
        }
        ic->changes.add_tags = ic->tags;

        if (v->org) {
                if (text_check_line(v->org, NETCTL_NAME_MAX, true, NULL) >= 0)
                        ic->changes.org = v->org;
                else
                        detail_add(detail, size, "ORG left out (too long)");
        }

        const char *met = vcard_get_extension(v, "X-NETCTL-MET");
        if (met && text_check_line(met, NETCTL_TEXT_MAX, true, NULL) >= 0)
                ic->changes.met = met;
        const char *tie = vcard_get_extension(v, "X-NETCTL-TIE");
        if (tie && (strcmp(tie, "weak") == 0 || strcmp(tie, "strong") == 0))
                ic->changes.strong = strcmp(tie, "strong") == 0;

        /* An address book holds the plumber as well as the people one
         * networks with: a whole file of new contacts all due for a
         * reconnect on the same day helps nobody.  Imported contacts start
         * without reminders unless the card (X-NETCTL-CADENCE) or the
         * caller (keep_in_touch) says otherwise. */
        const char *cadence = vcard_get_extension(v, "X-NETCTL-CADENCE");
        int64_t seconds;
        if (cadence && strcmp(cadence, "none") == 0)
                ic->changes.cadence = PEOPLE_CADENCE_OFF;
        else if (cadence && strcmp(cadence, "default") == 0)
                ic->changes.cadence = PEOPLE_CADENCE_DEFAULT;
        else if (cadence && duration_parse(cadence, &seconds) >= 0 && seconds >= PEOPLE_CADENCE_MIN)
                ic->changes.cadence = seconds;
        else {
                if (cadence)
                        detail_add(detail, size, "X-NETCTL-CADENCE not understood");
                ic->changes.cadence = keep_in_touch ? PEOPLE_CADENCE_DEFAULT : PEOPLE_CADENCE_OFF;
        }

        /* netctl has no phone field: TELs go into the note, one a line. */
        size_t note_len = v->note ? strlen(v->note) : 0, cap = note_len + 1;
        for (size_t i = 0; i < v->n_tels; i++)
                cap += strlen(v->tels[i]) + 8;
        ic->note = malloc(cap);
        if (!ic->note)
                return -ENOMEM;
        snprintf(ic->note, cap, "%s", v->note ? v->note : "");
        for (size_t i = 0; i < v->n_tels; i++) {
                size_t len = strlen(ic->note);
                if (len + strlen(v->tels[i]) + 8 > NETCTL_NOTE_MAX) {
                        detail_add(detail, size, "some phone numbers left out (note full)");
                        break;
                }
                snprintf(ic->note + len, cap - len, "%sPhone: %s", len ? "\n" : "", v->tels[i]);
        }
        if (ic->note[0]) {
                if (text_check_multiline(ic->note, NETCTL_NOTE_MAX, NULL) >= 0)
                        ic->changes.note = ic->note;
                else
                        detail_add(detail, size, "NOTE left out (too long)");
        }
        return 0;
}

static int read_import_option(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        if (strcmp(key, "keep_in_touch") != 0)
                return BUS_OPTION_UNKNOWN;
        return bus_option_bool(m, key, userdata, error);
}

static int method_import(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(vcard_parse_result_freep) VCardParseResult *res = NULL;
        Context *c = userdata;
        int64_t now = context_now(c), weak_cadence = contacts_weak_cadence(c);
        const char *name;
        char reason[256], buf[80];
        const void *data;
        size_t size;
        unsigned added = 0, updated = 0;
        int keep_in_touch = 0, r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(m, 'y', &data, &size);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = bus_read_options(m, "option", read_import_option, &keep_in_touch, error);
        if (r < 0)
                return r;
        r = check_line("file name", name, 1024, true, error);
        if (r < 0)
                return r;
        if (!name[0])
                name = "the vCard data";
        bus_cut(name, 64, buf, sizeof buf);
        if (size > NETCTL_VCARD_FILE_MAX)
                return bus_error_errno(error, -E2BIG, "%s is larger than 16 MiB.", buf);

        r = vcard_parse(data, size, &res, reason, sizeof reason);
        if (r == -ENOMEM)
                return bus_error_errno(error, r, "Out of memory.");
        if (r < 0) {
                char why[200];
                return bus_error_errno(error, r == -EFBIG ? -E2BIG : r == -E2BIG ? -E2BIG : -EINVAL,
                                       "%s: %s.", buf, bus_cut(reason, 190, why, sizeof why));
        }

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_IMPORT_CARD_SIG);
        if (r < 0)
                return r;

        /* One transaction for the file: one sync to disk, not one per card.
         * A card that fails rolls back only its own savepoint. */
        r = store_batch_begin(c->store);
        if (r < 0)
                return store_failure(c, error, r);

        for (size_t i = 0; i < res->n_cards; i++) {
                const VCard *v = res->cards[i];
                ImportCard ic = {};
                char detail[400] = "";
                const char *outcome = "skipped";
                int64_t id = 0;
                bool changed = false;
                unsigned skipped_emails = 0;

                r = import_card_fields(v, keep_in_touch, &ic, detail, sizeof detail);
                if (r == -ENOMEM) {
                        free(ic.note);
                        goto fail;
                }
                if (r >= 0) {
                        r = store_contact_match(c->store, ic.changes.add_emails, ic.changes.n_add_emails,
                                                ic.changes.name, &id);
                        if (r >= 0) {
                                r = store_contact_merge(c->store, id, &ic.changes, now, &changed,
                                                        &skipped_emails);
                                if (r >= 0) {
                                        outcome = changed ? "updated" : "unchanged";
                                        updated += changed;
                                }
                        } else if (r == -ENOENT) {
                                ReconnectChange change = {};
                                r = store_contact_add(c->store, &ic.changes, weak_cadence, now, &id, &change);
                                if (r >= 0) {
                                        outcome = "added";
                                        added++;
                                }
                        }
                        if (r == -ENOSPC || r == -EBUSY || r == -EIO || r == -ENOMEM) {
                                free(ic.note);
                                goto fail;
                        }
                        if (r < 0) {
                                char why[200];
                                detail_add(detail, sizeof detail,
                                           bus_cut(store_last_error(c->store), 190, why, sizeof why));
                                id = 0;
                        }
                        if (skipped_emails > 0)
                                detail_add(detail, sizeof detail, "e-mails of other contacts left out");
                }

                _cleanup_(contact_clear) Contact ct = {};
                if (id > 0 && store_contact_get(c->store, id, &ct) < 0)
                        id = 0;
                r = sd_bus_message_append(reply, NETCTL_IMPORT_CARD_SIG, (uint32_t) v->line, ic.name,
                                          outcome, detail, (uint64_t) id, ct.handle ? ct.handle : "");
                free(ic.note);
                if (r < 0)
                        goto fail;
        }

        r = store_batch_commit(c->store);
        if (r < 0)
                return store_failure(c, error, r);

        r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "s");
        for (size_t i = 0; r >= 0 && i < res->n_warnings; i++)
                r = sd_bus_message_append(reply, "s", res->warnings[i]);
        if (r >= 0 && res->n_warnings_dropped > 0) {
                char more[80];
                snprintf(more, sizeof more, "... and %zu more warnings", res->n_warnings_dropped);
                r = sd_bus_message_append(reply, "s", more);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "u", (uint32_t) res->n_skipped);
        if (r < 0)
                return r;

        log_info("Imported %s: %u added, %u updated, %zu cards read", buf, added, updated, res->n_cards);
        if (added > 0 || updated > 0) {
                (void) schedule_arm_next(c);
                if (added > 0)
                        bus_emit_changed(c, 0, "added");
                contacts_emit_changed(c, 0, "imported");
        }
        if (size >= LARGE_REQUEST_BYTES)
                context_release_memory_later(c);
        return sd_bus_send(NULL, reply, NULL);

fail:
        store_batch_rollback(c->store);
        if (r == -ENOMEM)
                return bus_error_errno(error, r, "Out of memory; nothing was imported.");
        return store_failure(c, error, r);
}

/* ---- reminders ---- */

void contacts_reconnect_summary(Context *c, const Followup *f, char *buf, size_t size) {
        _cleanup_(contact_clear) Contact ct = {};

        if (store_reconnect_contact(c->store, f->id, &ct) < 0) {
                snprintf(buf, size, "%s", f->text);
                return;
        }
        PeopleHistory h = {
                .name = ct.name,
                .met = ct.met,
                .created = ct.created,
                .last_at = ct.last_at,
                .last_kind = ct.last_kind,
                .n_leads = ct.n_leads,
                .n_gave = ct.n_gave,
                .n_got = ct.n_got,
        };
        char summary[1024];
        people_reconnect_summary(&h, context_now(c), summary, sizeof summary);
        bus_cut(summary, size - 1, buf, size);
}

const sd_bus_vtable bus_contacts_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Add",
                                SD_BUS_ARGS("s", name, "a{sv}", options),
                                SD_BUS_RESULT("t", id, "s", handle),
                                method_add, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Get",
                                SD_BUS_ARGS("s", who),
                                SD_BUS_RESULT(NETCTL_CONTACT_SIG, contact),
                                method_get, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Resolve",
                                SD_BUS_ARGS("s", who),
                                SD_BUS_RESULT("t", id, "s", handle, "s", name),
                                method_resolve, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("List",
                                SD_BUS_ARGS("a{sv}", filter),
                                SD_BUS_RESULT("a" NETCTL_CONTACT_SIG, contacts),
                                method_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Edit",
                                SD_BUS_ARGS("s", who, "a{sv}", changes),
                                SD_BUS_RESULT("s", handle),
                                method_edit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Remove",
                                SD_BUS_ARGS("s", who, "a{sv}", options),
                                SD_BUS_RESULT("s", outcome, "u", interactions_deleted),
                                method_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Log",
                                SD_BUS_ARGS("s", who, "s", kind, "x", at, "a{sv}", details),
                                SD_BUS_RESULT("t", id),
                                method_log, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListInteractions",
                                SD_BUS_ARGS("s", who, "u", limit),
                                SD_BUS_RESULT("a" NETCTL_INTERACTION_SIG, interactions),
                                method_list_interactions, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveInteraction",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_NO_RESULT,
                                method_remove_interaction, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Suggest",
                                SD_BUS_ARGS("u", count),
                                SD_BUS_RESULT("a" NETCTL_SUGGESTION_SIG, suggestions),
                                method_suggest, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Stats",
                                SD_BUS_ARGS("ax", week_bounds),
                                SD_BUS_RESULT("a" NETCTL_STATS_WEEK_SIG, weeks, "a{sv}", totals),
                                method_stats, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Import",
                                SD_BUS_ARGS("ay", vcard, "s", file_name, "a{sv}", options),
                                SD_BUS_RESULT("a" NETCTL_IMPORT_CARD_SIG, cards, "as", warnings,
                                              "u", unusable_cards),
                                method_import, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("Changed", SD_BUS_ARGS("t", id, "s", change), 0),
        SD_BUS_VTABLE_END,
};
