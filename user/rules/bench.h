/* SPDX-License-Identifier: GPL-2.0 */
/* `rules bench`: the gate's cost per frame with a rule set, measured by BPF_PROG_RUN
 * repeating one frame (no interface, no traffic). */
#ifndef XG_RULES_BENCH_H
#define XG_RULES_BENCH_H

/* Load a private gate with the rules of file, run the frame (hex) repeat times, print
 * ns/frame and the verdict. 0 or -errno after one error line. */
int xg_rules_bench(const char *file, const char *hex, unsigned int repeat, int json);

#endif
