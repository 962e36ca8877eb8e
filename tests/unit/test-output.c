/* SPDX-License-Identifier: MIT */
/* The client's aligned tables as a pipe gets them (no terminal: every
 * cell whole, no colour): columns line up in display columns, not bytes,
 * and no line ends in blanks, even when a row's last cells are empty. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "tap.h"

/* The table as text; the caller frees it. */
static char *print_to_string(const Table *t) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        if (!f)
                return NULL;
        table_print(t, f);
        fclose(f);
        return text;
}

static bool no_line_ends_in_blank(const char *text) {
        for (const char *p = strchr(text, '\n'); p; p = strchr(p + 1, '\n'))
                if (p > text && p[-1] == ' ')
                        return false;
        return true;
}

int main(void) {
        /* Display widths need a UTF-8 locale, as the client sets one. */
        setlocale(LC_CTYPE, "C.UTF-8");
        /* Plain even when run by hand on a terminal. */
        output_set_color_mode(COLOR_NEVER);

        Table *t = table_new(3, "HANDLE", "NAME", "ORG");
        CHECK(t, "a table");
        CHECK(table_add_row(t, "ana-lima", "Ana Lima", "Acme") == 0, "a full row");
        CHECK(table_add_row(t, "bo-chen", "Bo Chen", "") == 0, "a row without its last cell");
        CHECK(table_add_row(t, "zoe", "Zoë Müller", NULL) == 0, "a NULL cell is empty");
        char *text = print_to_string(t);
        CHECK_STR(text,
                  "HANDLE    NAME        ORG\n"
                  "ana-lima  Ana Lima    Acme\n"
                  "bo-chen   Bo Chen\n"
                  "zoe       Zoë Müller\n",
                  "aligned by display width, trailing empty cells not padded");
        CHECK(text && no_line_ends_in_blank(text), "no line ends in a blank");
        free(text);
        table_free(t);

        /* An empty cell in the middle keeps its column. */
        t = table_new(3, "ID", "CONTACT", "TEXT");
        CHECK(table_add_row(t, "1", "", "Send the article") == 0, "an empty middle cell");
        CHECK(table_add_row(t, "12", "ana-lima", "") == 0, "an empty last cell");
        text = print_to_string(t);
        CHECK_STR(text,
                  "ID  CONTACT   TEXT\n"
                  "1             Send the article\n"
                  "12  ana-lima\n",
                  "empty middle cells are padded, empty last ones are not");
        free(text);
        table_free(t);
        return tap_done();
}
