/* SPDX-License-Identifier: MIT */
/* The calendar verbs: import, meetings, export. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-names.h"
#include "client.h"
#include "io.h"
#include "json.h"
#include "output.h"
#include "timeparse.h"

/* The daemon refuses larger files too; checking here avoids sending them. */
#define IMPORT_FILE_MAX (16u * 1024u * 1024u)

/* Reads what is left of fd, bounded; -EFBIG when too large. */
static int read_whole_fd(int fd, char **ret, size_t *ret_len) {
        size_t allocated = 65536, len = 0;
        char *data = malloc(allocated);
        if (!data)
                return -ENOMEM;
        for (;;) {
                if (len == allocated) {
                        if (allocated > IMPORT_FILE_MAX) {
                                free(data);
                                return -EFBIG;
                        }
                        char *bigger = realloc(data, allocated * 2);
                        if (!bigger) {
                                free(data);
                                return -ENOMEM;
                        }
                        data = bigger;
                        allocated *= 2;
                }
                ssize_t n = read(fd, data + len, allocated - len);
                if (n < 0) {
                        int r = -errno;
                        free(data);
                        return r;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        if (len > IMPORT_FILE_MAX) {
                free(data);
                return -EFBIG;
        }
        *ret = data;
        *ret_len = len;
        return 0;
}

static int read_whole_file(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (st.st_size > (off_t) IMPORT_FILE_MAX)
                return -EFBIG;
        return read_whole_fd(fd, ret, ret_len);
}

/* What became of one file given to import_one(). */
typedef enum ImportSent {
        IMPORT_SENT_REPLY,      /* *ret_reply holds netctld's answer */
        IMPORT_SENT_TOO_LARGE,  /* not sent, said so as netctld would */
        IMPORT_SENT_FAILED,     /* not imported, and said why */
        IMPORT_SENT_NO_BUS,     /* nothing can be sent; said why */
} ImportSent;

/* Sends one file to netctld: a regular file as itself (ImportFd), so that
 * its bytes do not cross the bus; anything else (a pipe, <(...)), or to a
 * netctld without ImportFd, as its bytes (Import). */
static ImportSent import_one(const char *path, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *data = NULL;
        struct stat st;
        size_t len = 0;
        int r;

        if (fd < 0 || fstat(fd, &st) < 0)
                r = -errno;
        else if (S_ISDIR(st.st_mode))
                r = -EISDIR;
        else
                r = st.st_size > (off_t) IMPORT_FILE_MAX ? -EFBIG : 0;

        if (r >= 0 && S_ISREG(st.st_mode)) {
                if (client_new_call(NETCTL_IFACE_MEETINGS, "ImportFd", &m) < 0)
                        return IMPORT_SENT_NO_BUS;
                client_allow_long_calls();
                r = sd_bus_message_append(m, "sh", path, fd);
                if (r < 0)
                        return fail("cannot build the request: %s", strerror(-r)), IMPORT_SENT_FAILED;
                if (client_call_message_optional(m, ret_reply) < 0)
                        return IMPORT_SENT_FAILED;
                if (*ret_reply)
                        return IMPORT_SENT_REPLY;
                /* An older netctld: the bytes, as before. */
                m = sd_bus_message_unref(m);
        }

        if (r >= 0)
                r = read_whole_fd(fd, &data, &len);
        if (r == -EFBIG) {
                /* Readable, but refused as the daemon would refuse it:
                 * reported like any other rejected file. */
                printf("%s: rejected: larger than %u MiB\n", path, IMPORT_FILE_MAX / (1024 * 1024));
                return IMPORT_SENT_TOO_LARGE;
        }
        if (r < 0) {
                fail("%s: cannot read: %s.", path, strerror(-r));
                return IMPORT_SENT_FAILED;
        }

        if (client_new_call(NETCTL_IFACE_MEETINGS, "Import", &m) < 0)
                return IMPORT_SENT_NO_BUS;
        client_allow_long_calls();
        r = sd_bus_message_append(m, "s", path);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', data, len);
        if (r < 0)
                return fail("cannot build the request: %s", strerror(-r)), IMPORT_SENT_FAILED;
        return client_call_message(m, ret_reply) < 0 ? IMPORT_SENT_FAILED : IMPORT_SENT_REPLY;
}

int verb_import(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int status = 0, c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                if (c == 'h') {
                        verb_help("import");
                        return 0;
                }
                return option_error("import", argv);
        }
        if (optind >= argc)
                return usage_error("import", "expected one or more .ics files.");

        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                const char *path = argv[i], *outcome, *reason;
                uint32_t added, updated, cancelled, unchanged, skipped;
                int r;

                switch (import_one(path, &reply)) {
                case IMPORT_SENT_REPLY:
                        break;
                case IMPORT_SENT_TOO_LARGE:
                        continue;
                case IMPORT_SENT_FAILED:
                        status = EXIT_FAILURE;
                        continue;
                case IMPORT_SENT_NO_BUS:
                        return EXIT_FAILURE;
                }
                r = sd_bus_message_read(reply, "suuuuus", &outcome, &added, &updated, &cancelled,
                                        &unchanged, &skipped, &reason);
                if (r < 0)
                        return fail("unexpected reply from netctld: %s", strerror(-r));

                printf("%s: %s", path, outcome);
                unsigned parts = (added > 0) + (updated > 0) + (cancelled > 0) + (unchanged > 0) + (skipped > 0);
                if (parts > 0) {
                        const char *sep = " (";
                        if (added) { printf("%s%" PRIu32 " added", sep, added); sep = ", "; }
                        if (updated) { printf("%s%" PRIu32 " updated", sep, updated); sep = ", "; }
                        if (cancelled) { printf("%s%" PRIu32 " cancelled", sep, cancelled); sep = ", "; }
                        if (unchanged) { printf("%s%" PRIu32 " unchanged", sep, unchanged); sep = ", "; }
                        if (skipped) { printf("%s%" PRIu32 " skipped", sep, skipped); sep = ", "; }
                        printf(")");
                }
                if (reason[0])
                        printf(": %s", reason);
                printf("\n");
        }
        return status;
}

typedef struct PersonView {
        const char *email, *name, *contact;
        int organizer;
} PersonView;

int verb_meetings(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "week", no_argument, NULL, 'w' },
                { "all",  no_argument, NULL, 'a' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool week = false, all = false, json = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("meetings");
                        return 0;
                case 'w': week = true; break;
                case 'a': all = true; break;
                case 'j': json = true; break;
                default:
                        return option_error("meetings", argv);
                }
        }
        if (optind != argc)
                return usage_error("meetings", "unexpected argument \"%s\".", argv[optind]);
        if (week && all)
                return usage_error("meetings", "give --week or --all, not both.");

        int64_t now = now_seconds();
        int64_t from = all ? INT64_MIN : local_midnight(now, 0);
        int64_t to = week ? local_midnight(now, 8) : INT64_MAX;

        if (client_call(NETCTL_IFACE_MEETINGS, "List", &reply, "xxb", from, to, (int) all) < 0)
                return EXIT_FAILURE;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_OCCURRENCE_SIG);
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));

        JsonWriter w;
        Table *t = NULL;
        if (json) {
                json_init(&w, stdout);
                json_begin_array(&w);
        } else {
                t = table_new(4, "WHEN", "LENGTH", "MEETING", "PEOPLE");
                if (!t)
                        return fail("out of memory");
                table_set_elastic(t, 2);
        }

        while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_STRUCT, NETCTL_OCCURRENCE_CONTENTS)) > 0) {
                uint64_t id;
                const char *uid, *summary, *location;
                int64_t start, end;
                int all_day, cancelled;
                char people[1024] = "";

                r = sd_bus_message_read(reply, "tssxxbbs", &id, &uid, &summary, &start, &end, &all_day,
                                        &cancelled, &location);
                if (r < 0)
                        break;
                r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(sssb)");
                if (r < 0)
                        break;

                if (json) {
                        json_begin_object(&w);
                        json_key(&w, "id");
                        json_uint(&w, id);
                        json_key(&w, "uid");
                        json_string(&w, uid);
                        json_key(&w, "summary");
                        json_string(&w, summary);
                        json_key(&w, "location");
                        json_string(&w, location[0] ? location : NULL);
                        json_key(&w, "start");
                        json_time_utc(&w, start);
                        json_key(&w, "start_local");
                        json_time_local(&w, start);
                        json_key(&w, "end");
                        json_time_utc(&w, end);
                        json_key(&w, "all_day");
                        json_bool(&w, all_day);
                        json_key(&w, "cancelled");
                        json_bool(&w, cancelled);
                        json_key(&w, "people");
                        json_begin_array(&w);
                }

                PersonView p;
                while ((r = sd_bus_message_read(reply, "(sssb)", &p.email, &p.name, &p.contact, &p.organizer)) > 0) {
                        if (json) {
                                json_begin_object(&w);
                                json_key(&w, "email");
                                json_string(&w, p.email);
                                json_key(&w, "name");
                                json_string(&w, p.name[0] ? p.name : NULL);
                                json_key(&w, "contact");
                                json_string(&w, p.contact[0] ? p.contact : NULL);
                                json_key(&w, "organizer");
                                json_bool(&w, p.organizer);
                                json_end_object(&w);
                        } else {
                                size_t used = strlen(people);
                                const char *label = p.contact[0] ? p.contact : p.name[0] ? p.name : p.email;
                                snprintf(people + used, sizeof people - used, "%s%s", used ? "; " : "", label);
                        }
                }
                if (r < 0)
                        break;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        break;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        break;

                if (json) {
                        json_end_array(&w);
                        json_end_object(&w);
                        continue;
                }

                char when[64], length[32], title[600];
                local_time_format(start, when, sizeof when);
                if (all_day) {
                        when[10] = '\0';
                        snprintf(length, sizeof length, "all day");
                } else
                        duration_format(end - start, length, sizeof length);
                snprintf(title, sizeof title, "%s%s", cancelled ? "[cancelled] " : "", summary);
                r = table_add_row(t, when, length, title, people);
                if (r < 0)
                        break;
                if (cancelled)
                        table_style_cell(t, 2, ANSI_GREY);
        }
        if (r < 0) {
                table_free(t);
                return fail("unexpected reply from netctld: %s", strerror(-r));
        }

        if (json) {
                json_end_array(&w);
                json_finish(&w);
                return 0;
        }
        if (table_rows(t) == 0)
                printf(all ? "No meetings.\n" : week ? "No meetings this week.\n" : "No upcoming meetings.\n");
        else
                table_print(t, stdout);
        table_free(t);
        return 0;
}

/* A file name for a UID that cannot escape the directory: UIDs made of
 * safe characters are used as they are, anything else is hex-encoded.
 * Encoded names start with "x-", so a plain UID starting with "x-" is
 * encoded too: otherwise a UID spelling another's encoded name would
 * take its file. */
static void uid_file_name(const char *uid, char *buf, size_t size) {
        bool safe = uid[0] != '\0' && uid[0] != '.' && strncmp(uid, "x-", 2) != 0 && strlen(uid) <= 200;
        for (const char *p = uid; *p && safe; p++)
                safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                       *p == '-' || *p == '_' || *p == '.' || *p == '@';
        if (safe) {
                snprintf(buf, size, "%s.ics", uid);
                return;
        }

        /* FNV-1a keeps long names bounded while staying distinct. */
        uint64_t hash = 1469598103934665603ULL;
        size_t used = 0;
        for (const unsigned char *p = (const unsigned char *) uid; *p; p++)
                hash = (hash ^ *p) * 1099511628211ULL;
        used = (size_t) snprintf(buf, size, "x-");
        for (const unsigned char *p = (const unsigned char *) uid; *p && used + 3 < size && used < 64; p++)
                used += (size_t) snprintf(buf + used, size - used, "%02x", *p);
        snprintf(buf + used, size - used, "-%016" PRIx64 ".ics", hash);
}

/* Writes text to a new temporary file beside dir/name, unless dir/name
 * already holds exactly that: 0 then, 1 with the temporary's path in
 * tmp (to be renamed over dir/name), or negative errno.  With `sync` the
 * temporary is on disk when this returns. */
static int write_temporary(const char *dir, const char *name, const char *text, bool sync, char tmp[PATH_MAX]) {
        char path[PATH_MAX];
        size_t len = strlen(text);

        if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path ||
            (size_t) snprintf(tmp, PATH_MAX, "%s/.%s.XXXXXX", dir, name) >= PATH_MAX)
                return -ENAMETOOLONG;

        _cleanup_free_ char *old = NULL;
        size_t old_len = 0;
        if (read_whole_file(path, &old, &old_len) == 0 && old_len == len && memcmp(old, text, len) == 0)
                return 0;

        _cleanup_close_ int fd = mkstemp(tmp);
        if (fd < 0)
                return -errno;
        int r = 0;
        if (fchmod(fd, 0644) < 0 || (r = write_all(fd, text, len)) < 0 || (sync && fsync(fd) < 0))
                r = r < 0 ? r : -errno;
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        return 1;
}

/* Writes atomically: a temporary file in the same directory, fsync,
 * rename.  Unchanged content is not rewritten.  Returns 1 when written. */
static int write_if_changed(const char *dir, const char *name, const char *text) {
        char tmp[PATH_MAX], path[PATH_MAX];

        int r = write_temporary(dir, name, text, true, tmp);
        if (r <= 0)
                return r;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (rename(tmp, path) < 0) {
                r = -errno;
                unlink(tmp);
                return r;
        }
        return 1;
}

/* File names, in the order they were added. */
typedef struct NameSet {
        char **names;
        size_t n, allocated;
} NameSet;

static int name_set_add(NameSet *set, const char *name) {
        if (set->n == set->allocated) {
                size_t grow = set->allocated ? set->allocated * 2 : 64;
                char **bigger = realloc(set->names, grow * sizeof *bigger);
                if (!bigger)
                        return -ENOMEM;
                set->names = bigger;
                set->allocated = grow;
        }
        set->names[set->n] = strdup(name);
        if (!set->names[set->n])
                return -ENOMEM;
        set->n++;
        return 0;
}

static void name_set_clear(NameSet *set) {
        for (size_t i = 0; i < set->n; i++)
                free(set->names[i]);
        free(set->names);
        *set = (NameSet) {};
}

/* The files of an export to a directory, written as temporaries and put
 * in place together: made durable all at once (sync_files(): one
 * syncfs() when they are many, instead of an fsync each; 112,881 files
 * took 69 s with fsync each), and still no name that points at a file
 * whose data may not be on disk. */
typedef struct StagedFiles {
        NameSet temporaries;    /* each "DIR/.NAME.XXXXXX", for DIR/NAME */
        size_t renamed;
} StagedFiles;

/* NAME of a temporary "DIR/.NAME.XXXXXX" (write_temporary()), into buf. */
static void staged_name(const char *tmp, char *buf, size_t size) {
        const char *base = strrchr(tmp, '/') + 1 + 1;
        snprintf(buf, size, "%.*s", (int) (strlen(base) - strlen(".XXXXXX")), base);
}

/* Renames every staged file into dir once they are on disk (sync_files),
 * then syncs dir itself so that the new names last. */
static int staged_commit(StagedFiles *s, const char *dir) {
        if (s->temporaries.n == 0)
                return 0;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        char **temporaries = s->temporaries.names;
        int r = sync_files(dfd, temporaries, s->temporaries.n);
        if (r < 0)
                return r;
        for (; s->renamed < s->temporaries.n; s->renamed++) {
                char name[PATH_MAX];
                staged_name(temporaries[s->renamed], name, sizeof name);
                if (renameat(dfd, strrchr(temporaries[s->renamed], '/') + 1, dfd, name) < 0)
                        return -errno;
        }
        return fsync(dfd) < 0 ? -errno : 0;
}

/* Removes the temporaries not renamed (after a failure) and frees. */
static void staged_clear(StagedFiles *s) {
        for (size_t i = s->renamed; i < s->temporaries.n; i++)
                unlink(s->temporaries.names[i]);
        name_set_clear(&s->temporaries);
        s->renamed = 0;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* A file an earlier export wrote (our PRODID near the top) holding the
 * kind of item being exported. */
static bool written_by_export(const char *path, bool todos, bool events) {
        /* Only a regular file, never through a symlink, and never waiting
         * on a FIFO someone left there. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t) IMPORT_FILE_MAX)
                return false;
        _cleanup_free_ char *data = malloc((size_t) st.st_size + 1);
        if (!data)
                return false;
        size_t len = 0;
        ssize_t n;
        while (len < (size_t) st.st_size && (n = read(fd, data + len, (size_t) st.st_size - len)) > 0)
                len += (size_t) n;
        data[len] = '\0';
        if (strlen(data) != len)
                return false;
        const char *prodid = strstr(data, "\nPRODID:-//netctl//netctl ");
        if (!prodid || prodid - data > 512)
                return false;
        return (todos && strstr(data, "BEGIN:VTODO")) || (events && strstr(data, "BEGIN:VEVENT"));
}

/* ".NAME.ics.XXXXXX": a temporary of write_temporary() that an export
 * stopped before it was renamed left behind. */
static bool is_export_temporary(const char *name) {
        size_t n = strlen(name);
        if (name[0] != '.' || n < 1 + 4 + 7 + 1)
                return false;
        for (size_t i = n - 6; i < n; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
                      (name[i] >= '0' && name[i] <= '9')))
                        return false;
        return strncmp(name + n - 11, ".ics.", 5) == 0;
}

/* Items that are gone (a follow-up removed, a reminder withdrawn, a
 * meeting forgotten) leave the directory too, so that vdirsyncer deletes
 * them from the server, and so do temporaries an interrupted export left;
 * files netctl did not write are left alone. */
static int remove_stale(const char *dir, NameSet *kept, bool todos, bool events, unsigned *ret_removed) {
        DIR *d = opendir(dir);
        struct dirent *de;
        int r = 0;

        if (!d)
                return -errno;
        qsort(kept->names, kept->n, sizeof *kept->names, compare_names);
        while ((de = readdir(d))) {
                const char *name = de->d_name;
                size_t n = strlen(name);
                char path[4096];

                bool temporary = is_export_temporary(name);
                if (!temporary && (name[0] == '.' || n < 5 || strcmp(name + n - 4, ".ics") != 0))
                        continue;
                if (!temporary && bsearch(&name, kept->names, kept->n, sizeof *kept->names, compare_names))
                        continue;
                if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
                        continue;
                if (!written_by_export(path, todos || temporary, events || temporary))
                        continue;
                if (unlink(path) < 0) {
                        r = -errno;
                        break;
                }
                if (!temporary)
                        (*ret_removed)++;
        }
        closedir(d);
        return r;
}

/* The items an export returned: ExportMemfd's file, mapped, or, from a
 * netctld that predates it or over a bus that cannot pass descriptors,
 * Export's reply (which has a size limit). */
typedef struct ExportItems {
        sd_bus_message *reply;
        const char *map;
        size_t size, at;
} ExportItems;

static void export_items_clear(ExportItems *items) {
        sd_bus_message_unref(items->reply);
        if (items->map)
                munmap((void *) items->map, items->size);
        *items = (ExportItems) {};
}

/* Maps ExportMemfd's file and checks its opening (bus-names.h). */
static int export_items_map(int fd, ExportItems *items) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_size < (off_t) sizeof NETCTL_EXPORT_MAGIC || (uint64_t) st.st_size > SIZE_MAX)
                return -EBADMSG;
        void *map = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED)
                return -errno;
        items->map = map;
        items->size = (size_t) st.st_size;
        if (memcmp(map, NETCTL_EXPORT_MAGIC, sizeof NETCTL_EXPORT_MAGIC) != 0 || items->map[items->size - 1] != '\0')
                return -EBADMSG;
        items->at = sizeof NETCTL_EXPORT_MAGIC;
        return 0;
}

/* The next (uid, text): 1, or 0 after the last, or negative when the
 * reply or the file is not what netctld writes. */
static int export_items_next(ExportItems *items, const char **ret_uid, const char **ret_text) {
        if (items->reply)
                return sd_bus_message_read(items->reply, "(ss)", ret_uid, ret_text);
        if (items->at == items->size)
                return 0;
        /* The file ends in a NUL (checked), so both strings end inside it. */
        const char *uid = items->map + items->at;
        const char *text = uid + strlen(uid) + 1;
        if (text >= items->map + items->size)
                return -EBADMSG;
        items->at = (size_t) (text + strlen(text) + 1 - items->map);
        *ret_uid = uid;
        *ret_text = text;
        return 1;
}

/* One export into a directory at a time: another's clean-up would take
 * this one's temporaries for an interrupted export's and remove them.  The
 * lock is the directory's, held until the process exits; a second export
 * says so and waits.  Returns 0 or an exit status (after saying why). */
static int lock_export_dir(const char *dir) {
        /* Left open: closed, and so unlocked, when netctl exits. */
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return fail("cannot open %s: %s.", dir, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                return 0;
        if (errno != EWOULDBLOCK)
                return fail("cannot lock %s: %s.", dir, strerror(errno));
        fprintf(stderr, "Waiting for another netctl export into %s to finish...\n", dir);
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return fail("cannot lock %s: %s.", dir, strerror(errno));
        return 0;
}

/* Asks netctld for the export.  Returns 0 or an exit status (after saying
 * why). */
static int fetch_export(bool todos, bool events, bool single, ExportItems *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        sd_bus *bus;
        int r;

        if (client_bus(&bus) < 0)
                return EXIT_FAILURE;
        client_allow_long_calls();
        if (sd_bus_can_send(bus, SD_BUS_TYPE_UNIX_FD) > 0) {
                if (client_new_call(NETCTL_IFACE_MEETINGS, "ExportMemfd", &m) < 0)
                        return EXIT_FAILURE;
                r = sd_bus_message_append(m, "bbb", (int) todos, (int) events, (int) single);
                if (r < 0)
                        return fail("cannot build the request: %s", strerror(-r));
                if (client_call_message_optional(m, &reply) < 0)
                        return EXIT_FAILURE;
                if (reply) {
                        int fd;
                        r = sd_bus_message_read(reply, "h", &fd);
                        if (r >= 0)
                                r = export_items_map(fd, ret);
                        if (r < 0) {
                                export_items_clear(ret);
                                return fail("unexpected reply from netctld: %s", strerror(-r));
                        }
                        return 0;
                }
        }

        if (client_call(NETCTL_IFACE_MEETINGS, "Export", &reply, "bbb", (int) todos, (int) events, (int) single) < 0)
                return EXIT_FAILURE;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ss)");
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));
        ret->reply = TAKE_PTR(reply);
        return 0;
}

int verb_export(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",   no_argument, NULL, 'h' },
                { "vtodo",  no_argument, NULL, 't' },
                { "vevent", no_argument, NULL, 'e' },
                {}
        };
        _cleanup_(export_items_clear) ExportItems items = {};
        bool todos = false, events = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        verb_help("export");
                        return 0;
                case 't': todos = true; break;
                case 'e': events = true; break;
                default:
                        return option_error("export", argv);
                }
        }
        if (optind + 1 < argc)
                return usage_error("export", "expected at most one FILE or DIR.");
        if (!todos && !events)
                todos = events = true;

        const char *target = optind < argc ? argv[optind] : NULL;
        struct stat st;
        bool to_dir = target && ((stat(target, &st) == 0 && S_ISDIR(st.st_mode)) ||
                                 target[strlen(target) - 1] == '/');
        if (to_dir && mkdir(target, 0700) < 0 && errno != EEXIST)
                return fail("cannot create %s: %s.", target, strerror(errno));
        if (to_dir && (r = lock_export_dir(target)) != 0)
                return r;

        r = fetch_export(todos, events, !to_dir, &items);
        if (r != 0)
                return r;

        unsigned written = 0, unchanged = 0, removed = 0;
        _cleanup_(name_set_clear) NameSet names = {};
        _cleanup_(staged_clear) StagedFiles staged = {};
        const char *uid, *text;
        while ((r = export_items_next(&items, &uid, &text)) > 0) {
                if (!target) {
                        fputs(text, stdout);
                        continue;
                }
                if (!to_dir) {
                        /* One file: write it next to where it goes. */
                        _cleanup_free_ char *dir = strdup(target);
                        if (!dir)
                                return fail("out of memory");
                        char *slash = strrchr(dir, '/');
                        const char *name = slash ? slash + 1 : target;
                        if (slash)
                                *slash = '\0';
                        r = write_if_changed(slash ? (dir[0] ? dir : "/") : ".", name, text);
                        if (r < 0)
                                return fail("cannot write %s: %s.", target, strerror(-r));
                        r > 0 ? written++ : unchanged++;
                        continue;
                }
                char name[256], tmp[PATH_MAX];
                uid_file_name(uid, name, sizeof name);
                r = write_temporary(target, name, text, false, tmp);
                if (r > 0 && name_set_add(&staged.temporaries, tmp) < 0) {
                        unlink(tmp);
                        return fail("out of memory");
                }
                if (r < 0)
                        return fail("cannot write %s/%s: %s.", target, name, strerror(-r));
                r > 0 ? written++ : unchanged++;
                if (name_set_add(&names, name) < 0)
                        return fail("out of memory");
        }
        if (r < 0)
                return fail("unexpected reply from netctld: %s", strerror(-r));

        if (to_dir) {
                r = staged_commit(&staged, target);
                if (r < 0)
                        return fail("cannot write to %s: %s.", target, strerror(-r));
                r = remove_stale(target, &names, todos, events, &removed);
                if (r < 0)
                        return fail("cannot clean up %s: %s.", target, strerror(-r));
        }

        if (to_dir && removed > 0)
                printf("Exported to %s: %u written, %u unchanged, %u removed.\n", target, written, unchanged,
                       removed);
        else if (to_dir)
                printf("Exported to %s: %u written, %u unchanged.\n", target, written, unchanged);
        else if (target)
                printf("Exported to %s%s.\n", target, written ? "" : " (unchanged)");
        return 0;
}
