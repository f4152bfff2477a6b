// SPDX-License-Identifier: GPL-2.0
/* Help text wrapped at word boundaries, so `--help` never cuts a sentence off at a fixed
 * field width and never runs past the terminal. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "user/cli/help.h"

#define XG_HELP_DEFAULT_WIDTH 80
#define XG_HELP_MIN_WIDTH 40

int xg_help_width(FILE *out)
{
	struct winsize ws;
	int fd = fileno(out);

	if (fd < 0 || !isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_col)
		return XG_HELP_DEFAULT_WIDTH;
	return ws.ws_col < XG_HELP_MIN_WIDTH ? XG_HELP_MIN_WIDTH : ws.ws_col;
}

/* Words of text[0..n) from column col (the cursor is there already), wrapped to width,
 * further lines indented to indent. A word longer than a line gets a line of its own. */
static void wrap_words(FILE *out, int width, const char *text, size_t n, int col, int indent)
{
	const char *p = text, *end = text + n;
	int at = col;
	bool first = true;

	while (p < end) {
		const char *w;
		int wlen;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			break;
		for (w = p; p < end && !isspace((unsigned char)*p); p++)
			;
		wlen = (int)(p - w);
		if (!first && at + 1 + wlen > width) {
			fprintf(out, "\n%*s", indent, "");
			at = indent;
		} else if (!first) {
			fputc(' ', out);
			at++;
		}
		fprintf(out, "%.*s", wlen, w);
		at += wlen;
		first = false;
	}
	fputc('\n', out);
}

void xg_help_item(FILE *out, int width, const char *lhs, const char *text, int col)
{
	int at = fprintf(out, "  %s", lhs);

	if (!text)
		text = "";

	if (at + 1 > col) {
		fputc('\n', out);
		at = 0;
	}
	fprintf(out, "%*s", col - at, "");
	wrap_words(out, width, text, strlen(text), col, col);
}

void xg_help_lines(FILE *out, int width, const char *text)
{
	bool first = true;

	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		size_t lead = 0;

		while (lead < n && text[lead] == ' ')
			lead++;
		/* unindented lines after the first make one paragraph, reflowed as a whole */
		while (!first && !lead && nl && nl[1] && nl[1] != ' ' && nl[1] != '\n') {
			nl = strchr(nl + 1, '\n');
			n = nl ? (size_t)(nl - text) : strlen(text);
		}
		if ((int)n <= width && !memchr(text, '\n', n)) {
			fprintf(out, "%.*s\n", (int)n, text);
		} else {
			fprintf(out, "%*s", (int)lead, "");
			wrap_words(out, width, text + lead, n - lead, (int)lead, (int)lead);
		}
		first = false;
		text += n + (nl ? 1 : 0);
	}
}

void xg_help_sentence(const char *text, char *buf, size_t len)
{
	size_t i, j = 0;

	if (!len)
		return;
	for (i = 0; text && text[i] && j + 1 < len; i++) {
		buf[j++] = text[i] == '\n' ? ' ' : text[i];
		if (text[i] == '.' && (!text[i + 1] || isspace((unsigned char)text[i + 1])))
			break;
	}
	buf[j] = '\0';
}
