/* SPDX-License-Identifier: GPL-2.0 */
/* Unit tests: what the code under test writes to stderr, caught in a temporary file. */
#ifndef XG_TEST_STDERR_CAPTURE_H
#define XG_TEST_STDERR_CAPTURE_H

#include <stddef.h>
#include <stdio.h>

struct stderr_capture {
	FILE *f;   /* stderr goes here meanwhile */
	int saved; /* the real stderr */
};

/* From now on stderr is c->f (the test fails if it cannot be). */
void stderr_capture_begin(struct stderr_capture *c);
/* stderr back; what was written into out (NUL-terminated, at most len - 1 bytes). Its
 * length. */
size_t stderr_capture_end(struct stderr_capture *c, char *out, size_t len);

#endif
