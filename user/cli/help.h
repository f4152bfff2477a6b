/* SPDX-License-Identifier: GPL-2.0 */
/* Help text laid out for the reader's terminal: words wrapped, never cut. */
#ifndef XG_HELP_H
#define XG_HELP_H

#include <stdio.h>

/* The width help text wraps at: the terminal's when out is one (at least 40 columns),
 * else 80 (a pipe, a file, a test). */
int xg_help_width(FILE *out);

/* "  LHS" and then TEXT from column col, its words wrapped to width and each further line
 * indented to col; when LHS reaches col, TEXT starts on the next line. Newlines in TEXT
 * are spaces; a NULL TEXT is empty. */
void xg_help_item(FILE *out, int width, const char *lhs, const char *text, int col);

/* A command's summary: the first line, then each run of unindented lines as one paragraph
 * wrapped to width; an indented line (a table row) is printed as written when it fits,
 * else wrapped with its further lines indented as the line itself. */
void xg_help_lines(FILE *out, int width, const char *text);

/* The first sentence of TEXT (up to a '.' that ends a line or is followed by a space),
 * its newlines made spaces, into buf. */
void xg_help_sentence(const char *text, char *buf, size_t len);

#endif
