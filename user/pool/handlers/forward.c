// SPDX-License-Identifier: GPL-2.0
/* forward: send every received frame, unchanged, out of another interface (xsk_fwd's and
 * testpmd --forward-mode=io's job). The handler only marks frames XG_ACT_FWD; the worker
 * owns the output socket and moves them (worker.c: by descriptor over a shared UMEM, else
 * by copy). Its argument names the output:
 *   forward:OUT[,copy]                     every input to OUT
 *   forward:map,IN=OUT[,IN=OUT...][,copy]  each input interface to its own output
 * `copy` forces the copy into the output's UMEM even where the kernel would share one
 * (to exercise and measure that path). Stateless: no per-queue state. */
#include <linux/if_ether.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "user/pool/handler.h"
#include "user/util/log.h"

/* Token [tok, tok + len) of the argument, copied to buf (IF_NAMESIZE) when it fits. */
static int name_of(const char *tok, size_t len, char *buf)
{
	if (!len || len >= IF_NAMESIZE)
		return -1;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	return 0;
}

/* One IN=OUT entry of the map: the output when IN is in_ifname. 1 matched, 0 not, -1 bad. */
static int map_entry(const char *tok, size_t len, const char *in_ifname, char *out)
{
	const char *eq = memchr(tok, '=', len);
	char in[IF_NAMESIZE];

	if (!eq || name_of(tok, (size_t)(eq - tok), in) ||
	    name_of(eq + 1, len - (size_t)(eq + 1 - tok), out))
		return -1;
	return !strcmp(in, in_ifname);
}

static int forward_output(const char *arg, const char *in_ifname, char *out, bool *copy)
{
	const char *tok = arg ? arg : "";
	bool map = false, found = false;
	char cand[IF_NAMESIZE];

	*copy = false;
	out[0] = '\0';
	for (int i = 0; *tok; i++) {
		size_t len = strcspn(tok, ",");

		if (len == 4 && !strncmp(tok, "copy", 4) && i) {
			*copy = true;
		} else if (!i && len == 3 && !strncmp(tok, "map", 3)) {
			map = true;
		} else if (map) {
			int r = map_entry(tok, len, in_ifname, cand);

			if (r < 0) {
				pr_warn("handler forward: '%.*s' is not IN=OUT\n", (int)len, tok);
				return -1;
			}
			if (r && !found)
				snprintf(out, IF_NAMESIZE, "%s", cand);
			found |= r;
		} else if (!i && name_of(tok, len, out)) {
			pr_warn("handler forward: '%.*s' is not an interface name\n", (int)len,
				tok);
			return -1;
		} else if (i) {
			pr_warn("handler forward: unknown option '%.*s' (forward:OUT[,copy] or "
				"forward:map,IN=OUT...[,copy])\n",
				(int)len, tok);
			return -1;
		} else {
			found = true;
		}
		tok += len + (tok[len] == ',');
	}
	if (!found) {
		if (map)
			pr_warn("handler forward: the map has no output for %s\n", in_ifname);
		else
			pr_warn("handler forward: name the output (forward:OUT)\n");
		return -1;
	}
	if (!strcmp(out, in_ifname)) {
		pr_warn("handler forward: %s is its own output (reflect sends back)\n", in_ifname);
		return -1;
	}
	return 0;
}

static int forward_init(void **state, const char *arg, unsigned int queue, void *ctx)
{
	(void)queue;
	(void)ctx;
	(void)arg; /* checked by forward_output, which the pool calls first */
	*state = NULL;
	return 0;
}

static void forward_batch(void *state, struct xg_batch *b, struct xg_handler_stats *st)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < b->n; i++) {
		if (b->frames[i].len < sizeof(struct ethhdr)) {
			st->dropped_malformed++; /* no Ethernet header: nothing to forward */
			continue;
		}
		b->action[i] = XG_ACT_FWD;
		st->handled++;
	}
}

static void forward_fini(void *state)
{
	(void)state;
}

const struct xg_handler_ops xg_handler_forward = {
	.name = "forward",
	.init = forward_init,
	.batch = forward_batch,
	.fini = forward_fini,
	.output = forward_output,
};
