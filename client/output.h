/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Aligned tables for human output.  Columns are padded to their widest
 * cell (in display columns, not bytes); on a terminal the last column is
 * cut with an ellipsis to fit the width rather than wrapping mid-cell. */

typedef struct Table Table;

Table *table_new(unsigned columns, ...);        /* the header cells */
int table_add_row(Table *t, ...);               /* `columns` strings; copied */
size_t table_rows(const Table *t);
void table_print(const Table *t, FILE *out);
void table_free(Table *t);

/* Display width of a UTF-8 string in terminal columns. */
size_t display_width(const char *s);

/* True when stdout is a terminal; and its width (80 when unknown). */
bool output_is_terminal(void);
unsigned output_terminal_width(void);
