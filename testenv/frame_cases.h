/* SPDX-License-Identifier: GPL-2.0 */
/* Test fixture: the frame table shared by the parser unit test and the BPF prog test, so
 * both parsers are held to the same expectations, frame by frame and cut by cut. */
#ifndef XG_TEST_FRAME_CASES_H
#define XG_TEST_FRAME_CASES_H

#include <stddef.h>

#include "common/xdpgate_consts.h"
#include "user/util/frame_build.h"

/* Largest case frame; also fits BPF_PROG_RUN's single-page limit for XDP. */
#define XG_CASE_FRAME_MAX 3000

struct xg_frame_case {
	const char *name;
	struct xg_frame_spec spec;
	enum xg_parse outcome; /* of the whole frame */
	enum xg_frag frag;     /* of the whole frame */
	int l4_ok;	       /* of the whole frame: the L4 header was parsed */
};

extern const struct xg_frame_case xg_frame_cases[];
extern const size_t xg_frame_cases_n;

/* The outcome the parser must report for the case's frame cut to len bytes: the layer
 * the cut falls in, or the whole frame's outcome once the parser has what it reads. */
enum xg_parse xg_case_expect(const struct xg_frame_case *c, size_t len);

/* The innermost EtherType the spec puts on the wire (0x8100 for a third tag). */
unsigned int xg_case_eth_proto(const struct xg_frame_spec *s);

#endif
