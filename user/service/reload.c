// SPDX-License-Identifier: GPL-2.0
/* Reload of a run set, all or nothing across its interfaces. First everything that can fail
 * without changing anything: each new spec checked, each rules file read and compiled,
 * each gate opened and locked (so no other change slips in between). Then the handlers
 * that change are switched (what most likely fails, and fails changing nothing), then
 * every new rule set is made live through its gate's two-slot swap, so each frame is
 * classified by an old set or a new one, never a mix. A failure half-way puts back what was
 * done, in reverse: rule sets flipped back to the generation they replaced (their counters
 * carried), handlers switched back. Only a worker that does not restart is beyond repair:
 * the caller must stop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/rules/compile.h"
#include "user/rules/load.h"
#include "user/service/live.h"
#include "user/service/run_priv.h"
#include "user/util/log.h"

/* What a reload holds for one interface until it is done. */
struct staged {
	struct xg_ruleset rs;
	struct xg_compiled c;
	bool compiled, opened, switched, installed;
	char *rules, *handler; /* copies of the new spec's: the pool's argument points here */
	struct xg_live l;
	__u32 prev_gen; /* the generation the new set replaced */
};

struct reload {
	struct xg_run_set *set;
	const struct xg_run_spec *next;
	struct staged st[XG_RUN_MAX_IFACES];
	char *msg;
	size_t len;
	bool fatal; /* a worker did not restart: the set must stop */
	bool stale; /* a handler could not be put back: the new one runs on */
};

/* Fault injection for the tests (testenv/test-config.sh): XG_FAULT_RELOAD_INSTALL=IFACE
 * makes making IFACE's new set live fail, as a map update would, in the first reload that
 * passes its checks, after the interfaces before it were done, so the putting back can be
 * seen (and the next reload can show that the set was left sound). */
static int injected_fault(const struct reload *rl, const char *ifname)
{
	const char *e = getenv("XG_FAULT_RELOAD_INSTALL");

	return e && rl->set->applies == 1 && !strcmp(e, ifname) ? -EIO : 0;
}

/* Interface i's new spec, its rules read and compiled. 0 or -EINVAL with msg filled. */
static int check_one(struct reload *rl, unsigned int i)
{
	const struct xg_run_spec *nx = &rl->next[i];
	struct staged *st = &rl->st[i];
	char err[512];
	const char *key;

	if (strcmp(nx->ifname, rl->set->ifs[i].ifname)) {
		snprintf(rl->msg, rl->len, "%s: not interface %u of the run", nx->ifname, i + 1);
		return -EINVAL;
	}
	if (xg_run_spec_check(nx, &key, err, sizeof(err))) {
		snprintf(rl->msg, rl->len, "%s: %s: %s", nx->ifname, key, err);
		return -EINVAL;
	}
	if (!nx->rules) {
		snprintf(rl->msg, rl->len, "%s: no rules file to read", nx->ifname);
		return -EINVAL;
	}
	if (xg_rules_parse_file_err(nx->rules, &st->rs, err, sizeof(err))) {
		snprintf(rl->msg, rl->len, "%s", err);
		return -EINVAL;
	}
	st->rules = strdup(nx->rules);
	st->handler = strdup(nx->handler);
	if (!st->rules || !st->handler) {
		snprintf(rl->msg, rl->len, "out of memory");
		return -ENOMEM;
	}
	if (xg_rules_compile(&st->rs, &st->c)) { /* it said which rule, and why */
		snprintf(rl->msg, rl->len, "%s: the rules do not compile", nx->rules);
		return -EINVAL;
	}
	st->compiled = true;
	return 0;
}

/* Everything that can fail without changing anything, for every interface. */
static int check_all(struct reload *rl)
{
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < rl->set->n; i++)
		err = check_one(rl, i);
	for (i = 0; !err && i < rl->set->n; i++) {
		err = xg_live_open(&rl->st[i].l, rl->set->log_name, rl->next[i].ifname,
				   XG_CAPS_CHANGE);
		rl->st[i].opened = true;
		if (err)
			snprintf(rl->msg, rl->len, "%s: cannot open its gate: %s",
				 rl->next[i].ifname, strerror(-err));
		else
			err = xg_live_gen(&rl->st[i].l, &rl->st[i].prev_gen);
	}
	return err;
}

/* Put back what apply did, in reverse (rl->stale, rl->fatal say what could not be). */
static void undo(struct reload *rl)
{
	unsigned int i = rl->set->n;
	int err;

	while (i--) {
		struct staged *st = &rl->st[i];
		struct run_iface *r = &rl->set->ifs[i];

		if (st->installed && xg_rules_revert(&st->l.m, st->prev_gen)) {
			pr_warn("%s: the old rules could not be put back\n", r->ifname);
			rl->stale = true;
		}
		if (!st->switched)
			continue;
		err = xg_run_switch_handler(rl->set, i, r->handler);
		if (!err) {
			st->switched = false;
			continue;
		}
		/* the new handler runs on: the interface must own its argument */
		pr_warn("%s: the old handler could not be put back%s\n", r->ifname,
			err == -EIO ? ", and a worker did not restart" : "");
		xg_run_iface_take(r, NULL, &st->handler);
		pr_info("%s: handler %s in force\n", r->ifname, r->handler);
		rl->stale = true;
		rl->fatal |= err == -EIO;
	}
}

/* Switch the handlers that change, then make every new set live. */
static int apply_all(struct reload *rl)
{
	unsigned int i;
	int err = 0;

	rl->set->applies++;
	for (i = 0; !err && i < rl->set->n; i++) {
		const char *nh = rl->st[i].handler;

		if (!strcmp(rl->set->ifs[i].handler, nh))
			continue;
		err = xg_run_switch_handler(rl->set, i, nh);
		if (err == -EIO) { /* half switched: undo tries the old one */
			rl->fatal = true;
			snprintf(rl->msg, rl->len, "%s: a worker did not restart",
				 rl->next[i].ifname);
		} else if (err) {
			snprintf(rl->msg, rl->len, "%s: handler '%s' did not start",
				 rl->next[i].ifname, nh);
		}
		rl->st[i].switched = !err || err == -EIO;
	}
	for (i = 0; !err && i < rl->set->n; i++) {
		struct staged *st = &rl->st[i];

		err = injected_fault(rl, rl->next[i].ifname);
		if (!err)
			err = xg_live_install(&st->l, &st->rs, &st->c);
		st->installed = !err;
		if (err)
			snprintf(rl->msg, rl->len, "%s: making the new rules live failed: %s",
				 rl->next[i].ifname, strerror(-err));
	}
	if (err)
		undo(rl);
	return err;
}

/* The new settings become the set's; msg says, in one line, what is in force. */
static void commit(struct reload *rl)
{
	const struct xg_run_set *set = rl->set;
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < set->n && off < rl->len; i++)
		if (rl->st[i].switched)
			off += (size_t)snprintf(rl->msg + off, rl->len - off,
						"%s: handler %s in force (workers restarted); ",
						set->ifs[i].ifname, rl->next[i].handler);
	for (i = 0; i < set->n && off < rl->len; i++)
		off += (size_t)snprintf(rl->msg + off, rl->len - off, "%s%s%s%zu rules from %s",
					i ? ", " : "", set->n > 1 ? set->ifs[i].ifname : "",
					set->n > 1 ? ": " : "", rl->st[i].rs.n, rl->next[i].rules);
	if (off < rl->len)
		off += (size_t)snprintf(rl->msg + off, rl->len - off, " in force");
	for (i = 0; i < set->n && off < rl->len; i++)
		if (xg_run_needs_restart(&set->ifs[i].spec, &rl->next[i]))
			off += (size_t)snprintf(rl->msg + off, rl->len - off,
						"; %s: other changed settings need a restart",
						set->ifs[i].ifname);
	for (i = 0; i < set->n; i++) /* a switched pool's handler argument is in the copy */
		xg_run_iface_take(&rl->set->ifs[i], &rl->st[i].rules, &rl->st[i].handler);
}

int xg_run_set_reload(struct xg_run_set *set, const struct xg_run_spec *next, char *msg, size_t len)
{
	struct reload *rl = calloc(1, sizeof(*rl));
	unsigned int i;
	int err;

	if (!rl) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	rl->set = set;
	rl->next = next;
	rl->msg = msg;
	rl->len = len;
	for (i = 0; i < set->n; i++)
		xg_ruleset_init(&rl->st[i].rs);
	err = check_all(rl);
	if (!err)
		err = apply_all(rl);
	if (!err)
		commit(rl);
	if (rl->fatal || rl->stale)
		err = rl->fatal ? -EIO : -ESTALE;
	else if (err == -EIO || err == -ESTALE) /* a refusal, whatever the kernel said */
		err = -EINVAL;
	for (i = 0; i < set->n; i++) {
		if (rl->st[i].opened)
			xg_live_close(&rl->st[i].l);
		if (rl->st[i].compiled)
			xg_compiled_free(&rl->st[i].c);
		xg_ruleset_free(&rl->st[i].rs);
		free(rl->st[i].rules);
		free(rl->st[i].handler);
	}
	free(rl);
	return err;
}
