/* SPDX-License-Identifier: MIT */
/* The store's part of vdir sync: follow-ups put as another program wrote
 * them (SEQUENCE and LAST-MODIFIED kept, a completion's successor only
 * when asked), sync records and the conflict log, contacts by UID. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "tap.h"

static char tmpdir[] = "/tmp/netctl-test-sync-store-XXXXXX";

static int count_conflict(const SyncConflict *c, void *userdata) {
        int *n = userdata;
        if (*n == 0 && strcmp(c->uid, "b@x") != 0)
                return -EINVAL;        /* newest first */
        (*n)++;
        return 0;
}

static int count_record(const SyncRecord *r, void *userdata) {
        (*(int *) userdata)++;
        return 0;
}

typedef struct Walk {
        Store *store;
        int seen;
        int out_of_order;
        int with_record;
        char last[64];
} Walk;

/* Counts each record once, in UID order, while changing the table under
 * the walk: each record it sees is replaced (a put), and one of another
 * kind is added. */
static int walk_changing(const SyncRecord *r, void *userdata) {
        Walk *w = userdata;
        char other[64];
        w->out_of_order += strcmp(r->uid, w->last) <= 0;
        snprintf(w->last, sizeof w->last, "%s", r->uid);
        w->seen++;
        SyncRecord again = *r;
        again.file_hash = (char *) "changed";
        snprintf(other, sizeof other, "/c/%s.vcf", r->uid);
        SyncRecord contact = {
                .kind = (char *) "contact", .uid = r->uid, .path = other,
                .file_hash = (char *) "f", .db_hash = (char *) "d",
        };
        return store_sync_record_put(w->store, &again) < 0 || store_sync_record_put(w->store, &contact) < 0 ?
                -EIO : 0;
}

static int walk_synced(const Followup *f, const SyncRecord *r, void *userdata) {
        Walk *w = userdata;
        w->out_of_order += strcmp(f->uid, w->last) <= 0;
        snprintf(w->last, sizeof w->last, "%s", f->uid);
        w->seen++;
        if (r) {
                w->with_record++;
                if (strcmp(r->uid, f->uid) != 0 || strcmp(r->kind, "task") != 0)
                        return -EINVAL;
        }
        return 0;
}

int main(void) {
        Store *s = NULL;
        char err[512], path[600];
        Followup f = {};
        int64_t id, next_id, id2;
        int r;

        if (!mkdtemp(tmpdir))
                return 1;
        snprintf(path, sizeof path, "%s/netctl.db", tmpdir);
        r = store_open(path, err, sizeof err, &s);
        CHECK_INT(r, 0, "opens a new database");

        /* A VTODO that arrived from a phone. */
        FollowupSynced in = {
                .uid = "phone-1@x", .text = "Send CV", .has_due = true, .due = 2000000000,
                .sequence = 4, .modified = 1900000000,
        };
        r = store_followup_put_synced(s, &in, 1950000000, &id, &next_id);
        CHECK_INT(r, 0, "a synced follow-up is added");
        CHECK_INT(next_id, 0, "no successor for a new one");
        r = store_followup_get_by_uid(s, "phone-1@x", &f);
        CHECK_INT(r, 0, "found by UID");
        CHECK_INT(f.id, id, "the same row");
        CHECK_STR(f.text, "Send CV", "its text");
        CHECK_INT(f.due, 2000000000, "its due time");
        CHECK_INT(f.sequence, 4, "SEQUENCE as written");
        CHECK_INT(f.modified, 1900000000, "LAST-MODIFIED as written");
        CHECK_STR(f.kind, FOLLOWUP_KIND_FOLLOWUP, "a user follow-up");
        followup_clear(&f);

        /* Edited here: SEQUENCE goes up. */
        FollowupChanges ch = FOLLOWUP_CHANGES_NONE;
        ch.text = "Send CV to Erin";
        r = store_followup_edit(s, id, &ch, 1960000000);
        CHECK_INT(r, 0, "edited");
        store_followup_get(s, id, &f);
        CHECK_INT(f.sequence, 5, "an edit raises SEQUENCE");
        followup_clear(&f);

        /* Completed elsewhere, recurring: a successor only when asked. */
        in.every = 7 * 86400;
        in.sequence = 6;
        r = store_followup_put_synced(s, &in, 1960000000, &id2, &next_id);
        CHECK_INT(r, 0, "made recurring");
        CHECK_INT(id2, id, "updated in place");
        in.done_at = 1970000000;
        in.successor = false;
        in.sequence = 7;
        r = store_followup_put_synced(s, &in, 1970000000, &id2, &next_id);
        CHECK_INT(r, 0, "completed as another netctl wrote it");
        CHECK_INT(next_id, 0, "no successor: the writer scheduled it");
        store_followup_get(s, id, &f);
        CHECK_INT(f.done_at, 1970000000, "done at COMPLETED");
        followup_clear(&f);
        in.done_at = 0;
        store_followup_put_synced(s, &in, 1970000000, &id2, NULL);
        in.done_at = 1980000000;
        in.successor = true;
        r = store_followup_put_synced(s, &in, 1980000000, &id2, &next_id);
        CHECK_INT(r, 0, "completed by another program");
        CHECK(next_id > 0 && next_id != id, "a successor is scheduled");

        /* Sync records. */
        SyncRecord rec = {
                .kind = (char *) "task", .uid = (char *) "phone-1@x", .path = (char *) "/v/phone-1.ics",
                .file_hash = (char *) "f1", .db_hash = (char *) "d1", .synced = 5, .written = true,
        }, got = {};
        CHECK_INT(store_sync_record_put(s, &rec), 0, "a record is saved");
        CHECK_INT(store_sync_record_get(s, "task", "phone-1@x", &got), 0, "found by UID");
        CHECK_STR(got.path, "/v/phone-1.ics", "its path");
        CHECK(got.written, "written kept");
        sync_record_clear(&got);
        CHECK_INT(store_sync_record_get_path(s, "/v/phone-1.ics", &got), 0, "found by path");
        CHECK_STR(got.db_hash, "d1", "its hashes");
        sync_record_clear(&got);
        /* A file renamed over another takes over its path. */
        rec.uid = (char *) "other@x";
        CHECK_INT(store_sync_record_put(s, &rec), 0, "another UID at the same path");
        CHECK_INT(store_sync_record_get(s, "task", "phone-1@x", &got), -ENOENT, "the old record is gone");
        int n = 0;
        store_sync_record_each(s, "task", count_record, &n);
        CHECK_INT(n, 1, "one record per path");
        CHECK_INT(store_sync_record_delete(s, "task", "other@x"), 0, "deleted");
        n = 0;
        store_sync_record_each(s, "task", count_record, &n);
        CHECK_INT(n, 0, "no records left");

        /* The start-up scan's shortcuts: noted by path, kept by the
         * record, dropped by any put that does not carry them. */
        rec.uid = (char *) "phone-1@x";
        CHECK_INT(store_sync_record_put(s, &rec), 0, "a record without shortcuts");
        store_sync_record_get(s, "task", "phone-1@x", &got);
        CHECK(got.file_stat && !got.file_stat[0] && got.db_key && !got.db_key[0], "none known");
        sync_record_clear(&got);
        CHECK_INT(store_sync_record_set_file_stat(s, "/v/phone-1.ics", "1:2:3"), 0, "a file's state noted");
        CHECK_INT(store_sync_record_set_db_key(s, "/v/phone-1.ics", "k1"), 0, "a rendering's key noted");
        CHECK_INT(store_sync_record_set_db_key(s, "/v/nobody.ics", "k1"), -ENOENT, "no record at that path");
        store_sync_record_get_path(s, "/v/phone-1.ics", &got);
        CHECK_STR(got.file_stat, "1:2:3", "the state kept");
        CHECK_STR(got.db_key, "k1", "the key kept");
        sync_record_clear(&got);
        CHECK_INT(store_sync_record_put(s, &rec), 0, "the record saved again (a file read or written)");
        store_sync_record_get(s, "task", "phone-1@x", &got);
        CHECK(!got.file_stat[0] && !got.db_key[0], "the shortcuts dropped with the hashes they stood for");
        sync_record_clear(&got);
        rec.db_key = (char *) "k2";
        store_sync_record_put(s, &rec);
        store_sync_record_get(s, "task", "phone-1@x", &got);
        CHECK_STR(got.db_key, "k2", "a put may carry the key of what it wrote");
        sync_record_clear(&got);
        rec.db_key = NULL;
        store_sync_record_delete(s, "task", "phone-1@x");

        /* The walks go a page at a time: more records than a page, each
         * seen once, in UID order, while the callback changes the table. */
        for (int i = 0; i < 700; i++) {
                char u[32], pth[64];
                snprintf(u, sizeof u, "walk-%04d@x", i);
                snprintf(pth, sizeof pth, "/v/walk-%04d.ics", i);
                SyncRecord w = { .kind = (char *) "task", .uid = u, .path = pth, .file_hash = (char *) "f",
                                 .db_hash = (char *) "d" };
                store_sync_record_put(s, &w);
        }
        Walk walk = { .store = s };
        CHECK_INT(store_sync_record_each(s, "task", walk_changing, &walk), 0, "a walk that changes the table");
        CHECK_INT(walk.seen, 700, "each record once");
        CHECK_INT(walk.out_of_order, 0, "in UID order");
        n = 0;
        store_sync_record_each(s, "contact", count_record, &n);
        CHECK_INT(n, 700, "what the walk added is there");
        walk = (Walk) { .store = s };
        CHECK_INT(store_sync_task_orphans(s, walk_changing, &walk), 0, "the orphans' walk");
        CHECK_INT(walk.seen, 700, "records without a follow-up are orphans, each once");

        /* Follow-ups with their records, joined: one with a record, the
         * rest without; only user follow-ups. */
        for (int i = 0; i < 300; i++) {
                char u[32];
                snprintf(u, sizeof u, "walk-%04d@x", i);
                FollowupSynced w = { .uid = u, .text = "Walked", .has_due = true, .due = 2000000000 + i };
                store_followup_put_synced(s, &w, 1950000000, &id2, NULL);
        }
        walk = (Walk) { .store = s };
        char *after = strdup("");
        int pages = 0, got_page;
        while ((got_page = store_followup_synced_page(s, &after, walk_synced, &walk)) == STORE_SYNC_PAGE)
                pages++;
        free(after);
        CHECK_INT(got_page, 302 - STORE_SYNC_PAGE, "follow-ups with their records: the last page");
        CHECK_INT(pages, 1, "a full page before it");
        CHECK_INT(walk.seen, 302, "every user follow-up (the two above, and 300)");
        CHECK_INT(walk.with_record, 300, "those with a task record have it");
        CHECK_INT(walk.out_of_order, 0, "in UID order");
        walk = (Walk) { .store = s };
        CHECK_INT(store_sync_task_orphans(s, walk_changing, &walk), 0, "the orphans' walk again");
        CHECK_INT(walk.seen, 400, "only the records whose follow-up is gone");

        /* The conflict log. */
        CHECK_INT(store_sync_conflict_add(s, "task", "a@x", 10, "first", "BEGIN:VCALENDAR"), 0, "conflict logged");
        CHECK_INT(store_sync_conflict_add(s, "contact", "b@x", 20, "second", NULL), 0, "another");
        n = 0;
        CHECK_INT(store_sync_conflict_each(s, 0, count_conflict, &n), 0, "listed newest first");
        CHECK_INT(n, 2, "both");
        int64_t count;
        CHECK_INT(store_sync_conflict_count(s, &count), 0, "counted");
        CHECK_INT(count, 2, "two conflicts");

        /* Contacts by UID. */
        ContactChanges cc = CONTACT_CHANGES_NONE;
        cc.name = "Ana Lima";
        int64_t cid, found;
        ReconnectChange rc;
        CHECK_INT(store_contact_add(s, &cc, 90 * 86400, 1950000000, &cid, &rc), 0, "a contact");
        CHECK_INT(store_contact_set_uid(s, cid, "card-1"), 0, "given the card's UID");
        CHECK_INT(store_contact_get_by_uid(s, "card-1", &found), 0, "found by UID");
        CHECK_INT(found, cid, "the same contact");
        CHECK_INT(store_contact_get_by_uid(s, "nobody", &found), -ENOENT, "unknown UID");
        CHECK_INT(store_contact_set_modified(s, cid, 1234), 0, "modified set");
        Contact ct = {};
        store_contact_get(s, cid, &ct);
        CHECK_INT(ct.modified, 1234, "as given");
        contact_clear(&ct);

        store_free(s);
        unlink(path);
        snprintf(path, sizeof path, "%s/netctl.db-wal", tmpdir);
        unlink(path);
        snprintf(path, sizeof path, "%s/netctl.db-shm", tmpdir);
        unlink(path);
        rmdir(tmpdir);
        return tap_done();
}
