/* SPDX-License-Identifier: GPL-2.0 */
/* The gate under BPF_PROG_RUN for the rule-engine prog tests (rules_prog_test: the table;
 * rules_prog_diff_test: the differential test, the xsk fast path, scale): load it, install rule
 * sets as live reloads, and check one frame completely against the rule the reference
 * classifier picked. */
#ifndef XG_RULES_PROG_LIB_H
#define XG_RULES_PROG_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "common/xdpgate_structs.h"
#include "user/gate/maps.h"
#include "user/rules/rules.h"

#define RP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The differential tests' reproducible random stream (splitmix64): one per test binary,
 * seeded by each test so a failure names the seed that replays it. */
void rp_rng_seed(uint64_t seed);
uint64_t rp_rnd(void);
uint32_t rp_rn(uint32_t n); /* 0..n-1 */
#define IP_ALIGN 2
#define FRAME_MAX 2048
#define JUMBO_MAX 9216 /* a 9000-byte MTU frame, and room */
#define MSG_MAX 1024

struct rp_ctx {
	struct xdpgate_bpf *skel;
	struct xg_gate_maps m;
	int prog_fd;
	int ncpu;
	__u32 slot;		   /* active slot of the installed set */
	size_t nrules;		   /* rules of the installed set */
	bool small;		   /* it uses the small-set path (XG_SLOT_SMALL) */
	bool xsk4, xsk6;	   /* the xsk fast path (XG_SLOT_XSK_IP) takes IPv4, IPv6 */
	bool ct;		   /* the set tests `ct`: each full-path frame counts its state */
	bool parse_counted;	   /* `counters parse`: every full-path frame counts its outcome */
	__u32 depth;		   /* how deep the set's program parses (enum xg_depth) */
	__u32 ct_want;		   /* that state (enum xg_ct_state), set per frame by the test */
	struct xg_counter_val *pc; /* batch buffer: XG_RULES_MAX_BPF x ncpu */
	__u32 *keys;		   /* batch keys: XG_RULES_MAX_BPF */
	char err[256];
};

/* Counters of the gate and of every live rule, summed over CPUs. */
struct snap {
	struct xg_counter_val stats[XG_CNT_MAX];
	struct xg_counter_val *rules; /* XG_RULES_MAX_BPF */
};

/* Frame-spec pieces (user/util/frame_build.h) the tests share. */
/* clang-format off */
#define MACS .dst = { 0x02, 0, 0, 0, 0, 0x02 }, .src = { 0x02, 0, 0, 0, 0, 0x01 }
#define UDP(s, d) .l4_proto = IPPROTO_UDP, .udp = { .sport = (s), .dport = (d) }
/* clang-format on */

/* What the gate did with a frame, as far as the test can see. */
struct got {
	__u32 xdp;
	int rule;      /* the rule whose counter moved, -1: none; -2: several or a wrong amount */
	bool unparsed; /* the xsk fast path took it (XG_PARSE_UNPARSED) */
	bool refused;  /* multi-buffer, headers past the first buffer: dropped (hdr_split) */
};

/* cmocka group setup/teardown: load the gate (a failure is reported by every test). */
int rp_group_setup(void **state);
/* The same with the connection-state code in, its lookups answered from the xg_ct_inject
 * map (XG_TEST_CT_INJECT=1): the gate is prepared with a set using `ct`. */
int rp_group_setup_ct(void **state);
int rp_group_teardown(void **state);
/* The context, or the test fails saying why the gate is not loaded. */
struct rp_ctx *rp_ctx_of(void **state);
/* Parse lines into rs ("default ..." lines included); the test fails on a bad line. */
void rp_parse_lines(const char *const *lines, size_t n, struct xg_ruleset *rs);
/* Compile rs and install it as a live reload, every counter zeroed. */
void rp_install(struct rp_ctx *x, const struct xg_ruleset *rs);
void rp_snap_init(struct snap *s);
void rp_read_snap(struct rp_ctx *x, struct snap *s);
/* The XDP action a verdict comes out as here (no socket is bound: xsk passes). */
__u32 rp_xdp_of(__u32 verdict);
const char *rp_xdp_name(__u32 a);
/* Run frame [data, len) and compare everything with rule want (-1: the default). before
 * becomes the state after. 0, or -1 with a description in msg. */
int rp_check_frame(struct rp_ctx *x, const struct xg_ruleset *rs, const uint8_t *data, size_t len,
		   int want, struct snap *before, struct snap *after, struct got *got, char *msg);
/* The same, the frame's first buffer holding only linear bytes (the rest in frags). */
int rp_check_split(struct rp_ctx *x, const struct xg_ruleset *rs, const uint8_t *data, size_t len,
		   size_t linear, int want, struct snap *before, struct snap *after,
		   struct got *got, char *msg);
void rp_hex_line(const uint8_t *d, size_t len, char *buf, size_t size);
/* A rule set's sets (name, size) and rules, numbered, to stderr as "#   " lines. */
void rp_print_rules(const struct xg_ruleset *rs);

#endif
