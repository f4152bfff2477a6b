// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the help layout (user/cli/help.c): words wrapped at the width and never cut,
 * continuation lines indented, a long left-hand side pushing its text to the next line,
 * summaries whose table rows stay as written, and a summary's first sentence whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "user/cli/help.h"

/* What fn wrote into a memory stream, as a string to free. */
#define CAPTURE(call)                                     \
	({                                                \
		char *buf_ = NULL;                        \
		size_t len_ = 0;                          \
		FILE *out = open_memstream(&buf_, &len_); \
		assert_non_null(out);                     \
		call;                                     \
		assert_int_equal(fclose(out), 0);         \
		buf_;                                     \
	})

static void test_item_wraps_at_words(void **state)
{
	char *s;

	(void)state;
	s = CAPTURE(xg_help_item(out, 30, "-x, --xx N", "one two three four five six seven", 14));
	assert_string_equal(s, "  -x, --xx N  one two three\n"
			       "              four five six\n"
			       "              seven\n");
	free(s);
	/* a left-hand side that reaches the column: the text starts on the next line */
	s = CAPTURE(xg_help_item(out, 40, "rules load|confirm|add", "Change rule sets.", 10));
	assert_string_equal(s, "  rules load|confirm|add\n          Change rule sets.\n");
	free(s);
	/* a word longer than a line gets a line of its own, whole; newlines are spaces */
	s = CAPTURE(xg_help_item(out, 20, "-H", "a\nverylongwordthatdoesnotfit b", 5));
	assert_string_equal(s, "  -H a\n     verylongwordthatdoesnotfit\n     b\n");
	free(s);
	s = CAPTURE(xg_help_item(out, 20, "-q", NULL, 5));
	assert_string_equal(s, "  -q \n");
	free(s);
}

static void test_lines_keep_tables(void **state)
{
	char *s;

	(void)state;
	s = CAPTURE(xg_help_lines(out, 30,
				  "Title line that is long enough to wrap.\n"
				  "A paragraph of\nshort lines joined and wrapped again.\n"
				  "  row one     fits\n"
				  "  row two     is too long for thirty\n"));
	assert_string_equal(s, "Title line that is long enough\nto wrap.\n"
			       "A paragraph of short lines\njoined and wrapped again.\n"
			       "  row one     fits\n"
			       "  row two is too long for\n  thirty\n");
	free(s);
}

static void test_sentence(void **state)
{
	char buf[64];

	(void)state;
	xg_help_sentence("Transmit frames (BPF_PROG_RUN,\nor AF_XDP). Each frame ...", buf,
			 sizeof(buf));
	assert_string_equal(buf, "Transmit frames (BPF_PROG_RUN, or AF_XDP).");
	xg_help_sentence("Version 1.2 is not an end.\nNext", buf, sizeof(buf));
	assert_string_equal(buf, "Version 1.2 is not an end.");
	xg_help_sentence("no full stop", buf, sizeof(buf));
	assert_string_equal(buf, "no full stop");
	xg_help_sentence("0123456789", buf, 5);
	assert_string_equal(buf, "0123");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_wraps_at_words),
		cmocka_unit_test(test_lines_keep_tables),
		cmocka_unit_test(test_sentence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
