/* SPDX-License-Identifier: GPL-2.0 */
/* The rule file's `flows` statement (per-flow accounting, docs/flows.md):
 *   flows exact [size N]        every frame counted in its flow
 *   flows sample N [size N]     one frame in N, picked at random, counted
 * size: the flow table's entries (XG_FLOWS_SIZE_DEFAULT when left out), set when the gate
 * is attached; a later `rules load` may not ask for more than the attached table holds. */
#ifndef XG_RULES_FLOWS_CONF_H
#define XG_RULES_FLOWS_CONF_H

#include <stddef.h>
#include <stdint.h>

struct xg_flows_conf {
	uint32_t rate;	   /* 0: no accounting; 1: exact; N: 1-in-N sampled */
	uint32_t size;	   /* table entries asked for; 0: not given */
	unsigned int line; /* the statement's line, 0: none */
};

/* Parse the words after `flows` (rest, a NUL-terminated part of the line starting at
 * line_base). 0, or -1 with the message in msg and its 1-based column in *col. */
int xg_flows_conf_parse(const char *line_base, const char *rest, struct xg_flows_conf *fc,
			char *msg, size_t msglen, unsigned int *col);
/* The table entries a rule set asks for (its size, or the default). */
uint32_t xg_flows_conf_entries(const struct xg_flows_conf *fc);
/* Bytes the kernel preallocates for a table of entries on ncpus CPUs (an estimate: key,
 * one value a CPU, and the hash's per-entry overhead). */
uint64_t xg_flows_table_bytes(uint32_t entries, unsigned int ncpus);
/* 0 when a table of entries fits in memory (at most half of MemAvailable), or -1 with
 * the reason in msg. */
int xg_flows_table_fits(uint32_t entries, char *msg, size_t msglen);

#endif
