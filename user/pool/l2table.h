/* SPDX-License-Identifier: GPL-2.0 */
/* The MAC table of a learning L2 switch (forward:learn): source MAC -> the port a frame came
 * in on, looked up by destination MAC to pick the output, entries aging out after age_s
 * seconds without a frame from that MAC (300 s, bridges' default).
 *
 * One table for the whole run, written and read by every port's workers without a lock:
 * a worker learns only what its own input shows, so forwarding between ports needs the
 * others' entries (a per-worker table would only ever know its own port). Each slot is one
 * 64-bit word, MAC and port together, written with a single atomic store (or CAS when taking
 * a free slot), plus a 32-bit last-seen second stored apart, only when the second changes,
 * so a known MAC costs a load per frame and a store per second, not a contended cache line
 * per frame. A reader never sees a torn MAC/port pair; it may see a new pair with the slot's
 * old time (an entry just taken) and then treats it as absent for that instant: the frame
 * floods, which is what a switch does with an unknown destination anyway. */
#ifndef XG_L2TABLE_H
#define XG_L2TABLE_H

#include <stdatomic.h>
#include <stdint.h>

#define XG_L2_SLOTS 4096  /* a power of two */
#define XG_L2_PROBE 8	  /* slots looked at from a MAC's hash; all taken: not learned */
#define XG_L2_PORTS_MAX 8 /* the handoff rings of n ports: n * (n - 1) * 2 MiB */
#define XG_L2_AGE_S 300

struct xg_l2_slot {
	_Atomic uint64_t key;  /* MAC << 8 | (port + 1); 0: never used */
	_Atomic uint32_t seen; /* the second it was last learned or refreshed */
};

struct xg_l2_table {
	uint32_t age_s;
	_Atomic uint64_t full; /* MACs not learned: their probe run was all live entries */
	struct xg_l2_slot s[XG_L2_SLOTS];
};

enum xg_l2_verdict {
	XG_L2_FORWARD,	 /* known unicast destination on another port: *out */
	XG_L2_FLOOD,	 /* unknown, broadcast or multicast: every other port */
	XG_L2_SAME_PORT, /* the destination is on the port it came in on: drop (hairpin) */
};

void xg_l2_init(struct xg_l2_table *t, uint32_t age_s);
/* mac was seen as a source on port at second now. */
void xg_l2_learn(struct xg_l2_table *t, const uint8_t mac[6], unsigned int port, uint32_t now);
/* The port mac was last seen on, or -1 (never, or aged out). */
int xg_l2_lookup(const struct xg_l2_table *t, const uint8_t mac[6], uint32_t now);
/* One frame (at least an Ethernet header) in on in_port at second now: learn its source
 * (unless multicast, which no station sends from), then where its destination goes. */
enum xg_l2_verdict xg_l2_decide(struct xg_l2_table *t, const uint8_t *eth, unsigned int in_port,
				uint32_t now, unsigned int *out);

#endif
