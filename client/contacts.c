/* SPDX-License-Identifier: MIT */
/* The people verbs: contact add|list|show|edit|rm|import, log, unlog,
 * suggest, stats. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus-util.h"
#include "bus-names.h"
#include "client.h"
#include "json.h"
#include "output.h"
#include "text.h"
#include "timeparse.h"

#define DAY 86400
#define EMAILS_MAX 20
#define TAGS_MAX 32
#define STATS_WEEKS_DEFAULT 8
#define STATS_WEEKS_MAX 104
#define SUGGEST_DEFAULT 5
#define SUGGEST_MAX 100
#define SHOW_INTERACTIONS 20
#define IMPORT_TIMEOUT_USEC (300ULL * 1000000ULL)

/* ---- arguments ---- */

static int check_line_arg(const char *verb, const char *what, const char *text, size_t max, bool allow_empty) {
        const char *reason;
        int r = text_check_line(text, max, allow_empty, &reason);
        if (r == -E2BIG)
                return usage_error(verb, "%s is longer than %zu bytes.", what, max);
        if (r < 0)
                return usage_error(verb, "invalid %s: %s.", what, reason);
        return 0;
}

static int check_note_arg(const char *verb, const char *text) {
        const char *reason;
        int r = text_check_multiline(text, NETCTL_NOTE_MAX, &reason);
        if (r == -E2BIG)
                return usage_error(verb, "the note is longer than %d bytes.", NETCTL_NOTE_MAX);
        if (r < 0)
                return usage_error(verb, "invalid note: %s.", reason);
        return 0;
}

/* A light check; the daemon is the authority on e-mail syntax. */
static int check_email_arg(const char *verb, const char *email) {
        const char *at = strchr(email, '@');
        if (!at || at == email || !at[1] || strchr(at + 1, '@') || strpbrk(email, " \t") ||
            strlen(email) > 254)
                return usage_error(verb, "\"%s\" is not an e-mail address (local@domain).", email);
        return check_line_arg(verb, "e-mail", email, 254, false);
}

static int check_tag_arg(const char *verb, const char *tag) {
        int r = check_line_arg(verb, "tag", tag, 64, false);
        if (r != 0)
                return r;
        if (strchr(tag, ','))
                return usage_error(verb, "a tag cannot contain ',' (give --tag once per tag).");
        return 0;
}

static int parse_tie_arg(const char *verb, const char *tie) {
        if (strcmp(tie, "weak") != 0 && strcmp(tie, "strong") != 0)
                return usage_error(verb, "--tie takes weak or strong, not \"%s\".", tie);
        return 0;
}

/* --every DURATION | none | default -> seconds, -1 (none), 0 (default). */
static int parse_cadence_arg(const char *verb, const char *s, int64_t *ret) {
        int64_t v;
        int r;

        if (strcmp(s, "none") == 0 || strcmp(s, "off") == 0 || strcmp(s, "never") == 0) {
                *ret = -1;
                return 0;
        }
        if (strcmp(s, "default") == 0) {
                *ret = 0;
                return 0;
        }
        r = duration_parse(s, &v);
        if (r == -EINVAL)
                return usage_error(verb, "--every \"%s\" is not a duration (e.g. 30d, 8w), none or default.", s);
        if (r < 0 || v < DAY)
                return usage_error(verb, "--every must be between a day and ten years.");
        *ret = v;
        return 0;
}

static int parse_count_arg(const char *verb, const char *what, const char *s, long min, long max, long *ret) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (s[0] < '0' || s[0] > '9' || *end || errno || v < min || v > max)
                return usage_error(verb, "%s must be a number from %ld to %ld, not \"%s\".", what, min, max, s);
        *ret = v;
        return 0;
}

static int append_strv_option(sd_bus_message *m, const char *key, char **l) {
        int r = sd_bus_message_open_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_VARIANT, "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, l);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* A NULL-terminated list of at most max arguments (pointers into argv). */
typedef struct ArgList {
        char *items[TAGS_MAX + 1];
        size_t n;
} ArgList;

static int arglist_add(const char *verb, const char *option, ArgList *l, size_t max, char *value) {
        if (l->n >= max)
                return usage_error(verb, "%s may be given at most %zu times.", option, max);
        l->items[l->n++] = value;
        l->items[l->n] = NULL;
        return 0;
}

/* ---- what the daemon sends ---- */

typedef struct ContactView {
        uint64_t id;
        const char *uid, *handle, *name, *org, *met, *note, *tie;
        int64_t cadence;
        uint64_t effective;
        char **emails, **tags;
        int64_t created, archived_at, last_at;
        const char *last_kind;
        uint32_t n_interactions, n_leads, n_gave, n_got;
        int64_t next_due;
        uint64_t reconnect_id;
} ContactView;

static void strv_free(char **l) {
        for (char **p = l; p && *p; p++)
                free(*p);
        free(l);
}

static void contact_view_done(ContactView *v) {
        strv_free(v->emails);
        strv_free(v->tags);
        v->emails = v->tags = NULL;
}

/* > 0 read one, 0 at the end of the array, < 0 error. */
static int read_contact(sd_bus_message *m, ContactView *v) {
        int r;

        *v = (ContactView) {};
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_STRUCT, "tsssssssxtasasxxxsuuuuxt");
        if (r <= 0)
                return r;
        r = sd_bus_message_read(m, "tsssssssxt", &v->id, &v->uid, &v->handle, &v->name, &v->org,
                                &v->met, &v->note, &v->tie, &v->cadence, &v->effective);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &v->emails);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &v->tags);
        if (r >= 0)
                r = sd_bus_message_read(m, "xxxsuuuuxt", &v->created, &v->archived_at, &v->last_at,
                                        &v->last_kind, &v->n_interactions, &v->n_leads, &v->n_gave,
                                        &v->n_got, &v->next_due, &v->reconnect_id);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0) {
                contact_view_done(v);
                return r;
        }
        return 1;
}

static const char *cadence_source(const ContactView *v) {
        if (v->archived_at)
                return "archived";
        if (v->cadence > 0)
                return "set";
        if (v->cadence < 0)
                return "off";
        return v->effective > 0 ? "default" : "none";
}

static void json_string_or_null(JsonWriter *w, const char *s) {
        json_string(w, s && s[0] ? s : NULL);
}

static void json_strv(JsonWriter *w, char **l) {
        json_begin_array(w);
        for (char **p = l; p && *p; p++)
                json_string(w, *p);
        json_end_array(w);
}

static void contact_json(JsonWriter *w, const ContactView *v) {
        json_begin_object(w);
        json_key(w, "id");
        json_uint(w, v->id);
        json_key(w, "uid");
        json_string(w, v->uid);
        json_key(w, "handle");
        json_string(w, v->handle);
        json_key(w, "name");
        json_string(w, v->name);
        json_key(w, "emails");
        json_strv(w, v->emails);
        json_key(w, "org");
        json_string_or_null(w, v->org);
        json_key(w, "tie");
        json_string(w, v->tie);
        json_key(w, "met");
        json_string_or_null(w, v->met);
        json_key(w, "tags");
        json_strv(w, v->tags);
        json_key(w, "note");
        json_string_or_null(w, v->note);
        json_key(w, "cadence");
        if (v->effective > 0)
                json_uint(w, v->effective);
        else
                json_null(w);
        json_key(w, "cadence_source");
        json_string(w, cadence_source(v));
        json_key(w, "created");
        json_time_utc(w, v->created);
        json_key(w, "archived");
        json_bool(w, v->archived_at != 0);
        json_key(w, "archived_at");
        json_time_utc(w, v->archived_at);
        json_key(w, "last_interaction");
        json_time_utc(w, v->last_at);
        json_key(w, "last_kind");
        json_string_or_null(w, v->last_kind);
        json_key(w, "interactions");
        json_uint(w, v->n_interactions);
        json_key(w, "leads");
        json_uint(w, v->n_leads);
        json_key(w, "gave");
        json_uint(w, v->n_gave);
        json_key(w, "got");
        json_uint(w, v->n_got);
        json_key(w, "next_reconnect");
        json_time_utc(w, v->next_due);
        json_key(w, "next_reconnect_local");
        json_time_local(w, v->next_due);
        json_key(w, "reconnect_id");
        if (v->reconnect_id)
                json_uint(w, v->reconnect_id);
        else
                json_null(w);
        json_end_object(w);
}

/* "every 90 days", "2 weeks": a cadence for people. */
static void cadence_phrase(int64_t seconds, char *buf, size_t size) {
        int64_t days = seconds / DAY;
        if (seconds % DAY != 0 || days == 0)
                duration_format(seconds, buf, size);
        else if (days % 7 == 0 && days <= 8 * 7)
                snprintf(buf, size, "%" PRId64 " week%s", days / 7, days == 7 ? "" : "s");
        else
                snprintf(buf, size, "%" PRId64 " day%s", days, days == 1 ? "" : "s");
}

/* "in 3d", "due now", "overdue 4d". */
static void due_phrase(int64_t due, int64_t now, char *buf, size_t size) {
        char rel[48];
        if (due == 0) {
                snprintf(buf, size, "-");
                return;
        }
        if (due <= now) {
                relative_format(due, now, rel, sizeof rel);
                if (strcmp(rel, "now") == 0)
                        snprintf(buf, size, "due now");
                else {
                        /* "4d ago" -> "overdue 4d" */
                        char *ago = strstr(rel, " ago");
                        if (ago)
                                *ago = '\0';
                        snprintf(buf, size, "overdue %s", rel);
                }
                return;
        }
        relative_format(due, now, buf, size);
}

static void last_phrase(const ContactView *v, int64_t now, char *buf, size_t size) {
        char rel[64];
        if (v->last_at == 0) {
                snprintf(buf, size, "never");
                return;
        }
        relative_format(v->last_at, now, rel, sizeof rel);
        snprintf(buf, size, "%s, %s", v->last_kind[0] ? v->last_kind : "contact",
                 strcmp(rel, "now") == 0 ? "just now" : rel);
}

static int get_contact(const char *who, sd_bus_message **ret_reply, ContactView *v) {
        if (client_call(NETCTL_IFACE_CONTACTS, "Get", ret_reply, "s", who) < 0)
                return EXIT_FAILURE;
        int r = read_contact(*ret_reply, v);
        if (r <= 0)
                return fail("unexpected reply from netctld: %s", strerror(r < 0 ? -r : EBADMSG));
        return 0;
}

static void print_keep_in_touch(const ContactView *v, int64_t now) {
        char cadence[64], local[64], due[64];

        if (v->archived_at) {
                printf("  Keep in touch: no (archived)\n");
                return;
        }
        if (v->effective == 0) {
                printf("  Keep in touch: %s\n", v->cadence < 0 ? "off" : "no cadence (strong tie)");
                return;
        }
        cadence_phrase((int64_t) v->effective, cadence, sizeof cadence);
        printf("  Keep in touch: every %s%s\n", cadence,
               v->cadence == 0 ? " (the default for weak ties)" : "");
        if (v->next_due) {
                local_time_format(v->next_due, local, sizeof local);
                due_phrase(v->next_due, now, due, sizeof due);
                printf("  Next reconnect: %s (%s)\n", local, due);
        }
}

/* ---- contact add ---- */

static int contact_add(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",   no_argument,       NULL, 'h' },
                { "email",  required_argument, NULL, 'e' },
                { "org",    required_argument, NULL, 'o' },
                { "tie",    required_argument, NULL, 't' },
                { "every",  required_argument, NULL, 'E' },
                { "met",    required_argument, NULL, 'm' },
                { "tag",    required_argument, NULL, 'T' },
                { "note",   required_argument, NULL, 'n' },
                { "handle", required_argument, NULL, 'H' },
                { "quiet",  no_argument,       NULL, 'q' },
                {}
        };
        const char *verb = "contact add";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL, *got = NULL;
        const char *org = NULL, *tie = NULL, *met = NULL, *note = NULL, *handle = NULL;
        ArgList emails = {}, tags = {};
        int64_t cadence = 0;
        bool have_cadence = false, quiet = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "hq", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("contact");
                        return 0;
                case 'e':
                        r = check_email_arg(verb, optarg);
                        if (r == 0)
                                r = arglist_add(verb, "--email", &emails, EMAILS_MAX, optarg);
                        break;
                case 'o':
                        org = optarg;
                        r = check_line_arg(verb, "the organisation", org, NETCTL_NAME_MAX, true);
                        break;
                case 't':
                        tie = optarg;
                        r = parse_tie_arg(verb, tie);
                        break;
                case 'E':
                        r = parse_cadence_arg(verb, optarg, &cadence);
                        have_cadence = true;
                        break;
                case 'm':
                        met = optarg;
                        r = check_line_arg(verb, "--met", met, NETCTL_TEXT_MAX, true);
                        break;
                case 'T':
                        r = check_tag_arg(verb, optarg);
                        if (r == 0)
                                r = arglist_add(verb, "--tag", &tags, TAGS_MAX, optarg);
                        break;
                case 'n':
                        note = optarg;
                        r = check_note_arg(verb, note);
                        break;
                case 'H':
                        handle = optarg;
                        r = check_line_arg(verb, "the handle", handle, 64, false);
                        break;
                case 'q':
                        quiet = true;
                        r = 0;
                        break;
                default:
                        return option_error(verb, argv);
                }
                if (r != 0)
                        return r;
        }
        if (optind + 1 != argc)
                return usage_error(verb, "expected one NAME (quote it: \"Ana Lima\").");
        const char *name = argv[optind];
        r = check_line_arg(verb, "the name", name, NETCTL_NAME_MAX, false);
        if (r != 0)
                return r;

        r = client_new_call(NETCTL_IFACE_CONTACTS, "Add", &m);
        if (r < 0)
                return EXIT_FAILURE;
        r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && emails.n)
                r = append_strv_option(m, "emails", emails.items);
        if (r >= 0 && tags.n)
                r = append_strv_option(m, "tags", tags.items);
        if (r >= 0 && org)
                r = bus_append_sv(m, "org", "s", org);
        if (r >= 0 && tie)
                r = bus_append_sv(m, "tie", "s", tie);
        if (r >= 0 && have_cadence)
                r = bus_append_sv(m, "cadence", "x", cadence);
        if (r >= 0 && met)
                r = bus_append_sv(m, "met", "s", met);
        if (r >= 0 && note)
                r = bus_append_sv(m, "note", "s", note);
        if (r >= 0 && handle)
                r = bus_append_sv(m, "handle", "s", handle);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r));

        if (client_call_message(m, &reply) < 0)
                return EXIT_FAILURE;
        uint64_t id;
        const char *new_handle;
        r = sd_bus_message_read(reply, "ts", &id, &new_handle);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        if (quiet) {
                printf("%s\n", new_handle);
                return 0;
        }

        ContactView v;
        char who[32];
        snprintf(who, sizeof who, "%" PRIu64, id);
        printf("Added %s (%s), a %s tie.\n", name, new_handle, tie ? tie : "weak");
        if (get_contact(who, &got, &v) == 0) {
                print_keep_in_touch(&v, now_seconds());
                contact_view_done(&v);
        }
        return 0;
}

/* ---- contact list ---- */

static int contact_list(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",     no_argument,       NULL, 'h' },
                { "tie",      required_argument, NULL, 't' },
                { "tag",      required_argument, NULL, 'T' },
                { "archived", no_argument,       NULL, 'a' },
                { "json",     no_argument,       NULL, 'j' },
                {}
        };
        const char *verb = "contact list";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *tie = NULL, *tag = NULL;
        bool archived = false, json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("contact");
                        return 0;
                case 't':
                        tie = optarg;
                        r = parse_tie_arg(verb, tie);
                        if (r != 0)
                                return r;
                        break;
                case 'T':
                        tag = optarg;
                        r = check_tag_arg(verb, tag);
                        if (r != 0)
                                return r;
                        break;
                case 'a':
                        archived = true;
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return option_error(verb, argv);
                }
        }
        if (optind != argc)
                return usage_error(verb, "unexpected argument \"%s\".", argv[optind]);

        r = client_new_call(NETCTL_IFACE_CONTACTS, "List", &m);
        if (r < 0)
                return EXIT_FAILURE;
        r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && tie)
                r = bus_append_sv(m, "tie", "s", tie);
        if (r >= 0 && tag)
                r = bus_append_sv(m, "tag", "s", tag);
        if (r >= 0 && archived)
                r = bus_append_sv(m, "archived", "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r));
        if (client_call_message(m, &reply) < 0)
                return EXIT_FAILURE;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_CONTACT_SIG);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));

        ContactView v;
        if (json) {
                JsonWriter w;
                json_init(&w, stdout);
                json_begin_array(&w);
                while ((r = read_contact(reply, &v)) > 0) {
                        contact_json(&w, &v);
                        contact_view_done(&v);
                }
                json_end_array(&w);
                json_finish(&w);
                return r < 0 ? fail("unexpected reply from netctld: %s", strerror(-r)) : 0;
        }

        Table *t = table_new(6, "HANDLE", "NAME", "TIE", "LAST", "NEXT", "ORG");
        if (!t)
                return fail("out of memory");
        int64_t now = now_seconds();
        while ((r = read_contact(reply, &v)) > 0) {
                char last[96], next[64], tie_cell[32];
                last_phrase(&v, now, last, sizeof last);
                if (v.archived_at)
                        snprintf(next, sizeof next, "archived");
                else
                        due_phrase(v.next_due, now, next, sizeof next);
                snprintf(tie_cell, sizeof tie_cell, "%s", v.tie);
                r = table_add_row(t, v.handle, v.name, tie_cell, last, next, v.org);
                contact_view_done(&v);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                table_free(t);
                return fail("cannot read the list: %s", strerror(-r));
        }
        if (table_rows(t) == 0)
                printf(tie || tag ? "No contacts match.\n" :
                       "No contacts yet. Add one: netctl contact add \"Ana Lima\" --email ana@example.org\n");
        else
                table_print(t, stdout);
        table_free(t);
        return 0;
}

/* ---- contact show ---- */

typedef struct InteractionView {
        uint64_t id, contact_id;
        const char *handle, *name, *kind;
        int64_t at;
        const char *gave, *got, *note;
        int lead;
        int64_t created;
} InteractionView;

static int read_interaction(sd_bus_message *m, InteractionView *i) {
        return sd_bus_message_read(m, NETCTL_INTERACTION_SIG, &i->id, &i->contact_id, &i->handle,
                                   &i->name, &i->kind, &i->at, &i->gave, &i->got, &i->note, &i->lead,
                                   &i->created);
}

static void interaction_json(JsonWriter *w, const InteractionView *i) {
        json_begin_object(w);
        json_key(w, "id");
        json_uint(w, i->id);
        json_key(w, "contact");
        json_string(w, i->handle);
        json_key(w, "name");
        json_string(w, i->name);
        json_key(w, "kind");
        json_string(w, i->kind);
        json_key(w, "at");
        json_time_utc(w, i->at);
        json_key(w, "at_local");
        json_time_local(w, i->at);
        json_key(w, "gave");
        json_string_or_null(w, i->gave);
        json_key(w, "got");
        json_string_or_null(w, i->got);
        json_key(w, "note");
        json_string_or_null(w, i->note);
        json_key(w, "lead");
        json_bool(w, i->lead);
        json_end_object(w);
}

static void print_interaction(const InteractionView *i) {
        char when[64];
        local_time_format(i->at, when, sizeof when);
        printf("  #%-4" PRIu64 " %s  %-8s", i->id, when, i->kind);
        if (i->gave[0])
                printf("  gave: %s", i->gave);
        if (i->got[0])
                printf("  got: %s", i->got);
        if (i->lead)
                printf("  [lead]");
        putchar('\n');
        if (i->note[0]) {
                /* A multi-line note, indented under its line. */
                printf("        ");
                for (const char *p = i->note; *p; p++) {
                        putchar(*p);
                        if (*p == '\n')
                                printf("        ");
                }
                putchar('\n');
        }
}

static int contact_show(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        const char *verb = "contact show";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *history = NULL, *fups = NULL,
                                                         *m = NULL;
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("contact");
                        return 0;
                case 'j':
                        json = true;
                        break;
                default:
                        return option_error(verb, argv);
                }
        }
        if (optind + 1 != argc)
                return usage_error(verb, "expected one contact (id, handle, e-mail or name).");
        const char *who = argv[optind];

        ContactView v;
        r = get_contact(who, &reply, &v);
        if (r != 0)
                return r;
        char id_text[32];
        snprintf(id_text, sizeof id_text, "%" PRIu64, v.id);

        if (client_call(NETCTL_IFACE_CONTACTS, "ListInteractions", &history, "su", id_text,
                        (uint32_t) SHOW_INTERACTIONS) < 0) {
                contact_view_done(&v);
                return EXIT_FAILURE;
        }
        r = client_new_call(NETCTL_IFACE_FOLLOWUPS, "ListFiltered", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "xxs", INT64_MIN, INT64_MAX, "open");
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0)
                r = bus_append_sv(m, "contact", "s", id_text);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0 || client_call_message(m, &fups) < 0) {
                contact_view_done(&v);
                return EXIT_FAILURE;
        }

        int64_t now = now_seconds();
        InteractionView i;
        JsonWriter w;
        if (json) {
                json_init(&w, stdout);
                json_begin_object(&w);
                json_key(&w, "contact");
                contact_json(&w, &v);
                json_key(&w, "interactions");
                json_begin_array(&w);
        } else {
                char when[64];
                printf("%s (%s, #%" PRIu64 ")%s\n", v.name, v.handle, v.id, v.archived_at ? " [archived]" : "");
                for (char **e = v.emails; e && *e; e++)
                        printf("  E-mail:   %s\n", *e);
                if (v.org[0])
                        printf("  Org:      %s\n", v.org);
                printf("  Tie:      %s\n", v.tie);
                if (v.met[0])
                        printf("  Met:      %s\n", v.met);
                if (v.tags && v.tags[0]) {
                        printf("  Tags:    ");
                        for (char **t = v.tags; *t; t++)
                                printf(" %s", *t);
                        putchar('\n');
                }
                local_time_format(v.created, when, sizeof when);
                printf("  Added:    %s\n", when);
                print_keep_in_touch(&v, now);
                if (v.n_interactions > 0)
                        printf("  History:  %" PRIu32 " interaction%s, gave %" PRIu32 ", got %" PRIu32
                               ", %" PRIu32 " lead%s\n", v.n_interactions, v.n_interactions == 1 ? "" : "s",
                               v.n_gave, v.n_got, v.n_leads, v.n_leads == 1 ? "" : "s");
                if (v.note[0]) {
                        printf("  Note:     ");
                        for (const char *p = v.note; *p; p++) {
                                putchar(*p);
                                if (*p == '\n')
                                        printf("            ");
                        }
                        putchar('\n');
                }
                printf("\nInteractions%s:\n", v.n_interactions > SHOW_INTERACTIONS ? " (latest 20)" : "");
        }

        r = sd_bus_message_enter_container(history, SD_BUS_TYPE_ARRAY, NETCTL_INTERACTION_SIG);
        unsigned shown = 0;
        while (r >= 0 && (r = read_interaction(history, &i)) > 0) {
                if (json)
                        interaction_json(&w, &i);
                else
                        print_interaction(&i);
                shown++;
        }
        if (!json && shown == 0)
                printf("  none yet (netctl log %s --kind coffee ...)\n", v.handle);

        if (json) {
                json_end_array(&w);
                json_key(&w, "followups");
                json_begin_array(&w);
        } else
                printf("\nOpen follow-ups:\n");

        shown = 0;
        if (r >= 0)
                r = sd_bus_message_enter_container(fups, SD_BUS_TYPE_ARRAY, NETCTL_FOLLOWUP_SIG);
        while (r >= 0) {
                uint64_t fid, every;
                const char *uid, *text, *kind, *contact;
                int64_t due, done_at, notified_at;
                int fixed;
                r = sd_bus_message_read(fups, NETCTL_FOLLOWUP_SIG, &fid, &uid, &text, &kind, &due, &done_at,
                                        &every, &fixed, &notified_at, &contact);
                if (r <= 0)
                        break;
                if (json) {
                        json_begin_object(&w);
                        json_key(&w, "id");
                        json_uint(&w, fid);
                        json_key(&w, "text");
                        json_string(&w, text);
                        json_key(&w, "kind");
                        json_string(&w, kind);
                        json_key(&w, "due");
                        json_time_utc(&w, due);
                        json_key(&w, "due_local");
                        json_time_local(&w, due);
                        json_end_object(&w);
                } else {
                        char local[64], rel[64];
                        local_time_format(due, local, sizeof local);
                        due_phrase(due, now, rel, sizeof rel);
                        printf("  #%-4" PRIu64 " %s (%s)  %s\n", fid, local, rel, text);
                }
                shown++;
        }
        if (!json && shown == 0)
                printf("  none\n");
        if (json) {
                json_end_array(&w);
                json_end_object(&w);
                json_finish(&w);
        }
        contact_view_done(&v);
        return r < 0 ? fail("unexpected reply from netctld: %s", strerror(-r)) : 0;
}

/* ---- contact edit ---- */

static int contact_edit(int argc, char *argv[]) {
        enum { ARG_RM_EMAIL = 0x100, ARG_UNTAG, ARG_ARCHIVE, ARG_UNARCHIVE };
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h' },
                { "name",      required_argument, NULL, 'N' },
                { "handle",    required_argument, NULL, 'H' },
                { "email",     required_argument, NULL, 'e' },
                { "rm-email",  required_argument, NULL, ARG_RM_EMAIL },
                { "org",       required_argument, NULL, 'o' },
                { "tie",       required_argument, NULL, 't' },
                { "every",     required_argument, NULL, 'E' },
                { "met",       required_argument, NULL, 'm' },
                { "tag",       required_argument, NULL, 'T' },
                { "untag",     required_argument, NULL, ARG_UNTAG },
                { "note",      required_argument, NULL, 'n' },
                { "archive",   no_argument,       NULL, ARG_ARCHIVE },
                { "unarchive", no_argument,       NULL, ARG_UNARCHIVE },
                {}
        };
        const char *verb = "contact edit";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *name = NULL, *handle = NULL, *org = NULL, *tie = NULL, *met = NULL, *note = NULL;
        ArgList add_emails = {}, rm_emails = {}, add_tags = {}, rm_tags = {};
        int64_t cadence = 0;
        bool have_cadence = false;
        int archived = -1, c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("contact");
                        return 0;
                case 'N':
                        name = optarg;
                        r = check_line_arg(verb, "the name", name, NETCTL_NAME_MAX, false);
                        break;
                case 'H':
                        handle = optarg;
                        r = check_line_arg(verb, "the handle", handle, 64, false);
                        break;
                case 'e':
                        r = check_email_arg(verb, optarg);
                        if (r == 0)
                                r = arglist_add(verb, "--email", &add_emails, EMAILS_MAX, optarg);
                        break;
                case ARG_RM_EMAIL:
                        r = check_line_arg(verb, "--rm-email", optarg, 254, false);
                        if (r == 0)
                                r = arglist_add(verb, "--rm-email", &rm_emails, EMAILS_MAX, optarg);
                        break;
                case 'o':
                        org = optarg;
                        r = check_line_arg(verb, "the organisation", org, NETCTL_NAME_MAX, true);
                        break;
                case 't':
                        tie = optarg;
                        r = parse_tie_arg(verb, tie);
                        break;
                case 'E':
                        r = parse_cadence_arg(verb, optarg, &cadence);
                        have_cadence = true;
                        break;
                case 'm':
                        met = optarg;
                        r = check_line_arg(verb, "--met", met, NETCTL_TEXT_MAX, true);
                        break;
                case 'T':
                        r = check_tag_arg(verb, optarg);
                        if (r == 0)
                                r = arglist_add(verb, "--tag", &add_tags, TAGS_MAX, optarg);
                        break;
                case ARG_UNTAG:
                        r = check_tag_arg(verb, optarg);
                        if (r == 0)
                                r = arglist_add(verb, "--untag", &rm_tags, TAGS_MAX, optarg);
                        break;
                case 'n':
                        note = optarg;
                        r = check_note_arg(verb, note);
                        break;
                case ARG_ARCHIVE:
                case ARG_UNARCHIVE:
                        if (archived >= 0)
                                return usage_error(verb, "give --archive or --unarchive, once.");
                        archived = c == ARG_ARCHIVE;
                        r = 0;
                        break;
                default:
                        return option_error(verb, argv);
                }
                if (r != 0)
                        return r;
        }
        if (optind + 1 != argc)
                return usage_error(verb, "expected one contact (id, handle, e-mail or name).");
        const char *who = argv[optind];
        if (!name && !handle && !org && !tie && !met && !note && !have_cadence && archived < 0 &&
            !add_emails.n && !rm_emails.n && !add_tags.n && !rm_tags.n)
                return usage_error(verb, "nothing to change: give --name, --email, --org, --tie, --every, "
                                   "--tag, --met, --note, --archive ...");

        r = client_new_call(NETCTL_IFACE_CONTACTS, "Edit", &m);
        if (r < 0)
                return EXIT_FAILURE;
        r = sd_bus_message_append(m, "s", who);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && name)
                r = bus_append_sv(m, "name", "s", name);
        if (r >= 0 && handle)
                r = bus_append_sv(m, "handle", "s", handle);
        if (r >= 0 && org)
                r = bus_append_sv(m, "org", "s", org);
        if (r >= 0 && tie)
                r = bus_append_sv(m, "tie", "s", tie);
        if (r >= 0 && have_cadence)
                r = bus_append_sv(m, "cadence", "x", cadence);
        if (r >= 0 && met)
                r = bus_append_sv(m, "met", "s", met);
        if (r >= 0 && note)
                r = bus_append_sv(m, "note", "s", note);
        if (r >= 0 && archived >= 0)
                r = bus_append_sv(m, "archived", "b", archived);
        if (r >= 0 && add_emails.n)
                r = append_strv_option(m, "add_emails", add_emails.items);
        if (r >= 0 && rm_emails.n)
                r = append_strv_option(m, "remove_emails", rm_emails.items);
        if (r >= 0 && add_tags.n)
                r = append_strv_option(m, "add_tags", add_tags.items);
        if (r >= 0 && rm_tags.n)
                r = append_strv_option(m, "remove_tags", rm_tags.items);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r));

        if (client_call_message(m, &reply) < 0)
                return EXIT_FAILURE;
        const char *new_handle;
        if (sd_bus_message_read(reply, "s", &new_handle) < 0)
                return fail("unexpected reply from netctld");
        printf("%s %s.\n", archived == 1 ? "Archived" : archived == 0 ? "Brought back" : "Updated", new_handle);
        return 0;
}

/* ---- contact rm ---- */

static int contact_rm(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "force",   no_argument, NULL, 'f' },
                { "archive", no_argument, NULL, 'a' },
                {}
        };
        const char *verb = "contact rm";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL, *resolved = NULL;
        bool force = false, archive = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "hf", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("contact");
                        return 0;
                case 'f':
                        force = true;
                        break;
                case 'a':
                        archive = true;
                        break;
                default:
                        return option_error(verb, argv);
                }
        }
        if (optind + 1 != argc)
                return usage_error(verb, "expected one contact (id, handle, e-mail or name).");
        if (force && archive)
                return usage_error(verb, "give --force or --archive, not both.");
        const char *who = argv[optind];

        /* Resolve first, so the message names who it was. */
        uint64_t id;
        const char *handle, *name;
        if (client_call(NETCTL_IFACE_CONTACTS, "Resolve", &resolved, "s", who) < 0)
                return EXIT_FAILURE;
        if (sd_bus_message_read(resolved, "tss", &id, &handle, &name) < 0)
                return fail("unexpected reply from netctld");
        char id_text[32];
        snprintf(id_text, sizeof id_text, "%" PRIu64, id);

        r = client_new_call(NETCTL_IFACE_CONTACTS, "Remove", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", id_text);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && force)
                r = bus_append_sv(m, "force", "b", 1);
        if (r >= 0 && archive)
                r = bus_append_sv(m, "archive", "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return EXIT_FAILURE;
        if (client_call_message(m, &reply) < 0)
                return EXIT_FAILURE;

        const char *outcome;
        uint32_t deleted;
        if (sd_bus_message_read(reply, "su", &outcome, &deleted) < 0)
                return fail("unexpected reply from netctld");
        if (archive)
                printf("Archived %s (%s); the history stays (netctl contact list --archived).\n", name, handle);
        else if (deleted > 0)
                printf("Removed %s (%s) and %" PRIu32 " logged interaction%s.\n", name, handle, deleted,
                       deleted == 1 ? "" : "s");
        else
                printf("Removed %s (%s).\n", name, handle);
        return 0;
}

/* ---- contact import ---- */

/* Reads at most max bytes of path; -EFBIG beyond. */
static int read_bounded(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        char *buf;
        size_t n = 0, allocated;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max)
                return -EFBIG;
        allocated = S_ISREG(st.st_mode) ? (size_t) st.st_size + 1 : 65536;
        buf = malloc(allocated);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (n == allocated) {
                        if (allocated > max) {
                                free(buf);
                                return -EFBIG;
                        }
                        size_t grow = allocated * 2;
                        char *bigger = realloc(buf, grow);
                        if (!bigger) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = bigger;
                        allocated = grow;
                }
                ssize_t k = read(fd, buf + n, allocated - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = -errno;
                        free(buf);
                        return e;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max) {
                        free(buf);
                        return -EFBIG;
                }
        }
        *ret = buf;
        *ret_size = n;
        return 0;
}

static int contact_import(int argc, char *argv[]) {
        enum { ARG_KEEP_IN_TOUCH = 0x100 };
        static const struct option options[] = {
                { "help",          no_argument, NULL, 'h' },
                { "json",          no_argument, NULL, 'j' },
                { "keep-in-touch", no_argument, NULL, ARG_KEEP_IN_TOUCH },
                {}
        };
        const char *verb = "contact import";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        bool json = false, keep_in_touch = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("contact");
                        return 0;
                case 'j':
                        json = true;
                        break;
                case ARG_KEEP_IN_TOUCH:
                        keep_in_touch = true;
                        break;
                default:
                        return option_error(verb, argv);
                }
        }
        if (optind + 1 != argc)
                return usage_error(verb, "expected one FILE.vcf.");
        const char *path = argv[optind];

        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        r = read_bounded(path, NETCTL_VCARD_FILE_MAX, &data, &size);
        if (r == -EFBIG)
                return fail("%s is larger than 16 MiB; split it into several files.", path);
        if (r < 0)
                return fail("cannot read %s: %s.", path, strerror(-r));

        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        /* The name only labels messages: anything not plain text is left out. */
        if (text_check_line(base, 255, true, NULL) < 0)
                base = "";

        sd_bus *bus;
        r = client_bus(&bus);
        if (r < 0)
                return EXIT_FAILURE;
        r = client_new_call(NETCTL_IFACE_CONTACTS, "Import", &m);
        if (r < 0)
                return EXIT_FAILURE;
        client_allow_long_calls();
        r = sd_bus_message_append_array(m, 'y', data, size);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", base);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && keep_in_touch)
                r = bus_append_sv(m, "keep_in_touch", "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r));

        /* A large address book takes a while: longer than the default
         * 25 s D-Bus timeout. */
        r = sd_bus_call(bus, m, IMPORT_TIMEOUT_USEC, &error, &reply);
        if (r < 0) {
                if (error.message)
                        fail("%s", error.message);
                else
                        fail("calling netctld failed: %s", strerror(-r));
                sd_bus_error_free(&error);
                return EXIT_FAILURE;
        }

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_IMPORT_CARD_SIG);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));

        unsigned added = 0, updated = 0, unchanged = 0, skipped = 0;
        JsonWriter w;
        Table *t = NULL;
        if (json) {
                json_init(&w, stdout);
                json_begin_object(&w);
                json_key(&w, "cards");
                json_begin_array(&w);
        } else {
                t = table_new(5, "LINE", "OUTCOME", "HANDLE", "NAME", "DETAIL");
                if (!t)
                        return fail("out of memory");
        }
        for (;;) {
                uint32_t line;
                const char *name, *outcome, *detail, *handle;
                uint64_t id;
                r = sd_bus_message_read(reply, NETCTL_IMPORT_CARD_SIG, &line, &name, &outcome, &detail,
                                        &id, &handle);
                if (r <= 0)
                        break;
                added += strcmp(outcome, "added") == 0;
                updated += strcmp(outcome, "updated") == 0;
                unchanged += strcmp(outcome, "unchanged") == 0;
                skipped += strcmp(outcome, "skipped") == 0;
                if (json) {
                        json_begin_object(&w);
                        json_key(&w, "line");
                        json_uint(&w, line);
                        json_key(&w, "name");
                        json_string(&w, name);
                        json_key(&w, "outcome");
                        json_string(&w, outcome);
                        json_key(&w, "handle");
                        json_string_or_null(&w, handle);
                        json_key(&w, "id");
                        if (id)
                                json_uint(&w, id);
                        else
                                json_null(&w);
                        json_key(&w, "detail");
                        json_string_or_null(&w, detail);
                        json_end_object(&w);
                } else {
                        char line_text[16];
                        snprintf(line_text, sizeof line_text, "%" PRIu32, line);
                        if (table_add_row(t, line_text, outcome, handle, name, detail) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                }
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "s");
        if (json) {
                json_end_array(&w);
                json_key(&w, "warnings");
                json_begin_array(&w);
        } else if (table_rows(t) > 0)
                table_print(t, stdout);
        table_free(t);
        const char *warning;
        while (r >= 0 && (r = sd_bus_message_read(reply, "s", &warning)) > 0) {
                if (json)
                        json_string(&w, warning);
                else
                        fprintf(stderr, "netctl: %s: %s\n", base[0] ? base : path, warning);
        }
        /* Cards the parser could not use (no name, no e-mail) count as
         * skipped too; its warnings say which. */
        uint32_t unusable = 0;
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "u", &unusable);
        skipped += unusable;
        if (json) {
                json_end_array(&w);
                json_key(&w, "added");
                json_uint(&w, added);
                json_key(&w, "updated");
                json_uint(&w, updated);
                json_key(&w, "unchanged");
                json_uint(&w, unchanged);
                json_key(&w, "skipped");
                json_uint(&w, skipped);
                json_end_object(&w);
                json_finish(&w);
        } else {
                printf("%u added, %u updated, %u unchanged, %u skipped.\n", added, updated, unchanged, skipped);
                if (added > 0 && !keep_in_touch)
                        printf("New contacts have no keep-in-touch reminders yet: turn them on for the people "
                               "you network with (netctl contact edit WHO --every default), or import with "
                               "--keep-in-touch.\n");
        }
        return r < 0 ? fail("unexpected reply from netctld: %s", strerror(-r)) : 0;
}

/* ---- contact ---- */

int verb_contact(int argc, char *argv[]) {
        static const struct {
                const char *name;
                int (*run)(int argc, char *argv[]);
        } subs[] = {
                { "add",    contact_add },
                { "list",   contact_list },
                { "ls",     contact_list },
                { "show",   contact_show },
                { "edit",   contact_edit },
                { "rm",     contact_rm },
                { "import", contact_import },
        };

        if (argc < 2)
                return usage_error("contact", "expected add, list, show, edit, rm or import.");
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
                verb_help("contact");
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(subs); i++)
                if (strcmp(argv[1], subs[i].name) == 0)
                        return subs[i].run(argc - 1, argv + 1);
        return usage_error("contact", "unknown subcommand \"%s\"; expected add, list, show, edit, rm or import.",
                           argv[1]);
}

/* ---- log, unlog ---- */

int verb_log(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",  no_argument,       NULL, 'h' },
                { "kind",  required_argument, NULL, 'k' },
                { "gave",  required_argument, NULL, 'g' },
                { "got",   required_argument, NULL, 'G' },
                { "note",  required_argument, NULL, 'n' },
                { "when",  required_argument, NULL, 'w' },
                { "lead",  no_argument,       NULL, 'l' },
                { "quiet", no_argument,       NULL, 'q' },
                {}
        };
        const char *verb = "log";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL, *got_reply = NULL;
        const char *kind = "", *gave = NULL, *got = NULL, *note = NULL;
        int64_t at = 0, now = now_seconds();
        bool lead = false, quiet = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "hk:q", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("log");
                        return 0;
                case 'k':
                        kind = optarg;
                        if (strcmp(kind, "coffee") != 0 && strcmp(kind, "call") != 0 &&
                            strcmp(kind, "email") != 0 && strcmp(kind, "message") != 0 &&
                            strcmp(kind, "meeting") != 0 && strcmp(kind, "event") != 0 &&
                            strcmp(kind, "intro") != 0)
                                return usage_error(verb, "--kind takes coffee, call, email, message, meeting, "
                                                   "event or intro, not \"%s\".", kind);
                        break;
                case 'g':
                        gave = optarg;
                        r = check_line_arg(verb, "--gave", gave, NETCTL_TEXT_MAX, true);
                        if (r != 0)
                                return r;
                        break;
                case 'G':
                        got = optarg;
                        r = check_line_arg(verb, "--got", got, NETCTL_TEXT_MAX, true);
                        if (r != 0)
                                return r;
                        break;
                case 'n':
                        note = optarg;
                        r = check_note_arg(verb, note);
                        if (r != 0)
                                return r;
                        break;
                case 'w':
                        r = when_parse_past(optarg, now, &at);
                        if (r == -ERANGE)
                                return usage_error(verb, "--when \"%s\" is in the future or out of range; "
                                                   "log what happened, plan the rest with netctl add.", optarg);
                        if (r < 0)
                                return usage_error(verb, "--when \"%s\" is not a past time netctl understands "
                                                   "(e.g. \"yesterday\", \"3d ago\", \"mon 18:00\", "
                                                   "\"2026-11-02\").", optarg);
                        break;
                case 'l':
                        lead = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                default:
                        return option_error(verb, argv);
                }
        }
        if (optind + 1 != argc)
                return usage_error(verb, "expected one contact (id, handle, e-mail or name).");
        const char *who = argv[optind];
        r = check_line_arg(verb, "the contact", who, 512, false);
        if (r != 0)
                return r;

        r = client_new_call(NETCTL_IFACE_CONTACTS, "Log", &m);
        if (r < 0)
                return EXIT_FAILURE;
        r = sd_bus_message_append(m, "ssx", who, kind, at);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && gave)
                r = bus_append_sv(m, "gave", "s", gave);
        if (r >= 0 && got)
                r = bus_append_sv(m, "got", "s", got);
        if (r >= 0 && note)
                r = bus_append_sv(m, "note", "s", note);
        if (r >= 0 && lead)
                r = bus_append_sv(m, "lead", "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r));
        if (client_call_message(m, &reply) < 0)
                return EXIT_FAILURE;

        uint64_t id;
        if (sd_bus_message_read(reply, "t", &id) < 0)
                return fail("unexpected reply from netctld");
        if (quiet) {
                printf("%" PRIu64 "\n", id);
                return 0;
        }

        ContactView v;
        if (get_contact(who, &got_reply, &v) != 0) {
                printf("Logged #%" PRIu64 ".\n", id);
                return 0;
        }
        char when[64];
        local_time_format(at ? at : now, when, sizeof when);
        printf("Logged %s with %s (#%" PRIu64 ", %s).", kind[0] ? kind : "message", v.name, id, when);
        if (lead || (got && strncasecmp(got, "lead", 4) == 0 && got[4] && strchr(":- ", got[4])))
                printf(" A lead: well done.");
        putchar('\n');
        if (v.next_due && !v.archived_at) {
                char local[64], rel[64];
                local_time_format(v.next_due, local, sizeof local);
                due_phrase(v.next_due, now, rel, sizeof rel);
                printf("Next reconnect: %s (%s).\n", local, rel);
        }
        contact_view_done(&v);
        return 0;
}

int verb_unlog(int argc, char *argv[]) {
        return run_on_ids(argc, argv, "unlog",
                          "expected one or more interaction ids (netctl contact show WHO lists them).",
                          NETCTL_IFACE_CONTACTS, "RemoveInteraction", "Removed interaction");
}

/* ---- suggest ---- */

int verb_suggest(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool json = false;
        long count = SUGGEST_DEFAULT;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("suggest");
                        return 0;
                case 'j':
                        json = true;
                        break;
                default:
                        return option_error("suggest", argv);
                }
        }
        if (optind + 1 < argc)
                return usage_error("suggest", "expected at most one number.");
        if (optind < argc) {
                r = parse_count_arg("suggest", "N", argv[optind], 1, SUGGEST_MAX, &count);
                if (r != 0)
                        return r;
        }

        if (client_call(NETCTL_IFACE_CONTACTS, "Suggest", &reply, "u", (uint32_t) count) < 0)
                return EXIT_FAILURE;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_SUGGESTION_SIG);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));

        JsonWriter w;
        if (json) {
                json_init(&w, stdout);
                json_begin_array(&w);
        }
        unsigned n = 0;
        for (;;) {
                uint64_t id;
                const char *handle, *name, *tie, *last_kind, *reason;
                int64_t due, last_at;
                int never;
                r = sd_bus_message_read(reply, NETCTL_SUGGESTION_SIG, &id, &handle, &name, &tie, &due,
                                        &last_at, &last_kind, &never, &reason);
                if (r <= 0)
                        break;
                n++;
                if (json) {
                        json_begin_object(&w);
                        json_key(&w, "id");
                        json_uint(&w, id);
                        json_key(&w, "handle");
                        json_string(&w, handle);
                        json_key(&w, "name");
                        json_string(&w, name);
                        json_key(&w, "tie");
                        json_string(&w, tie);
                        json_key(&w, "due");
                        json_time_utc(&w, due);
                        json_key(&w, "last_interaction");
                        json_time_utc(&w, last_at);
                        json_key(&w, "last_kind");
                        json_string_or_null(&w, last_kind);
                        json_key(&w, "never_contacted");
                        json_bool(&w, never);
                        json_key(&w, "reason");
                        json_string(&w, reason);
                        json_end_object(&w);
                } else {
                        if (n == 1)
                                printf("Reach out to:\n");
                        printf("%2u. %s (%s, %s tie): %s\n", n, name, handle, tie, reason);
                }
        }
        if (json) {
                json_end_array(&w);
                json_finish(&w);
        } else if (n == 0 && r >= 0)
                printf("Nobody is due for a reconnect right now. Enjoy the quiet, or add someone new.\n");
        else if (r >= 0)
                printf("\nWhen you have been in touch: netctl log HANDLE --kind message\n");
        return r < 0 ? fail("unexpected reply from netctld: %s", strerror(-r)) : 0;
}

/* ---- stats ---- */

/* A bar of value/max of `width` cells: full blocks and one eighth-block
 * remainder in UTF-8, '#' otherwise.  A value above zero shows at least a
 * sliver. */
static void print_bar(FILE *out, uint32_t value, uint32_t max, unsigned width, bool utf8) {
        static const char *const eighths[] = { "", "\u258F", "\u258E", "\u258D", "\u258C", "\u258B", "\u258A", "\u2589" };
        unsigned cells_eighths, used = 0;

        if (max == 0 || value == 0) {
                fprintf(out, "%*s", (int) width, "");
                return;
        }
        cells_eighths = (unsigned) (((uint64_t) value * width * 8 + max / 2) / max);
        if (cells_eighths == 0)
                cells_eighths = 1;
        if (utf8) {
                for (unsigned i = 0; i < cells_eighths / 8; i++, used++)
                        fputs("\u2588", out);
                if (cells_eighths % 8) {
                        fputs(eighths[cells_eighths % 8], out);
                        used++;
                }
        } else {
                unsigned cells = (cells_eighths + 4) / 8;
                if (cells == 0)
                        cells = 1;
                for (; used < cells; used++)
                        fputc('#', out);
        }
        for (; used < width; used++)
                fputc(' ', out);
}

/* The percentage of part in whole, rounded; 0 for an empty whole. */
static unsigned percent(uint32_t part, uint32_t whole) {
        return whole ? (unsigned) (((uint64_t) part * 100 + whole / 2) / whole) : 0;
}

int verb_stats(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",  no_argument,       NULL, 'h' },
                { "weeks", required_argument, NULL, 'w' },
                { "json",  no_argument,       NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        long weeks = STATS_WEEKS_DEFAULT;
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "hw:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("stats");
                        return 0;
                case 'w':
                        r = parse_count_arg("stats", "--weeks", optarg, 1, STATS_WEEKS_MAX, &weeks);
                        if (r != 0)
                                return r;
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return option_error("stats", argv);
                }
        }
        if (optind != argc)
                return usage_error("stats", "unexpected argument \"%s\".", argv[optind]);

        /* Weeks start on Monday 00:00 local time; the last one is this week. */
        int64_t now = now_seconds(), bounds[STATS_WEEKS_MAX + 1];
        time_t tt = (time_t) now;
        struct tm tm;
        if (!localtime_r(&tt, &tm))
                return fail("cannot read the local time.");
        int since_monday = (tm.tm_wday + 6) % 7;
        for (long i = 0; i <= weeks; i++)
                bounds[i] = local_midnight(now, (int) (-since_monday - 7 * (weeks - 1 - i)));

        r = client_new_call(NETCTL_IFACE_CONTACTS, "Stats", &m);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'x', bounds, (size_t) (weeks + 1) * sizeof bounds[0]);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r));
        if (client_call_message(m, &reply) < 0)
                return EXIT_FAILURE;

        struct {
                int64_t start;
                uint32_t interactions, weak, strong, gave, got, leads, new_contacts, weak_people;
        } week[STATS_WEEKS_MAX];
        size_t n = 0;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_STATS_WEEK_SIG);
        while (r >= 0 && n < STATS_WEEKS_MAX) {
                r = sd_bus_message_read(reply, NETCTL_STATS_WEEK_SIG, &week[n].start, &week[n].interactions,
                                        &week[n].weak, &week[n].strong, &week[n].gave, &week[n].got,
                                        &week[n].leads, &week[n].new_contacts, &week[n].weak_people);
                if (r <= 0)
                        break;
                n++;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);

        struct {
                uint32_t contacts, weak_contacts, strong_contacts, archived, interactions, weak, strong,
                        gave, got, leads, leads_weak, leads_strong;
                int32_t goal_weak, goal_new, goal_given;
                const char *nudge;
        } tot = { .nudge = "" };
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
        while (r >= 0) {
                const char *key, *contents;
                r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv");
                if (r <= 0)
                        break;
                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        break;
                r = sd_bus_message_peek_type(reply, NULL, &contents);
                if (r < 0)
                        break;
                static const char *const ukeys[] = { "contacts", "weak_contacts", "strong_contacts", "archived",
                        "interactions", "weak", "strong", "gave", "got", "leads", "leads_weak", "leads_strong" };
                uint32_t *uvals[] = { &tot.contacts, &tot.weak_contacts, &tot.strong_contacts, &tot.archived,
                        &tot.interactions, &tot.weak, &tot.strong, &tot.gave, &tot.got, &tot.leads,
                        &tot.leads_weak, &tot.leads_strong };
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(ukeys) && contents && strcmp(contents, "u") == 0; i++)
                        if (strcmp(key, ukeys[i]) == 0) {
                                r = sd_bus_message_read(reply, "v", "u", uvals[i]);
                                known = true;
                        }
                if (!known && contents && strcmp(contents, "i") == 0) {
                        int32_t *target = strcmp(key, "goal_weak_reconnects") == 0 ? &tot.goal_weak :
                                          strcmp(key, "goal_new_contacts") == 0 ? &tot.goal_new :
                                          strcmp(key, "goal_given") == 0 ? &tot.goal_given : NULL;
                        if (target) {
                                r = sd_bus_message_read(reply, "v", "i", target);
                                known = true;
                        }
                }
                if (!known && contents && strcmp(contents, "s") == 0 && strcmp(key, "goal_nudge") == 0) {
                        r = sd_bus_message_read(reply, "v", "s", &tot.nudge);
                        known = true;
                }
                if (!known)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));

        const size_t current = n - 1;
        if (json) {
                JsonWriter w;
                json_init(&w, stdout);
                json_begin_object(&w);
                json_key(&w, "weeks");
                json_begin_array(&w);
                for (size_t i = 0; i < n; i++) {
                        json_begin_object(&w);
                        json_key(&w, "start");
                        json_time_utc(&w, week[i].start);
                        json_key(&w, "start_local");
                        json_time_local(&w, week[i].start);
                        json_key(&w, "interactions");
                        json_uint(&w, week[i].interactions);
                        json_key(&w, "weak");
                        json_uint(&w, week[i].weak);
                        json_key(&w, "strong");
                        json_uint(&w, week[i].strong);
                        json_key(&w, "gave");
                        json_uint(&w, week[i].gave);
                        json_key(&w, "got");
                        json_uint(&w, week[i].got);
                        json_key(&w, "leads");
                        json_uint(&w, week[i].leads);
                        json_key(&w, "new_contacts");
                        json_uint(&w, week[i].new_contacts);
                        json_key(&w, "weak_ties_reached");
                        json_uint(&w, week[i].weak_people);
                        json_end_object(&w);
                }
                json_end_array(&w);
                json_key(&w, "totals");
                json_begin_object(&w);
                json_key(&w, "contacts");
                json_uint(&w, tot.contacts);
                json_key(&w, "weak_contacts");
                json_uint(&w, tot.weak_contacts);
                json_key(&w, "strong_contacts");
                json_uint(&w, tot.strong_contacts);
                json_key(&w, "archived");
                json_uint(&w, tot.archived);
                json_key(&w, "interactions");
                json_uint(&w, tot.interactions);
                json_key(&w, "weak");
                json_uint(&w, tot.weak);
                json_key(&w, "strong");
                json_uint(&w, tot.strong);
                json_key(&w, "gave");
                json_uint(&w, tot.gave);
                json_key(&w, "got");
                json_uint(&w, tot.got);
                json_key(&w, "leads");
                json_uint(&w, tot.leads);
                json_key(&w, "leads_weak");
                json_uint(&w, tot.leads_weak);
                json_key(&w, "leads_strong");
                json_uint(&w, tot.leads_strong);
                json_end_object(&w);
                json_key(&w, "goals");
                json_begin_object(&w);
                json_key(&w, "weak_reconnects");
                json_int(&w, tot.goal_weak);
                json_key(&w, "new_contacts");
                json_int(&w, tot.goal_new);
                json_key(&w, "given");
                json_int(&w, tot.goal_given);
                json_end_object(&w);
                json_key(&w, "this_week");
                json_begin_object(&w);
                json_key(&w, "weak_reconnects");
                json_uint(&w, n ? week[current].weak_people : 0);
                json_key(&w, "new_contacts");
                json_uint(&w, n ? week[current].new_contacts : 0);
                json_key(&w, "given");
                json_uint(&w, n ? week[current].gave : 0);
                json_end_object(&w);
                json_key(&w, "nudge");
                json_string_or_null(&w, tot.nudge);
                json_end_object(&w);
                json_finish(&w);
                return 0;
        }

        /* Unicode blocks on a UTF-8 terminal; '#' in a pipe or another
         * locale, like every other output. */
        bool utf8 = output_unicode();
        uint32_t max = 0;
        for (size_t i = 0; i < n; i++)
                if (week[i].interactions > max)
                        max = week[i].interactions;
        /* "2026-11-16  <bar>  12 (7 weak, 5 strong)" */
        unsigned term = output_terminal_width();
        unsigned bar = term > 10 + 2 + 2 + 26 + 10 ? term - (10 + 2 + 2 + 26) : 10;
        if (bar > 50)
                bar = 50;

        printf("Interactions per week%s:\n", weeks > 1 ? "" : " (this week)");
        for (size_t i = 0; i < n; i++) {
                char label[16];
                time_t start = (time_t) week[i].start;
                struct tm wt;
                if (!localtime_r(&start, &wt) || !strftime(label, sizeof label, "%Y-%m-%d", &wt))
                        snprintf(label, sizeof label, "?");
                printf("%s  ", label);
                print_bar(stdout, week[i].interactions, max, bar, utf8);
                printf("  %" PRIu32, week[i].interactions);
                if (week[i].interactions)
                        printf(" (%" PRIu32 " weak, %" PRIu32 " strong)", week[i].weak, week[i].strong);
                putchar('\n');
        }

        printf("\nContacts:   %" PRIu32 " (%" PRIu32 " weak, %" PRIu32 " strong)", tot.contacts,
               tot.weak_contacts, tot.strong_contacts);
        if (tot.archived)
                printf(", %" PRIu32 " archived", tot.archived);
        putchar('\n');
        if (tot.interactions)
                printf("Mix:        %u%% with weak ties, %u%% with strong ties\n",
                       percent(tot.weak, tot.interactions), percent(tot.strong, tot.interactions));
        else
                printf("Mix:        nothing logged in these weeks\n");
        printf("Gave/got:   gave %" PRIu32 ", got %" PRIu32 "%s\n", tot.gave, tot.got,
               tot.gave == tot.got ? (tot.gave ? " (balanced)" : "") :
               tot.gave > tot.got ? " (you give more: good for the network)" :
               " (a good moment to give something back)");
        printf("Leads:      %" PRIu32, tot.leads);
        if (tot.leads)
                printf(" (%" PRIu32 " from weak ties, %" PRIu32 " from strong ties)", tot.leads_weak,
                       tot.leads_strong);
        putchar('\n');
        if (n > 0 && (tot.goal_weak > 0 || tot.goal_new > 0 || tot.goal_given > 0))
                printf("This week:  %" PRIu32 " of %" PRId32 " weak-tie reconnects, %" PRIu32 " of %" PRId32
                       " new contacts, %" PRIu32 " of %" PRId32 " things given\n",
                       week[current].weak_people, tot.goal_weak, week[current].new_contacts, tot.goal_new,
                       week[current].gave, tot.goal_given);
        if (tot.nudge[0])
                printf("\n%s\n", tot.nudge);
        return 0;
}
