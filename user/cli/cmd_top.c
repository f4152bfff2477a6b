// SPDX-License-Identifier: GPL-2.0
/* top: a live terminal view of one gate, redrawn each second. It reads what `stats` and
 * the metrics read (the gate's per-CPU counters and per-rule counters from its pinned maps,
 * and the counters a `run` pool publishes for the gate), so it works on a gate of `attach`
 * alone and never touches a worker.
 *
 * ncurses rather than plain ANSI: it gives the alternate screen (the shell's screen comes
 * back on exit), the terminal's modes restored by endwin(), resizes as KEY_RESIZE, and
 * only the changed cells sent each second, which matters over a slow ssh session. */
#include <errno.h>
#include <stdarg.h>
#include <ncurses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "user/cli/commands.h"
#include "user/flows/format.h"
#include "user/flows/open.h"
#include "user/flows/table.h"
#include "user/gate/caps.h"
#include "user/gate/counters.h"
#include "user/gate/gate.h"
#include "user/gate/maps.h"
#include "user/gate/pin.h"
#include "user/gate/stale.h"
#include "user/pool/publish.h"
#include "user/rules/apply.h"
#include "user/rules/load.h"
#include "user/rules/rules.h"
#include "user/util/enum_names.h"
#include "user/util/log.h"
#include "user/util/signal.h"

#define TOP_MAX_RULES 10 /* busiest rules shown at most */
#define TOP_TALKERS 5	 /* heaviest sources shown when the gate counts flows */
#define CTRL_C 3

/* One reading of everything shown. */
struct top_sample {
	struct xg_snapshot gate;
	struct xg_ruleset rs;
	struct xg_counter_val *rule_c; /* rs.n of them; NULL: not readable */
	struct xg_pending pending;     /* token 0: no --confirm load pending */
};

struct top_state {
	const struct xg_gate *g;
	const struct xg_gate_maps *m;
	struct top_sample prev, cur;
	/* The pool's published snapshots: rates between the last two that differ in time (run
	 * publishes once per its own interval). */
	struct xg_run_snap pool_base, pool_last;
	bool pool, pool_rates;
	/* `flows` in the rule set: the flow table, read each second for the top talkers */
	struct xg_flow_snap flows_prev, flows_cur;
	bool flows;
};

static void sample_free(struct top_sample *s)
{
	free(s->rule_c);
	s->rule_c = NULL;
	xg_ruleset_free(&s->rs);
}

/* The flow table when the active slot counts flows; a table that cannot be read is only
 * not shown (an older gate has none). */
static void flows_read(struct top_state *st)
{
	struct xg_flow_snap t;
	uint32_t rate = 0;

	st->flows = st->m->flows >= 0 && st->m->flow_stats >= 0 &&
		    !xg_flows_rate_of(st->m->config, st->m->flow_cfg, &rate) && rate;
	if (!st->flows)
		return;
	t = st->flows_prev; /* reuse its buffer */
	st->flows_prev = st->flows_cur;
	st->flows_cur = t;
	if (xg_flow_snap_read(st->m->flows, st->m->flow_stats, &st->flows_cur))
		st->flows = false;
}

static int sample_read(struct top_state *st)
{
	struct xg_run_snap snap;
	int err;

	sample_free(&st->prev);
	st->prev = st->cur;
	memset(&st->cur, 0, sizeof(st->cur));
	xg_ruleset_init(&st->cur.rs);
	if (xg_gate_maps_gone(st->g, st->m->config))
		return -ENODEV;
	err = xg_counters_read_gate(st->m->stats, st->m->config, &st->cur.gate);
	if (err)
		return err;
	if (xg_rules_read_counters(st->m, &st->cur.rs, &st->cur.rule_c))
		st->cur.rule_c = NULL;
	if (st->m->pending < 0 || xg_pending_read(st->m->pending, &st->cur.pending))
		st->cur.pending.token = 0; /* an older gate without the map: nothing shown */
	flows_read(st);
	st->pool = !xg_run_publish_read(st->g, &snap);
	if (!st->pool) {
		st->pool_rates = false;
		st->pool_last.t = 0;
	} else if (snap.t != st->pool_last.t) {
		st->pool_base = st->pool_last;
		st->pool_last = snap;
		st->pool_rates = st->pool_base.t > 0 && st->pool_base.n == snap.n;
	}
	return 0;
}

static double rate(uint64_t a, uint64_t b, double dt)
{
	return b > a && dt > 0 ? (double)(b - a) / dt : 0;
}

/* Print at (y, 0), clipped to the width; the rest of the line cleared. */
static void line(int y, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(int y, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mvaddnstr(y, 0, buf, COLS);
	clrtoeol();
}

/* "name rate" pairs for counters [from, to) with a rate, or all of them (all). */
static void counter_rates(char *buf, size_t len, const struct xg_snapshot *d, unsigned int from,
			  unsigned int to, bool all)
{
	double t = d->t > 0 ? d->t : 1;
	size_t n = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = from; i < to && n < len; i++)
		if ((all || d->c[i].packets) && xg_counter_kept(d, i))
			n += (size_t)snprintf(buf + n, len - n, " %s %.0f", xg_counter_name(i),
					      d->c[i].packets / t);
}

static int draw_gate(const struct top_state *st, int y)
{
	struct xg_snapshot d;
	char buf[400], when[16];
	time_t now = time(NULL);
	double t;

	xg_counters_diff(&st->prev.gate, &st->cur.gate, &d);
	t = d.t > 0 ? d.t : 1;
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	attron(A_BOLD);
	line(y++, "xdpgate top  %-16s %s   q: quit", st->g->ifname, when);
	attroff(A_BOLD);
	if (st->cur.pending.token) { /* what an operator must not miss: the revert to come */
		attron(A_REVERSE);
		line(y++, "pending: reverts in %llu s unless 'xdpgate rules confirm %s'",
		     (xg_pending_left_ms(&st->cur.pending) + 999) / 1000, st->g->ifname);
		attroff(A_REVERSE);
	}
	line(y++, "rx %.0f pkt/s  %.2f Mbit/s", xg_counters_rx(&d, 0) / t,
	     xg_counters_rx(&d, 1) * 8 / t / 1e6);
	counter_rates(buf, sizeof(buf), &d, XG_CNT_VERDICT, XG_CNT_VERDICT + XG_VERDICT_MAX, true);
	line(y++, "verdicts/s:%s", buf);
	counter_rates(buf, sizeof(buf), &d, XG_CNT_PARSE, XG_CNT_MAX, false);
	line(y++, "parse/s:%s%s", buf[0] ? buf : " -",
	     d.parse_off ? "  (parse counters off: 'counters parse' in the rules file)" : "");
	return y;
}

/* Rule indices by rate, busiest first, those with a rate only; the count. */
static size_t busiest(const struct top_state *st, size_t *idx, double *r, size_t max)
{
	const struct top_sample *a = &st->prev, *b = &st->cur;
	double dt = b->gate.t - a->gate.t;
	size_t i, j, n = 0;

	if (!max || !a->rule_c || !b->rule_c || a->rs.n != b->rs.n) /* a reload: next second */
		return 0;
	for (i = 0; i < b->rs.n; i++) {
		double v = rate(a->rule_c[i].packets, b->rule_c[i].packets, dt);

		if (v <= 0 || (n == max && v <= r[n - 1]))
			continue;
		j = n < max ? n++ : n - 1; /* insertion into the sorted top list */
		for (; j > 0 && r[j - 1] < v; j--) {
			r[j] = r[j - 1];
			idx[j] = idx[j - 1];
		}
		r[j] = v;
		idx[j] = i;
	}
	return n;
}

static int draw_rules(const struct top_state *st, int y, int rows)
{
	size_t idx[TOP_MAX_RULES], n, i;
	double r[TOP_MAX_RULES];
	char text[256];

	n = busiest(st, idx, r,
		    rows < TOP_MAX_RULES ? (size_t)(rows > 0 ? rows : 0) : TOP_MAX_RULES);
	attron(A_BOLD);
	line(y++, "busiest rules (%zu in the set)      pkt/s", st->cur.rs.n);
	attroff(A_BOLD);
	if (!n && rows > 0)
		line(y++, "  (no rule matched in the last second)");
	for (i = 0; i < n; i++) {
		xg_rule_format(&st->cur.rs.rules[idx[i]], text, sizeof(text));
		line(y++, "  #%-5zu %12.0f  %s", idx[i] + 1, r[i], text);
	}
	return y;
}

static unsigned int pct(uint32_t n, uint32_t size)
{
	return size ? (unsigned int)((uint64_t)n * 100 / size) : 0;
}

static int draw_pool(const struct top_state *st, int y)
{
	const struct xg_run_snap *a = &st->pool_base, *b = &st->pool_last;
	double dt = b->t - a->t;
	unsigned int i;

	attron(A_BOLD);
	line(y++, "%-5s %9s %9s %7s %7s %6s %7s %7s %5s %5s", "queue", "rx/s", "tx/s", "malf/s",
	     "full/s", "len/s", "kdrop/s", "kfull/s", "rx%", "fill%");
	attroff(A_BOLD);
	if (!st->pool) {
		line(y++, "no `xdpgate run` pool on %s: the gate alone", st->g->ifname);
		return y;
	}
	for (i = 0; i < b->n; i++) {
		const struct xg_pool_counters *x = &a->w[i].c, *c = &b->w[i].c;

		if (!st->pool_rates)
			x = c; /* one snapshot yet: no rates */
		line(y++, "%-5u %9.0f %9.0f %7.0f %7.0f %6.0f %7.0f %7.0f %4u%% %4u%%",
		     b->w[i].queue, rate(x->rx, c->rx, dt), rate(x->tx, c->tx, dt),
		     rate(x->dropped_malformed, c->dropped_malformed, dt),
		     rate(x->dropped_tx_full, c->dropped_tx_full, dt),
		     rate(x->dropped_tx_bad_len, c->dropped_tx_bad_len, dt),
		     rate(x->xs.rx_dropped, c->xs.rx_dropped, dt),
		     rate(x->xs.rx_ring_full, c->xs.rx_ring_full, dt),
		     pct(c->ring_rx, c->ring_size), pct(c->ring_fill, c->ring_fill_size));
	}
	return y;
}

/* The heaviest sources by packets per second over the last second, at most rows. */
static int draw_talkers(const struct top_state *st, int y, int rows)
{
	struct xg_flow_group *g = NULL;
	char addr[64];
	long n = xg_flow_group(st->flows_prev.read_ns ? &st->flows_prev : NULL, &st->flows_cur,
			       XG_BY_SRC, &g);
	long i;

	attron(A_BOLD);
	line(y++, "top talkers (%zu flows, %llu evicted)   pkt/s     Mbit/s", st->flows_cur.n,
	     (unsigned long long)xg_flow_snap_evicted(&st->flows_cur));
	attroff(A_BOLD);
	for (i = 0; i < n && i < rows; i++) {
		xg_flow_addr_text(&g[i].k, 0, addr, sizeof(addr));
		line(y++, "  %-39s %9.0f %10.2f", addr, g[i].pps, g[i].bps / 1e6);
	}
	free(g);
	return y;
}

/* The screen: gate (4 lines, 5 with a pending load), rules (what the height leaves), top
 * talkers (with `flows`), workers. */
static void draw(const struct top_state *st)
{
	int workers = st->pool ? (int)st->pool_last.n : 1;
	int talkers = st->flows ? TOP_TALKERS + 2 : 0;
	int y, rows = LINES - 4 - 1 - 1 - 1 - 1 - workers - 1 - !!st->cur.pending.token - talkers;

	erase();
	y = draw_gate(st, 0) + 1;
	y = draw_rules(st, y, rows) + 1;
	if (st->flows)
		y = draw_talkers(st, y, TOP_TALKERS) + 1;
	draw_pool(st, y);
	refresh();
}

/* Keys until the next second: false when told to quit. A resize redraws at once. */
static bool wait_keys(const struct top_state *st, double until)
{
	for (;;) {
		double left = until - xg_now();
		int ch;

		if (xg_stop_requested())
			return false;
		if (left <= 0)
			return true;
		timeout((int)(left * 1000) + 1);
		ch = getch();
		if (ch == 'q' || ch == 'Q' || ch == CTRL_C)
			return false;
		if (ch == KEY_RESIZE)
			draw(st);
	}
}

static int top_loop(struct top_state *st)
{
	double next = xg_now();
	int err = 0;

	for (;;) {
		draw(st);
		next += 1.0;
		if (!wait_keys(st, next))
			return err;
		err = sample_read(st);
		if (err)
			return err;
	}
}

static int do_top(void *cfgp, int argc, char **argv)
{
	struct top_state st = { 0 };
	struct xg_gate_maps m;
	struct xg_gate g;
	SCREEN *scr;
	int err;

	(void)cfgp;
	(void)argc;
	if (xg_require_caps("top", XG_CAPS_READ) || xg_run_publish_dir(false) ||
	    xg_gate_init(&g, "top", argv[0]) || xg_bpffs_ensure() ||
	    xg_gate_maps_open(&g, "top", &m))
		return 1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		pr_warn("top: needs a terminal (for a log of rates: xdpgate stats %s)\n", g.ifname);
		xg_gate_maps_close(&m);
		return 1;
	}
	st.g = &g;
	st.m = &m;
	xg_ruleset_init(&st.prev.rs);
	xg_ruleset_init(&st.cur.rs);
	xg_stop_on_signals(); /* before ncurses, which then leaves SIGINT and SIGTERM to us */
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		pr_warn("top: cannot use the terminal (TERM=%s)\n", getenv("TERM") ?: "");
		xg_gate_maps_close(&m);
		return 1;
	}
	raw(); /* Ctrl-C is a key (CTRL_C): quit at once, not at the next tick */
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	err = sample_read(&st);
	st.prev.gate = st.cur.gate; /* no rates until the second reading */
	if (!err)
		err = top_loop(&st);
	endwin();
	delscreen(scr);
	sample_free(&st.prev);
	sample_free(&st.cur);
	xg_flow_snap_free(&st.flows_prev);
	xg_flow_snap_free(&st.flows_cur);
	xg_gate_maps_close(&m);
	if (err == -ENODEV)
		pr_warn("top: %s: the gate is gone (detached, or attached again: run top again)\n",
			g.ifname);
	else if (err)
		pr_warn("top: %s: reading counters failed: %s\n", g.ifname, strerror(-err));
	return err ? 1 : 0;
}

static const struct xg_opt top_opts[] = {
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_top = {
	.name = "top",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Live view of the gate on IFACE, redrawn each second (q quits).\n"
		   "rx rate, verdicts, the busiest rules, the top talkers (with 'flows' in\n"
		   "the rule set), and a `run` pool's workers: rates, drops by reason, ring\n"
		   "fill levels.",
	.opts = top_opts,
	.run = do_top,
};
