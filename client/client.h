/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "macro.h"
#include "report.h"

/* A verb: name, handler, one-line synopsis and summary for --help. */
typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *synopsis;
        const char *summary;
} Verb;

/* Every verb's handler returns a process exit status. */

/* Connects to netctld (once per process): its direct socket, else the
 * session bus; prints the reason and returns negative errno on failure. */
int client_bus(sd_bus **ret);
/* Starts connecting to the direct socket without waiting, for a verb that
 * will talk to netctld; client_bus() finishes or falls back. */
void client_connect_early(void);

/* Calls a method on netctld.  On a bus error prints the daemon's sentence
 * (or a hint when the daemon cannot be reached) and returns negative. */
int client_call(const char *interface, const char *method, sd_bus_message **ret_reply,
                const char *types, ...);
/* As client_call, with a message the caller built (for a{sv} arguments). */
int client_call_message(sd_bus_message *m, sd_bus_message **ret_reply);
int client_new_call(const char *interface, const char *method, sd_bus_message **ret);
/* For the calls whose work grows with the data (importing a file,
 * exporting the schedule): wait up to CLIENT_LONG_CALL_USEC for their
 * replies instead of sd-bus's 25 s.  netctld finishes such a call anyway,
 * so giving up early only hides the outcome. */
#define CLIENT_LONG_CALL_USEC (10 * 60 * 1000000ULL)
void client_allow_long_calls(void);
/* As client_call_message, for a method that an older netctld may not have,
 * or that may be Busy (ListStream with many unread lists): UnknownMethod
 * and Busy are not reported, and return 0 with *ret_reply NULL so that the
 * caller can fall back to an older method. */
int client_call_message_optional(sd_bus_message *m, sd_bus_message **ret_reply);

/* The verbs that take only --help and IDs (rm, unlog): checks every id
 * before changing anything, calls `method` (signature "t") with each, and
 * prints "<done_word> #ID." for each success.  `missing` is the usage
 * message without IDs.  Returns the exit status. */
int run_on_ids(int argc, char *argv[], const char *verb, const char *missing, const char *interface,
               const char *method, const char *done_word);

/* Parses a follow-up id ("12" or "#12"); prints an error when invalid. */
int parse_id(const char *verb, const char *s, uint64_t *ret);

/* Verbs. */
int verb_add(int argc, char *argv[]);
int verb_list(int argc, char *argv[]);
int verb_show(int argc, char *argv[]);
int verb_done(int argc, char *argv[]);
int verb_snooze(int argc, char *argv[]);
int verb_rm(int argc, char *argv[]);
int verb_edit(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
int verb_reload(int argc, char *argv[]);
int verb_import(int argc, char *argv[]);
int verb_meetings(int argc, char *argv[]);
int verb_export(int argc, char *argv[]);

/* The people verbs (contacts.c). */
int verb_contact(int argc, char *argv[]);
int verb_log(int argc, char *argv[]);
int verb_unlog(int argc, char *argv[]);
int verb_suggest(int argc, char *argv[]);
int verb_stats(int argc, char *argv[]);

/* netctl __complete (complete.c): candidates for the shell completions. */
int verb_complete(int argc, char *argv[]);

/* The break cycle (breaks.c). */
int verb_break(int argc, char *argv[]);

/* Two-way sync with vdirs (sync.c). */
int verb_sync(int argc, char *argv[]);

/* Prints the per-verb help for a verb from the table. */
void verb_help(const char *name);

/* Dispatches argv[1] to its verb; returns the exit status. */
int client_run(int argc, char *argv[]);
