/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "output.h"

#define TABLE_MAX_COLUMNS 8

struct Table {
        unsigned columns;
        size_t rows;            /* data rows, the header excluded */
        size_t allocated;
        char **cells;           /* (rows + 1) * columns, header first */
};

static int table_append(Table *t, va_list ap) {
        if (t->rows + 1 >= t->allocated) {
                size_t n = t->allocated ? t->allocated * 2 : 16;
                char **cells = realloc(t->cells, n * t->columns * sizeof *cells);
                if (!cells)
                        return -ENOMEM;
                t->cells = cells;
                t->allocated = n;
        }
        size_t base = (t->rows + 1) * t->columns;
        for (unsigned i = 0; i < t->columns; i++) {
                const char *cell = va_arg(ap, const char *);
                t->cells[base + i] = strdup(cell ? cell : "");
                if (!t->cells[base + i]) {
                        for (unsigned j = 0; j < i; j++)
                                free(t->cells[base + j]);
                        return -ENOMEM;
                }
        }
        t->rows++;
        return 0;
}

Table *table_new(unsigned columns, ...) {
        va_list ap;

        if (columns == 0 || columns > TABLE_MAX_COLUMNS)
                return NULL;
        Table *t = calloc(1, sizeof *t);
        if (!t)
                return NULL;
        t->columns = columns;
        t->allocated = 16;
        t->cells = calloc(t->allocated * columns, sizeof *t->cells);
        if (!t->cells) {
                free(t);
                return NULL;
        }
        va_start(ap, columns);
        for (unsigned i = 0; i < columns; i++)
                t->cells[i] = strdup(va_arg(ap, const char *));
        va_end(ap);
        return t;
}

int table_add_row(Table *t, ...) {
        va_list ap;
        va_start(ap, t);
        int r = table_append(t, ap);
        va_end(ap);
        return r;
}

size_t table_rows(const Table *t) {
        return t->rows;
}

void table_free(Table *t) {
        if (!t)
                return;
        for (size_t i = 0; i < (t->rows + 1) * t->columns; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
}

size_t display_width(const char *s) {
        mbstate_t state = {};
        size_t width = 0, left = strlen(s);

        while (left > 0) {
                wchar_t wc;
                size_t n = mbrtowc(&wc, s, left, &state);
                if (n == (size_t) -1 || n == (size_t) -2) {
                        /* Not decodable in this locale: count bytes. */
                        memset(&state, 0, sizeof state);
                        width++;
                        s++;
                        left--;
                        continue;
                }
                if (n == 0)
                        break;
                int w = wcwidth(wc);
                width += w > 0 ? (size_t) w : 0;
                s += n;
                left -= n;
        }
        return width;
}

bool output_is_terminal(void) {
        return isatty(STDOUT_FILENO) == 1;
}

unsigned output_terminal_width(void) {
        struct winsize ws;
        const char *columns = getenv("COLUMNS");

        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return ws.ws_col;
        if (columns) {
                long v = strtol(columns, NULL, 10);
                if (v > 0 && v < 10000)
                        return (unsigned) v;
        }
        return 80;
}

/* Prints s cut to at most `width` display columns, with "…" (or "...")
 * when cut. */
static void print_cut(FILE *out, const char *s, size_t width) {
        mbstate_t state = {};
        size_t used = 0, left = strlen(s);
        const char *p = s;
        bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
        size_t ellipsis = utf8 ? 1 : 3;

        if (display_width(s) <= width) {
                fputs(s, out);
                return;
        }
        while (left > 0) {
                wchar_t wc;
                size_t n = mbrtowc(&wc, p, left, &state);
                if (n == (size_t) -1 || n == (size_t) -2 || n == 0)
                        break;
                int w = wcwidth(wc);
                if (w < 0)
                        w = 0;
                if (used + (size_t) w + ellipsis > width)
                        break;
                used += (size_t) w;
                p += n;
                left -= n;
        }
        fwrite(s, 1, (size_t) (p - s), out);
        fputs(utf8 ? "\u2026" : "...", out);
}

void table_print(const Table *t, FILE *out) {
        size_t width[TABLE_MAX_COLUMNS] = {};

        for (size_t r = 0; r <= t->rows; r++)
                for (unsigned c = 0; c < t->columns; c++) {
                        size_t w = display_width(t->cells[r * t->columns + c]);
                        if (w > width[c])
                                width[c] = w;
                }

        /* On a terminal the last column gets what is left of the width. */
        size_t last_max = SIZE_MAX;
        if (output_is_terminal()) {
                size_t before = 0;
                for (unsigned c = 0; c + 1 < t->columns; c++)
                        before += width[c] + 2;
                unsigned term = output_terminal_width();
                last_max = term > before + 10 ? term - before : 10;
        }

        for (size_t r = 0; r <= t->rows; r++) {
                for (unsigned c = 0; c < t->columns; c++) {
                        const char *cell = t->cells[r * t->columns + c];
                        if (c + 1 == t->columns) {
                                print_cut(out, cell, last_max);
                                break;
                        }
                        fputs(cell, out);
                        for (size_t pad = display_width(cell); pad < width[c] + 2; pad++)
                                fputc(' ', out);
                }
                fputc('\n', out);
        }
}
