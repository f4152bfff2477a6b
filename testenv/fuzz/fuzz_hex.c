/* SPDX-License-Identifier: GPL-2.0 */
/* libFuzzer harness for `rules explain` input: xg_parse_hex_frame() on the input as text,
 * into a small and a full-size buffer, then the frame parser on what it decoded. */
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "user/rules/explain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[XG_FRAME_MAX];
	uint8_t *small;
	char *s = malloc(size + 1);
	struct xg_pkt pkt;
	size_t len = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	small = malloc(16);
	if (small && xg_parse_hex_frame(s, small, 16, &len) == 0 && len > 16)
		abort();
	free(small);
	len = 0;
	if (xg_parse_hex_frame(s, frame, sizeof(frame), &len) == 0) {
		if (len > sizeof(frame))
			abort();
		memset(&pkt, 0, sizeof(pkt));
		(void)xg_parse_frame(frame, frame + len, &pkt);
	}
	free(s);
	return 0;
}
