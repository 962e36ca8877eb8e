/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "args.h"
#include "bus-names.h"
#include "report.h"
#include "text.h"
#include "timeparse.h"

int check_text_arg(const char *verb, const char *text) {
        const char *reason;
        int r = text_check_line(text, NETCTL_TEXT_MAX, false, &reason);
        if (r == -E2BIG)
                return usage_error(verb, "the text is longer than %d bytes.", NETCTL_TEXT_MAX);
        if (r < 0)
                return usage_error(verb, "invalid text: %s.", reason);
        return 0;
}

int parse_when_arg(const char *verb, const char *option, const char *s, int64_t *ret) {
        int r = when_parse(s, now_seconds(), ret);
        if (r == -ERANGE)
                return usage_error(verb, "%s \"%s\" is out of range.", option, s);
        if (r < 0)
                return usage_error(verb, "%s \"%s\" is not a time netctl understands "
                                   "(e.g. \"tomorrow 9am\", \"fri 10:00\", \"2026-12-01T09:30\", \"2h\").",
                                   option, s);
        return 0;
}

int parse_duration_arg(const char *verb, const char *option, const char *s, int64_t *ret) {
        int r = duration_parse(s, ret);
        if (r == -ERANGE)
                return usage_error(verb, "%s \"%s\" must be more than zero and at most ten years.",
                                   option, s);
        if (r < 0)
                return usage_error(verb, "%s \"%s\" is not a duration (e.g. 90m, 2h, 3d, 2w).",
                                   option, s);
        return 0;
}

int check_contact_arg(const char *verb, const char *who) {
        const char *reason;
        if (text_check_line(who, 512, false, &reason) < 0)
                return usage_error(verb, "invalid --contact: %s.", reason);
        return 0;
}

void print_due_phrase(int64_t due, char *buf, size_t size) {
        char local[64], rel[64];
        local_time_format(due, local, sizeof local);
        relative_format(due, now_seconds(), rel, sizeof rel);
        snprintf(buf, size, "%s (%s)", local, rel);
}

int add_args_parse(int argc, char *argv[], AddArgs *ret) {
        enum { ARG_FIXED = 0x100 };
        static const struct option options[] = {
                { "help",  no_argument,       NULL, 'h' },
                { "due",   required_argument, NULL, 'd' },
                { "in",    required_argument, NULL, 'i' },
                { "every", required_argument, NULL, 'e' },
                { "fixed", no_argument,       NULL, ARG_FIXED },
                { "quiet", no_argument,       NULL, 'q' },
                { "contact", required_argument, NULL, 'c' },
                {}
        };
        AddArgs a = {};
        bool have_due = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "hd:i:e:q", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        return 1;
                case 'd':
                case 'i':
                        if (have_due)
                                return usage_error("add", "give either --due or --in, once.");
                        have_due = true;
                        if (c == 'd')
                                r = parse_when_arg("add", "--due", optarg, &a.due);
                        else {
                                int64_t length;
                                r = parse_duration_arg("add", "--in", optarg, &length);
                                a.due = now_seconds() + length;
                        }
                        if (r != 0)
                                return r;
                        break;
                case 'e':
                        r = parse_duration_arg("add", "--every", optarg, &a.every);
                        if (r != 0)
                                return r;
                        break;
                case ARG_FIXED:
                        a.fixed = true;
                        break;
                case 'q':
                        a.quiet = true;
                        break;
                case 'c':
                        a.contact = optarg;
                        r = check_contact_arg("add", a.contact);
                        if (r != 0)
                                return r;
                        break;
                default:
                        return option_error("add", argv);
                }
        }
        if (optind + 1 != argc)
                return usage_error("add", "expected one TEXT argument (quote it).");
        a.text = argv[optind];
        r = check_text_arg("add", a.text);
        if (r != 0)
                return r;
        if (a.fixed && a.every == 0)
                return usage_error("add", "--fixed needs --every.");
        if (a.every != 0 && a.every < 60)
                return usage_error("add", "--every must be at least a minute.");
        if (!have_due)
                a.due = now_seconds();  /* Without a due time it is due now. */

        *ret = a;
        return 0;
}

void add_args_print_added(const AddArgs *args, uint64_t id) {
        if (args->quiet)
                printf("%" PRIu64 "\n", id);
        else {
                char phrase[160];
                print_due_phrase(args->due, phrase, sizeof phrase);
                printf("Added #%" PRIu64 ", due %s.\n", id, phrase);
        }
}
