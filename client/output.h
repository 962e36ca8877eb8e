/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Aligned tables for human output.  Columns are padded to their widest
 * cell (in display columns, not bytes).  On a terminal the table fits the
 * width: the widest columns are narrowed first and a cell that no longer
 * fits is cut with an ellipsis, so a line never wraps mid-cell.  In a pipe
 * every cell is printed whole. */

typedef struct Table Table;

Table *table_new(unsigned columns, ...);        /* the header cells */
int table_add_row(Table *t, ...);               /* `columns` strings; copied */
/* Marks a column as free text that gives way first when the table is too
 * wide for the terminal (the last column always is). */
void table_set_elastic(Table *t, unsigned column);
/* Colours one cell of the row added last with an ANSI_* style (a static
 * string); shown only when output_color(). */
void table_style_cell(Table *t, unsigned column, const char *ansi_style);
size_t table_rows(const Table *t);
void table_print(const Table *t, FILE *out);
void table_free(Table *t);

/* Display width of a UTF-8 string in terminal columns. */
size_t display_width(const char *s);

/* True when stdout is a terminal; and its width (80 when unknown). */
bool output_is_terminal(void);
unsigned output_terminal_width(void);

/* Colour and Unicode decorations.  Colour is on with --color=always; with
 * --color=auto (the default) only when stdout is a terminal, TERM is not
 * "dumb" and NO_COLOR is unset or empty (https://no-color.org).  Unicode
 * decorations (the ellipsis, bar-chart blocks) only on a terminal whose
 * locale is UTF-8; elsewhere ASCII.  --json output is never decorated. */
typedef enum ColorMode {
        COLOR_AUTO,
        COLOR_ALWAYS,
        COLOR_NEVER,
} ColorMode;

/* "auto", "always" or "never"; -EINVAL otherwise. */
int color_mode_from_string(const char *s, ColorMode *ret);
void output_set_color_mode(ColorMode mode);

/* Takes every --color[=WHEN] out of argv[1..] (up to a "--"), applying
 * the last one; "--color" alone means always.  Returns 0, or -EINVAL with
 * the offending argument in *ret_bad (argv is then left as it was). */
int output_take_color_options(int *argc, char *argv[], const char **ret_bad);

bool output_color(void);
bool output_unicode(void);

#define ANSI_NORMAL "\033[0m"
#define ANSI_BOLD   "\033[1m"
#define ANSI_RED    "\033[31m"
#define ANSI_GREEN  "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_GREY   "\033[90m"

/* The style itself when colour is on, else "": printf("%sWarning%s",
 * ansi(ANSI_YELLOW), ansi(ANSI_NORMAL)). */
const char *ansi(const char *style);
