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
        const char **styles;    /* parallel to cells: an ANSI_* or NULL */
        bool elastic[TABLE_MAX_COLUMNS];  /* narrowed first to fit */
};

static int table_append(Table *t, va_list ap) {
        if (t->rows + 1 >= t->allocated) {
                size_t n = t->allocated ? t->allocated * 2 : 16;
                char **cells = realloc(t->cells, n * t->columns * sizeof *cells);
                if (!cells)
                        return -ENOMEM;
                t->cells = cells;
                const char **styles = realloc(t->styles, n * t->columns * sizeof *styles);
                if (!styles)
                        return -ENOMEM;
                t->styles = styles;
                t->allocated = n;
        }
        size_t base = (t->rows + 1) * t->columns;
        for (unsigned i = 0; i < t->columns; i++) {
                const char *cell = va_arg(ap, const char *);
                t->styles[base + i] = NULL;
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
        t->elastic[columns - 1] = true;
        t->allocated = 16;
        t->cells = calloc(t->allocated * columns, sizeof *t->cells);
        t->styles = calloc(t->allocated * columns, sizeof *t->styles);
        if (!t->cells || !t->styles) {
                free(t->cells);
                free(t->styles);
                free(t);
                return NULL;
        }
        va_start(ap, columns);
        for (unsigned i = 0; i < columns; i++)
                t->cells[i] = strdup(va_arg(ap, const char *));
        va_end(ap);
        for (unsigned i = 0; i < columns; i++)
                if (!t->cells[i]) {
                        table_free(t);
                        return NULL;
                }
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

void table_set_elastic(Table *t, unsigned column) {
        if (column < t->columns)
                t->elastic[column] = true;
}

void table_style_cell(Table *t, unsigned column, const char *ansi_style) {
        if (t->rows == 0 || column >= t->columns)
                return;
        t->styles[t->rows * t->columns + column] = ansi_style;
}

void table_free(Table *t) {
        if (!t)
                return;
        for (size_t i = 0; i < (t->rows + 1) * t->columns; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t->styles);
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

/* Prints s cut to at most `width` display columns, ending in an ellipsis
 * ("…", or "..." without Unicode) when cut.  Returns the columns used. */
static size_t print_cut(FILE *out, const char *s, size_t width) {
        mbstate_t state = {};
        size_t used = 0, left = strlen(s);
        const char *p = s;
        bool unicode = output_unicode();
        size_t ellipsis = unicode ? 1 : 3;

        size_t full = display_width(s);
        if (full <= width) {
                fputs(s, out);
                return full;
        }
        if (width < ellipsis) {
                /* No room for an ellipsis: as many dots as fit. */
                for (size_t i = 0; i < width; i++)
                        fputc('.', out);
                return width;
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
        fputs(unicode ? "\u2026" : "...", out);
        return used + ellipsis;
}

/* Narrows columns until the table fits `avail` columns: the widest
 * elastic column (free text) that is still above its floor (its header's
 * width, but at least 10, or its natural width when that is smaller), and
 * only when those are all at their floor the widest of the others (floor
 * 6), so ids and dates keep their width while long text gives way.  When
 * every column is at its floor the table stays wider than `avail`. */
static void fit_widths(const Table *t, size_t width[], size_t avail) {
        size_t floor_width[TABLE_MAX_COLUMNS], total = 0;

        for (unsigned c = 0; c < t->columns; c++) {
                size_t header = display_width(t->cells[c]), least = t->elastic[c] ? 10 : 6;
                size_t f = header > least ? header : least;
                floor_width[c] = f < width[c] ? f : width[c];
                total += width[c] + (c + 1 < t->columns ? 2 : 0);
        }
        while (total > avail) {
                unsigned widest = t->columns;
                for (int pass = 0; pass < 2 && widest == t->columns; pass++)
                        for (unsigned c = 0; c < t->columns; c++)
                                if ((pass == 1 || t->elastic[c]) && width[c] > floor_width[c] &&
                                    (widest == t->columns || width[c] > width[widest]))
                                        widest = c;
                if (widest == t->columns)
                        break;
                /* Down to the next widest in one step, or just enough. */
                size_t next = floor_width[widest];
                for (unsigned c = 0; c < t->columns; c++)
                        if (c != widest && t->elastic[c] == t->elastic[widest] && width[c] < width[widest] &&
                            width[c] > next)
                                next = width[c];
                size_t cut = width[widest] - next;
                if (cut == 0)
                        cut = 1;
                if (cut > total - avail)
                        cut = total - avail;
                width[widest] -= cut;
                total -= cut;
        }
}

void table_print(const Table *t, FILE *out) {
        size_t width[TABLE_MAX_COLUMNS] = {};
        bool color = output_color();

        for (size_t r = 0; r <= t->rows; r++)
                for (unsigned c = 0; c < t->columns; c++) {
                        size_t w = display_width(t->cells[r * t->columns + c]);
                        if (w > width[c])
                                width[c] = w;
                }

        if (output_is_terminal())
                fit_widths(t, width, output_terminal_width());

        for (size_t r = 0; r <= t->rows; r++) {
                /* Empty cells at the end of a row (a contact without an
                 * organisation) are not padded: no line ends in blanks. */
                unsigned filled = t->columns;
                while (filled > 1 && t->cells[r * t->columns + filled - 1][0] == '\0')
                        filled--;
                for (unsigned c = 0; c < filled; c++) {
                        const char *cell = t->cells[r * t->columns + c];
                        const char *style = r == 0 ? ANSI_BOLD : t->styles[r * t->columns + c];
                        if (color && style)
                                fputs(style, out);
                        size_t used = print_cut(out, cell, width[c]);
                        if (color && style)
                                fputs(ANSI_NORMAL, out);
                        if (c + 1 == filled)
                                break;
                        for (size_t pad = used; pad < width[c] + 2; pad++)
                                fputc(' ', out);
                }
                fputc('\n', out);
        }
}

static ColorMode color_mode = COLOR_AUTO;

int color_mode_from_string(const char *s, ColorMode *ret) {
        if (strcmp(s, "auto") == 0)
                *ret = COLOR_AUTO;
        else if (strcmp(s, "always") == 0)
                *ret = COLOR_ALWAYS;
        else if (strcmp(s, "never") == 0)
                *ret = COLOR_NEVER;
        else
                return -EINVAL;
        return 0;
}

void output_set_color_mode(ColorMode mode) {
        color_mode = mode;
}

int output_take_color_options(int *argc, char *argv[], const char **ret_bad) {
        ColorMode mode = color_mode;
        int n = *argc, kept = 1, i;

        /* Check everything first so that argv is untouched on error. */
        for (i = 1; i < n && strcmp(argv[i], "--") != 0; i++) {
                if (strcmp(argv[i], "--color") == 0)
                        mode = COLOR_ALWAYS;
                else if (strncmp(argv[i], "--color=", 8) == 0 &&
                         color_mode_from_string(argv[i] + 8, &mode) < 0) {
                        *ret_bad = argv[i];
                        return -EINVAL;
                }
        }
        for (i = 1; i < n; i++) {
                bool end = strcmp(argv[i], "--") == 0;
                if (!end && (strcmp(argv[i], "--color") == 0 || strncmp(argv[i], "--color=", 8) == 0))
                        continue;
                argv[kept++] = argv[i];
                if (end)
                        /* Everything after "--" is kept as it is. */
                        for (i++; i < n; i++)
                                argv[kept++] = argv[i];
        }
        if (kept < n)
                argv[kept] = NULL;
        *argc = kept;
        color_mode = mode;
        return 0;
}

bool output_color(void) {
        static int cached = -1;

        if (color_mode != COLOR_AUTO)
                return color_mode == COLOR_ALWAYS;
        if (cached < 0) {
                const char *no_color = getenv("NO_COLOR");
                const char *term = getenv("TERM");
                cached = output_is_terminal() && !(no_color && no_color[0]) &&
                         !(term && strcmp(term, "dumb") == 0);
        }
        return cached;
}

bool output_unicode(void) {
        return output_is_terminal() && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

const char *ansi(const char *style) {
        return output_color() ? style : "";
}
