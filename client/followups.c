/* SPDX-License-Identifier: MIT */
/* The follow-up verbs: add, list, show, done, snooze, rm, edit. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bus-util.h"
#include "bus-names.h"
#include "client.h"
#include "followup-rows.h"
#include "json.h"
#include "output.h"
#include "timeparse.h"

static int read_followup(sd_bus_message *m, FollowupRow *f) {
        return sd_bus_message_read(m, NETCTL_FOLLOWUP_SIG, &f->id, &f->uid, &f->text, &f->kind,
                                   &f->due, &f->done_at, &f->every, &f->every_fixed,
                                   &f->notified_at, &f->contact);
}

static void followup_json(JsonWriter *w, const FollowupRow *f) {
        json_begin_object(w);
        json_key(w, "id");
        json_uint(w, f->id);
        json_key(w, "uid");
        json_string(w, f->uid);
        json_key(w, "text");
        json_string(w, f->text);
        json_key(w, "kind");
        json_string(w, f->kind);
        json_key(w, "due");
        json_time_utc(w, f->due);
        json_key(w, "due_local");
        json_time_local(w, f->due);
        json_key(w, "done_at");
        json_time_utc(w, f->done_at);
        json_key(w, "every");
        if (f->every > 0)
                json_uint(w, f->every);
        else
                json_null(w);
        json_key(w, "every_fixed");
        json_bool(w, f->every_fixed);
        json_key(w, "contact");
        json_string(w, f->contact[0] ? f->contact : NULL);
        json_key(w, "notified");
        json_bool(w, f->notified_at != 0);
        json_key(w, "notified_at");
        json_time_utc(w, f->notified_at);
        json_end_object(w);
}

int verb_add(int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        AddArgs args;
        int r;

        r = add_args_parse(argc, argv, &args);
        if (r == 1) {
                verb_help("add");
                return 0;
        }
        if (r != 0)
                return r;

        r = client_new_call(NETCTL_IFACE_FOLLOWUPS, "Add", &m);
        if (r < 0)
                return EXIT_FAILURE;
        r = sd_bus_message_append(m, "sx", args.text, args.due);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && args.every > 0)
                r = bus_append_sv(m, "every", "t", (uint64_t) args.every);
        if (r >= 0 && args.fixed)
                r = bus_append_sv(m, "every_fixed", "b", 1);
        if (r >= 0 && args.contact)
                r = bus_append_sv(m, "contact", "s", args.contact);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r));

        if (client_call_message(m, &reply) < 0)
                return EXIT_FAILURE;

        uint64_t id;
        r = sd_bus_message_read(reply, "t", &id);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        add_args_print_added(&args, id);
        return 0;
}

typedef enum ListRange {
        LIST_OPEN,
        LIST_OVERDUE,
        LIST_TODAY,
        LIST_WEEK,
        LIST_ALL,
} ListRange;

/* The follow-ups a listing returned: the rows ListStream writes into a
 * pipe, read as they arrive, or the array in a List reply (from a netctld
 * that predates ListStream, or over a bus that cannot pass file
 * descriptors). */
typedef struct FollowupListing {
        sd_bus_message *reply;
        bool streaming;
        int fd;                         /* the pipe's read end */
        char *data;                     /* what has arrived and is not yet read */
        size_t size, allocated, pos;
        bool magic_seen, eof, ended;
        char *error;                    /* the trailer's sentence, when it failed */
} FollowupListing;

static void followup_listing_done(FollowupListing *l) {
        sd_bus_message_unref(l->reply);
        if (l->streaming && l->fd >= 0)
                close(l->fd);
        free(l->data);
        free(l->error);
        *l = (FollowupListing) {};
}

/* Reads what the pipe has, after moving the unread rest to the start.
 * 0, or a negative errno. */
static int listing_read_more(FollowupListing *l) {
        if (l->pos > 0) {
                memmove(l->data, l->data + l->pos, l->size - l->pos);
                l->size -= l->pos;
                l->pos = 0;
        }
        if (l->size == l->allocated) {
                size_t want = l->allocated ? l->allocated * 2 : 256 * 1024;
                char *p = realloc(l->data, want);
                if (!p)
                        return -ENOMEM;
                l->data = p;
                l->allocated = want;
        }
        for (;;) {
                ssize_t n = read(l->fd, l->data + l->size, l->allocated - l->size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        l->eof = true;
                l->size += (size_t) n;
                return 0;
        }
}

/* The next row of a stream.  -EPIPE: netctld stopped before the trailer;
 * -EREMOTEIO: the trailer says the list failed (its sentence in l->error). */
static int listing_stream_next(FollowupListing *l, FollowupRow *ret) {
        for (;;) {
                if (!l->magic_seen && l->size - l->pos >= FOLLOWUP_ROWS_MAGIC_SIZE) {
                        if (!followup_rows_begin(l->data + l->pos, l->size - l->pos))
                                return -EBADMSG;
                        l->pos += FOLLOWUP_ROWS_MAGIC_SIZE;
                        l->magic_seen = true;
                }
                if (l->magic_seen) {
                        const char *p = l->data + l->pos;
                        FollowupRowsEnd end;
                        int r = followup_rows_next_streamed(&p, l->data + l->size, ret, &end);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                l->pos = (size_t) (p - l->data);
                        if (r == 1)
                                return 1;
                        if (r == 2) {
                                l->ended = true;
                                if (end.status == 0)
                                        return 0;
                                l->error = strdup(end.message[0] ? end.message : end.error_name);
                                return l->error ? -EREMOTEIO : -ENOMEM;
                        }
                }
                if (l->eof)
                        return -EPIPE;
                int r = listing_read_more(l);
                if (r < 0)
                        return r;
        }
}

/* Returns 1 and the next follow-up (its strings valid until the next
 * call), 0 after the last, or negative errno. */
static int followup_listing_next(FollowupListing *l, FollowupRow *ret) {
        if (!l->streaming)
                return read_followup(l->reply, ret);
        if (l->ended)
                return 0;
        return listing_stream_next(l, ret);
}

/* Says why a listing could not be read; returns the exit status. */
static int listing_failed(const FollowupListing *l, int r) {
        if (r == -EREMOTEIO && l->error)
                return fail("%s", l->error);
        if (r == -EPIPE)
                return fail("netctld stopped before the list was complete; try again.");
        return fail("unexpected reply from netctld: %s", strerror(-r));
}

static int append_list_args(sd_bus_message *m, int64_t from, int64_t to, const char *state,
                            const char *contact) {
        int r = sd_bus_message_append(m, "xxs", from, to, state);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && contact)
                r = bus_append_sv(m, "contact", "s", contact);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* Asks netctld for the follow-ups due in [from, to) in `state`, only
 * `contact`'s when that is not NULL.  ListStream hands the rows over
 * through a pipe while netctld still walks them: at 10,000 items, a List
 * array took most of the command's time to build, relay and read, and
 * with the rows in a file (ListMemfd) the client still waited for the
 * whole walk before it could format one.  List and ListFiltered remain
 * for a netctld that predates ListStream and for a bus that cannot pass
 * file descriptors.  Returns 0 or an exit status (after saying why). */
static int list_followups(int64_t from, int64_t to, const char *state, const char *contact,
                          FollowupListing *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        sd_bus *bus;
        int r;

        if (client_bus(&bus) < 0)
                return EXIT_FAILURE;

        if (sd_bus_can_send(bus, SD_BUS_TYPE_UNIX_FD) > 0) {
                if (client_new_call(NETCTL_IFACE_FOLLOWUPS, "ListStream", &m) < 0)
                        return EXIT_FAILURE;
                r = append_list_args(m, from, to, state, contact);
                if (r < 0)
                        return fail("cannot build the request: %s", strerror(-r));
                if (client_call_message_optional(m, &reply) < 0)
                        return EXIT_FAILURE;
                if (reply) {
                        int fd;
                        r = sd_bus_message_read(reply, "h", &fd);
                        if (r < 0)
                                return fail("unexpected reply from netctld: %s", strerror(-r));
                        /* The message closes its own descriptor. */
                        fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                        if (fd < 0 || fcntl(fd, F_SETFL, 0) < 0)
                                return fail("cannot read the list: %s", strerror(errno));
                        *ret = (FollowupListing) { .streaming = true, .fd = fd };
                        return 0;
                }
                m = sd_bus_message_unref(m);
        }

        if (contact) {
                /* ListFiltered: the same list, only that person's. */
                if (client_new_call(NETCTL_IFACE_FOLLOWUPS, "ListFiltered", &m) < 0)
                        return EXIT_FAILURE;
                r = append_list_args(m, from, to, state, contact);
                if (r < 0)
                        return fail("cannot build the request: %s", strerror(-r));
                if (client_call_message(m, &reply) < 0)
                        return EXIT_FAILURE;
        } else if (client_call(NETCTL_IFACE_FOLLOWUPS, "List", &reply, "xxs", from, to, state) < 0)
                return EXIT_FAILURE;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_FOLLOWUP_SIG);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        ret->reply = TAKE_PTR(reply);
        return 0;
}

int verb_list(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "overdue", no_argument, NULL, 'o' },
                { "today",   no_argument, NULL, 't' },
                { "week",    no_argument, NULL, 'w' },
                { "all",     no_argument, NULL, 'a' },
                { "json",    no_argument, NULL, 'j' },
                { "contact", required_argument, NULL, 'c' },
                {}
        };
        const char *contact = NULL;
        ListRange range = LIST_OPEN;
        bool json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("list");
                        return 0;
                case 'o': range = LIST_OVERDUE; break;
                case 't': range = LIST_TODAY; break;
                case 'w': range = LIST_WEEK; break;
                case 'a': range = LIST_ALL; break;
                case 'j': json = true; break;
                case 'c':
                        contact = optarg;
                        r = check_contact_arg("list", contact);
                        if (r != 0)
                                return r;
                        break;
                default:
                        return option_error("list", argv);
                }
        }
        if (optind != argc)
                return usage_error("list", "unexpected argument \"%s\".", argv[optind]);

        int64_t now = now_seconds(), from = INT64_MIN, to = INT64_MAX;
        const char *state = "open";
        switch (range) {
        case LIST_OPEN:
                break;
        case LIST_OVERDUE:
                to = now + 1;
                break;
        case LIST_TODAY:
                /* Today includes whatever is already overdue. */
                to = local_midnight(now, 1);
                break;
        case LIST_WEEK:
                to = local_midnight(now, 8);
                break;
        case LIST_ALL:
                state = "all";
                break;
        }

        _cleanup_(followup_listing_done) FollowupListing listing = {};
        r = list_followups(from, to, state, contact, &listing);
        if (r != 0)
                return r;

        if (json) {
                /* Rows are printed as they arrive.  A list that fails
                 * half-way never gets its closing bracket, so that what
                 * was printed does not parse as a whole list (and a short
                 * one, still in the writer's buffer, is not printed). */
                JsonWriter w;
                json_init(&w, stdout);
                json_begin_array(&w);
                FollowupRow f;
                while ((r = followup_listing_next(&listing, &f)) > 0)
                        followup_json(&w, &f);
                if (r < 0)
                        return listing_failed(&listing, r);
                json_end_array(&w);
                json_finish(&w);
                return 0;
        }

        Table *t = table_new(4, "ID", "DUE", "WHEN", "TEXT");
        if (!t)
                return fail("out of memory");
        FollowupRow f;
        while ((r = followup_listing_next(&listing, &f)) > 0) {
                char id[32], local[64], rel[64];
                snprintf(id, sizeof id, "%" PRIu64, f.id);
                local_time_format(f.due, local, sizeof local);
                if (f.done_at)
                        snprintf(rel, sizeof rel, "done");
                else
                        relative_format(f.due, now, rel, sizeof rel);
                r = table_add_row(t, id, local, rel, f.text);
                if (r < 0)
                        break;
                if (f.done_at)
                        table_style_cell(t, 2, ANSI_GREY);
                else if (f.due <= now)
                        table_style_cell(t, 2, ANSI_RED);
        }
        if (r < 0) {
                table_free(t);
                return listing_failed(&listing, r);
        }
        if (table_rows(t) == 0)
                printf(range == LIST_ALL ? "No follow-ups.\n" : "No open follow-ups%s.\n",
                       range == LIST_OVERDUE ? " overdue" :
                       range == LIST_TODAY ? " due today" :
                       range == LIST_WEEK ? " due this week" : "");
        else
                table_print(t, stdout);
        table_free(t);
        return 0;
}

static int get_followup(const char *verb, uint64_t id, sd_bus_message **ret_reply, FollowupRow *f) {
        if (client_call(NETCTL_IFACE_FOLLOWUPS, "Get", ret_reply, "t", id) < 0)
                return EXIT_FAILURE;
        int r = read_followup(*ret_reply, f);
        if (r <= 0)
                return fail("unexpected reply from netctld: %s", strerror(r < 0 ? -r : EBADMSG));
        return 0;
}

int verb_show(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool json = false;
        uint64_t id;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("show");
                        return 0;
                case 'j':
                        json = true;
                        break;
                default:
                        return option_error("show", argv);
                }
        }
        if (optind + 1 != argc)
                return usage_error("show", "expected one follow-up ID.");
        if (parse_id("show", argv[optind], &id) < 0)
                return EXIT_USAGE;

        FollowupRow f;
        r = get_followup("show", id, &reply, &f);
        if (r != 0)
                return r;

        if (json) {
                JsonWriter w;
                json_init(&w, stdout);
                followup_json(&w, &f);
                json_finish(&w);
                return 0;
        }

        char phrase[160], when[64], every[64];
        print_due_phrase(f.due, phrase, sizeof phrase);
        printf("Follow-up #%" PRIu64 "\n", f.id);
        printf("  Text:     %s\n", f.text);
        printf("  Kind:     %s\n", f.kind);
        printf("  Due:      %s\n", phrase);
        if (f.done_at) {
                local_time_format(f.done_at, when, sizeof when);
                printf("  Status:   done %s\n", when);
        } else
                printf("  Status:   open\n");
        if (f.every > 0) {
                duration_format((int64_t) f.every, every, sizeof every);
                printf("  Repeats:  every %s, %s\n", every,
                       f.every_fixed ? "on a fixed schedule" : "counted from completion");
        }
        if (f.contact[0])
                printf("  Contact:  %s\n", f.contact);
        if (f.notified_at) {
                local_time_format(f.notified_at, when, sizeof when);
                printf("  Reminded: %s\n", when);
        } else if (!f.done_at)
                printf("  Reminded: not yet\n");
        printf("  UID:      %s\n", f.uid);
        return 0;
}

int verb_done(int argc, char *argv[]) {
        int status = 0, c;
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {}
        };

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                if (c == 'h') {
                        verb_help("done");
                        return 0;
                }
                return option_error("done", argv);
        }
        if (optind >= argc)
                return usage_error("done", "expected one or more follow-up IDs.");

        /* Check every id before changing anything. */
        for (int i = optind; i < argc; i++) {
                uint64_t id;
                if (parse_id("done", argv[i], &id) < 0)
                        return EXIT_USAGE;
        }

        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                uint64_t id, next_id = 0;

                (void) parse_id("done", argv[i], &id);
                if (client_call(NETCTL_IFACE_FOLLOWUPS, "Done", &reply, "t", id) < 0) {
                        status = EXIT_FAILURE;
                        continue;
                }
                if (sd_bus_message_read(reply, "t", &next_id) < 0)
                        next_id = 0;
                if (next_id > 0) {
                        _cleanup_(sd_bus_message_unrefp) sd_bus_message *next_reply = NULL;
                        FollowupRow next;
                        char phrase[160] = "";
                        if (get_followup("done", next_id, &next_reply, &next) == 0)
                                print_due_phrase(next.due, phrase, sizeof phrase);
                        printf("Done #%" PRIu64 ". Next: #%" PRIu64 ", due %s.\n", id, next_id, phrase);
                } else
                        printf("Done #%" PRIu64 ".\n", id);
        }
        return status;
}

int verb_snooze(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t id;
        int64_t until;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                if (c == 'h') {
                        verb_help("snooze");
                        return 0;
                }
                return option_error("snooze", argv);
        }
        if (optind >= argc)
                return usage_error("snooze", "expected a follow-up ID and WHEN or DURATION.");
        if (parse_id("snooze", argv[optind], &id) < 0)
                return EXIT_USAGE;

        /* "snooze 3 tomorrow 9am" reads as one WHEN: join the rest. */
        char when[256] = "";
        for (int i = optind + 1; i < argc; i++) {
                if (strlen(when) + strlen(argv[i]) + 2 > sizeof when)
                        return usage_error("snooze", "the time is too long.");
                if (when[0])
                        strcat(when, " ");
                strcat(when, argv[i]);
        }
        if (!when[0])
                return usage_error("snooze", "expected WHEN or DURATION after the ID (e.g. 1h, \"tomorrow 9am\").");
        r = parse_when_arg("snooze", "the time", when, &until);
        if (r != 0)
                return r;

        if (client_call(NETCTL_IFACE_FOLLOWUPS, "Snooze", &reply, "tx", id, until) < 0)
                return EXIT_FAILURE;

        char phrase[160];
        print_due_phrase(until, phrase, sizeof phrase);
        printf("Snoozed #%" PRIu64 " until %s.\n", id, phrase);
        return 0;
}

int verb_rm(int argc, char *argv[]) {
        return run_on_ids(argc, argv, "rm", "expected one or more follow-up IDs.", NETCTL_IFACE_FOLLOWUPS,
                          "Remove", "Removed");
}

int verb_edit(int argc, char *argv[]) {
        enum { ARG_FIXED = 0x100, ARG_FROM_COMPLETION };
        static const struct option options[] = {
                { "help",            no_argument,       NULL, 'h' },
                { "text",            required_argument, NULL, 't' },
                { "due",             required_argument, NULL, 'd' },
                { "in",              required_argument, NULL, 'i' },
                { "every",           required_argument, NULL, 'e' },
                { "fixed",           no_argument,       NULL, ARG_FIXED },
                { "from-completion", no_argument,       NULL, ARG_FROM_COMPLETION },
                { "contact",         required_argument, NULL, 'c' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *text = NULL, *contact = NULL;
        int64_t due = -1, every = -1;
        int fixed = -1, c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("edit");
                        return 0;
                case 't':
                        r = check_text_arg("edit", optarg);
                        if (r != 0)
                                return r;
                        text = optarg;
                        break;
                case 'd':
                        r = parse_when_arg("edit", "--due", optarg, &due);
                        if (r != 0)
                                return r;
                        break;
                case 'i': {
                        int64_t length;
                        r = parse_duration_arg("edit", "--in", optarg, &length);
                        if (r != 0)
                                return r;
                        due = now_seconds() + length;
                        break;
                }
                case 'e':
                        if (strcmp(optarg, "none") == 0 || strcmp(optarg, "0") == 0)
                                every = 0;
                        else {
                                r = parse_duration_arg("edit", "--every", optarg, &every);
                                if (r != 0)
                                        return r;
                                if (every < 60)
                                        return usage_error("edit", "--every must be at least a minute.");
                        }
                        break;
                case ARG_FIXED:
                        fixed = 1;
                        break;
                case ARG_FROM_COMPLETION:
                        fixed = 0;
                        break;
                case 'c':
                        /* "none" unlinks; the daemon takes "" for that. */
                        contact = strcmp(optarg, "none") == 0 ? "" : optarg;
                        if (contact[0]) {
                                r = check_contact_arg("edit", contact);
                                if (r != 0)
                                        return r;
                        }
                        break;
                default:
                        return option_error("edit", argv);
                }
        }
        if (optind + 1 != argc)
                return usage_error("edit", "expected one follow-up ID.");
        uint64_t id;
        if (parse_id("edit", argv[optind], &id) < 0)
                return EXIT_USAGE;
        if (!text && due < 0 && every < 0 && fixed < 0 && !contact)
                return usage_error("edit", "nothing to change: give --text, --due, --in, --every or --contact.");

        r = client_new_call(NETCTL_IFACE_FOLLOWUPS, "Edit", &m);
        if (r < 0)
                return EXIT_FAILURE;
        r = sd_bus_message_append(m, "t", id);
        if (r >= 0)
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && text)
                r = bus_append_sv(m, "text", "s", text);
        if (r >= 0 && due >= 0)
                r = bus_append_sv(m, "due", "x", due);
        if (r >= 0 && every >= 0)
                r = bus_append_sv(m, "every", "t", (uint64_t) every);
        if (r >= 0 && fixed >= 0)
                r = bus_append_sv(m, "every_fixed", "b", fixed);
        if (r >= 0 && contact)
                r = bus_append_sv(m, "contact", "s", contact);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r));

        if (client_call_message(m, &reply) < 0)
                return EXIT_FAILURE;
        printf("Updated #%" PRIu64 ".\n", id);
        return 0;
}
