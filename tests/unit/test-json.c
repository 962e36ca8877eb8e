/* SPDX-License-Identifier: MIT */
/* The JSON writer formats times, numbers and strings by hand; these checks
 * hold it to what gmtime_r/localtime_r with strftime and printf write,
 * byte for byte, over instants spread across 1875-10209, in
 * zones with odd offsets and DST, and to the escaping rules. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "followup-rows.h"
#include "json.h"
#include "tap.h"

/* What the writer produces for one value, as a string. */
#define CAPTURE(buf, call) do {                                                 \
                char *data_ = NULL;                                             \
                size_t size_ = 0;                                               \
                FILE *f_ = open_memstream(&data_, &size_);                      \
                JsonWriter w_;                                                  \
                json_init(&w_, f_);                                             \
                call;                                                           \
                json_finish(&w_);                                               \
                fclose(f_);                                                     \
                snprintf(buf, sizeof buf, "%s", data_);                         \
                free(data_);                                                    \
        } while (0)

static void strftime_utc(int64_t t, char *buf, size_t size) {
        struct tm tm;
        time_t tt = (time_t) t;
        char s[64];
        if (t == 0 || !gmtime_r(&tt, &tm)) {
                snprintf(buf, size, "null\n");
                return;
        }
        strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(buf, size, "\"%s\"\n", s);
}

static void strftime_local(int64_t t, char *buf, size_t size) {
        struct tm tm;
        time_t tt = (time_t) t;
        char s[64];
        if (t == 0 || !localtime_r(&tt, &tm)) {
                snprintf(buf, size, "null\n");
                return;
        }
        size_t n = strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S%z", &tm);
        /* +0100 -> +01:00, as the writer always did. */
        snprintf(buf, size, "\"%.*s:%s\"\n", (int) n - 2, s, s + n - 2);
}

static void check_times(const char *zone) {
        char got[96], want[96], what[160];
        int bad_utc = 0, bad_local = 0;

        setenv("TZ", zone, 1);
        tzset();
        srand(20261126);
        for (int i = 0; i < 60000; i++) {
                int64_t t;
                if (i < 1000)   /* around the edges */
                        t = (int64_t) i - 500 + (i % 2 ? INT64_C(253402300799) : 0);
                else if (i < 2000)      /* whole hours and half hours near DST changes */
                        t = INT64_C(1774746000) + (int64_t) (i - 1500) * 1800;
                else
                        /* 1875 to 10209: LMT offsets with seconds, too */
                        t = ((int64_t) rand() << 20 ^ rand()) % INT64_C(263000000000) - INT64_C(3000000000);
                CAPTURE(got, json_time_utc(&w_, t));
                strftime_utc(t, want, sizeof want);
                if (strcmp(got, want) != 0 && bad_utc++ < 3)
                        printf("#   utc %lld: got %s#   want %s", (long long) t, got, want);
                CAPTURE(got, json_time_local(&w_, t));
                strftime_local(t, want, sizeof want);
                if (strcmp(got, want) != 0 && bad_local++ < 3)
                        printf("#   local %lld: got %s#   want %s", (long long) t, got, want);
        }
        snprintf(what, sizeof what, "json_time_utc is strftime's, in %s", zone);
        CHECK_INT(bad_utc, 0, what);
        snprintf(what, sizeof what, "json_time_local is strftime's with +hh:mm, in %s", zone);
        CHECK_INT(bad_local, 0, what);
}

int main(void) {
        char got[256];

        check_times("UTC");
        check_times("Europe/Berlin");
        check_times("America/St_Johns");        /* -03:30 / -02:30 */
        check_times("Asia/Kathmandu");          /* +05:45 */
        check_times("Europe/Amsterdam");        /* +00:19:32 before 1937 */
        check_times("Pacific/Kiritimati");      /* +14:00 */

        CAPTURE(got, json_int(&w_, INT64_MIN));
        CHECK_STR(got, "-9223372036854775808\n", "json_int INT64_MIN");
        CAPTURE(got, json_int(&w_, -42));
        CHECK_STR(got, "-42\n", "json_int negative");
        CAPTURE(got, json_int(&w_, 0));
        CHECK_STR(got, "0\n", "json_int 0");
        CAPTURE(got, json_uint(&w_, UINT64_MAX));
        CHECK_STR(got, "18446744073709551615\n", "json_uint UINT64_MAX");

        CAPTURE(got, json_string(&w_, "a\"b\\c\nd\re\tf\001g\177h\x1fi Zoë 東京"));
        CHECK_STR(got, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007fh\\u001fi Zoë 東京\"\n", "json_string escapes");
        CAPTURE(got, json_string(&w_, NULL));
        CHECK_STR(got, "null\n", "json_string NULL");

        CAPTURE(got, (json_begin_object(&w_), json_key(&w_, "a"), json_begin_array(&w_), json_bool(&w_, true),
                      json_null(&w_), json_uint(&w_, 7), json_end_array(&w_), json_key(&w_, "b\""),
                      json_string(&w_, ""), json_end_object(&w_)));
        CHECK_STR(got, "{\"a\":[true,null,7],\"b\\\"\":\"\"}\n", "containers, commas, escaped key");

        /* A document larger than the writer's buffer comes out whole. */
        {
                char *data = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&data, &size);
                JsonWriter w;
                json_init(&w, f);
                json_begin_array(&w);
                for (int i = 0; i < 20000; i++)
                        json_string(&w, "0123456789");
                json_end_array(&w);
                json_finish(&w);
                fclose(f);
                /* "[", 20,000 quoted strings of 12 bytes, 19,999 commas, "]\n" */
                CHECK_INT(size, 1 + 20000 * 12 + 19999 + 2, "a 260 kB document is written whole");
                CHECK(size > 2 && data[0] == '[' && data[size - 2] == ']', "and ends where it should");
                free(data);
        }

        /* Follow-up rows: what is appended decodes to the same fields. */
        {
                FollowupRowsBuffer b;
                FollowupRow in = { .id = 7, .uid = "u@x", .text = "Zoë \"q\"", .kind = "followup",
                                   .due = -5, .done_at = 0, .every = 604800, .every_fixed = 1,
                                   .notified_at = INT64_MAX, .contact = NULL }, out;
                CHECK_INT(followup_rows_buffer_init(&b), 0, "rows buffer");
                CHECK_INT(followup_rows_append(&b, &in), 0, "append a row");
                const char *p = followup_rows_begin(b.data, b.size), *end = b.data + b.size;
                CHECK(p != NULL, "magic");
                CHECK_INT(followup_rows_next(&p, end, &out), 1, "decode a row");
                CHECK(out.id == 7 && out.due == -5 && out.done_at == 0 && out.every == 604800 &&
                      out.every_fixed == 1 && out.notified_at == INT64_MAX, "integers round-trip");
                CHECK(strcmp(out.uid, "u@x") == 0 && strcmp(out.text, "Zoë \"q\"") == 0 &&
                      strcmp(out.kind, "followup") == 0 && strcmp(out.contact, "") == 0,
                      "strings round-trip, no contact as \"\"");
                CHECK_INT(followup_rows_next(&p, end, &out), 0, "then the end");
                p = followup_rows_begin(b.data, b.size);
                CHECK_INT(followup_rows_next(&p, end - 1, &out), -EBADMSG, "a record cut short is refused");
                CHECK(followup_rows_begin("NCTLFR2\n", 8) == NULL, "another magic is refused");
                followup_rows_buffer_free(&b);
        }

        return tap_done();
}
