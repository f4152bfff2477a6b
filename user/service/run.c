// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xdp/libxdp.h>

#include "user/gate/gate.h"
#include "user/service/run_priv.h"
#include "user/util/log.h"
#include "user/util/signal.h"

void xg_run_spec_defaults(struct xg_run_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->handler = "count";
	s->wait = XG_WAIT_POLL;
	s->mode = XDP_MODE_NATIVE;
	s->batch = 64;
	s->frame_size = 4096;
	s->ring_size = 2048;
	s->per_queue = 1;
}

int xg_run_spec_check(const struct xg_run_spec *s, const char **key, char *why, size_t len)
{
	*key = "handler";
	if (xg_handler_check(s->handler, why, len))
		return -1;
	*key = "copy";
	if (s->zerocopy && s->copy) {
		snprintf(why, len, "zerocopy and copy exclude each other");
		return -1;
	}
	*key = "ring-size";
	if (s->ring_size & (s->ring_size - 1)) {
		snprintf(why, len, "%u is not a power of two", s->ring_size);
		return -1;
	}
	*key = "frame-size";
	if (s->frame_size != 2048 && s->frame_size != 4096) {
		snprintf(why, len, "%u is not 2048 or 4096", s->frame_size);
		return -1;
	}
	*key = NULL;
	return 0;
}

bool xg_run_needs_restart(const struct xg_run_spec *a, const struct xg_run_spec *b)
{
	return a->wait != b->wait || a->mode != b->mode || a->copy != b->copy ||
	       a->zerocopy != b->zerocopy || a->batch != b->batch ||
	       a->frame_size != b->frame_size || a->ring_size != b->ring_size ||
	       a->per_queue != b->per_queue || a->steer != b->steer || a->nqueues != b->nqueues ||
	       memcmp(a->queues, b->queues, a->nqueues * sizeof(a->queues[0]));
}

void xg_run_iface_take(struct run_iface *r, char **rules, char **handler)
{
	if (rules) {
		free(r->rules);
		r->spec.rules = r->rules = *rules;
		*rules = NULL;
	}
	if (handler) {
		free(r->handler);
		r->spec.handler = r->handler = *handler;
		*handler = NULL;
	}
}

/* The spec, checked by the caller, into the pool's configuration; the rules file read. */
static int iface_init(struct run_iface *r, const struct xg_run_spec *s, const char *log_name)
{
	struct xg_pool_cfg *pc = &r->pc;
	char *rules = s->rules ? strdup(s->rules) : NULL, *handler = strdup(s->handler);

	r->spec = *s;
	r->spec.ifname = r->ifname = strdup(s->ifname);
	xg_ruleset_init(&r->rs);
	xg_run_iface_take(r, &rules, &handler);
	if (!r->ifname || (s->rules && !r->rules) || !r->handler) {
		pr_warn("out of memory\n");
		return -1;
	}
	memset(pc, 0, sizeof(*pc));
	pc->ifname = r->ifname;
	pc->log_name = log_name;
	pc->handler = xg_handler_find(r->handler, &pc->handler_arg);
	pc->nqueues = s->nqueues;
	memcpy(pc->queues, s->queues, sizeof(s->queues));
	pc->xsk_mode = s->zerocopy ? XG_XSK_ZEROCOPY : s->copy ? XG_XSK_COPY : XG_XSK_AUTO;
	pc->wait = (enum xg_wait)s->wait;
	pc->batch = s->batch;
	pc->frame_size = s->frame_size;
	pc->ring_size = s->ring_size;
	pc->attach_mode = s->mode;
	pc->workers_per_queue = s->per_queue;
	pc->steer_symmetric = s->steer == 1;
	pc->ct_max = s->ct_max;
	if (r->rules) {
		if (xg_rules_parse_file(r->rules, &r->rs))
			return -1;
		pc->rules = &r->rs;
	}
	return 0;
}

/* The interfaces whose handler is the switch are its ports, in the set's order; each one's
 * workers reach its port through the handler's context. */
static int switch_setup(struct xg_run_set *set)
{
	const char *names[XG_RUN_MAX_IFACES];
	unsigned int i, n = 0;

	for (i = 0; i < set->n; i++)
		if (set->ifs[i].pc.handler == &xg_handler_switch)
			names[n++] = set->ifs[i].ifname;
	if (!n)
		return 0;
	set->sw = xg_l2_switch_new(names, n, 0);
	if (!set->sw)
		return -1;
	for (i = n = 0; i < set->n; i++)
		if (set->ifs[i].pc.handler == &xg_handler_switch)
			set->ifs[i].pc.handler_ctx = xg_l2_switch_port(set->sw, n++);
	return 0;
}

int xg_run_set_new(const struct xg_run_spec *specs, unsigned int n, const char *log_name,
		   struct xg_run_set **out)
{
	struct xg_run_set *set = calloc(1, sizeof(*set));
	unsigned int i;
	int err = 0;

	*out = NULL;
	if (!set || n > XG_RUN_MAX_IFACES) {
		pr_warn("%s\n", set ? "too many interfaces" : "out of memory");
		free(set);
		return -1;
	}
	set->log_name = log_name;
	for (i = 0; !err && i < n; i++, set->n++)
		err = iface_init(&set->ifs[i], &specs[i], log_name);
	if (!err)
		err = switch_setup(set);
	if (err) {
		xg_run_set_free(set);
		return -1;
	}
	*out = set;
	return 0;
}

int xg_run_set_start(struct xg_run_set *set)
{
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < set->n; i++)
		err = xg_pool_start(&set->ifs[i].pc, &set->ifs[i].p);
	if (err)
		xg_run_set_stop(set);
	return err;
}

unsigned int xg_run_set_n(const struct xg_run_set *set)
{
	return set->n;
}

struct xg_pool *xg_run_set_pool(const struct xg_run_set *set, unsigned int i)
{
	return set->ifs[i].p;
}

const struct xg_l2_port *xg_run_set_port(const struct xg_run_set *set, unsigned int i)
{
	return set->sw && set->ifs[i].pc.handler == &xg_handler_switch ? set->ifs[i].pc.handler_ctx
								       : NULL;
}

const struct xg_l2_switch *xg_run_set_switch(const struct xg_run_set *set)
{
	return set->sw;
}

int xg_run_set_gone(const struct xg_run_set *set)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (set->ifs[i].p && xg_gate_iface_gone(xg_pool_gate(set->ifs[i].p)))
			return (int)i;
	return -1;
}

int xg_run_switch_handler(struct xg_run_set *set, unsigned int i, const char *spec)
{
	struct run_iface *r = &set->ifs[i];
	const struct xg_handler_ops *ops;
	const char *arg;
	int err;

	ops = xg_handler_find(spec, &arg);
	if (!ops)
		return -1;
	xg_signals_hold(); /* the new workers are started blocking them, like the first */
	err = xg_pool_set_handler(r->p, ops, arg,
				  ops == &xg_handler_switch ? r->pc.handler_ctx : NULL);
	xg_signals_release();
	return err;
}

void xg_run_set_stop(struct xg_run_set *set)
{
	unsigned int i;

	for (i = 0; set && i < set->n; i++) {
		xg_pool_stop(set->ifs[i].p);
		set->ifs[i].p = NULL;
	}
}

void xg_run_set_free(struct xg_run_set *set)
{
	unsigned int i;

	if (!set)
		return;
	xg_run_set_stop(set);
	for (i = 0; i < set->n; i++) {
		xg_ruleset_free(&set->ifs[i].rs);
		free(set->ifs[i].ifname);
		free(set->ifs[i].rules);
		free(set->ifs[i].handler);
	}
	xg_l2_switch_free(set->sw); /* after the pools: their workers used it */
	free(set);
}
