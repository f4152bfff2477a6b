// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sys/capability.h>

#include "user/gate/caps.h"
#include "user/util/log.h"

static const struct {
	cap_value_t cap;
	const char *name;
	unsigned int needs; /* bit per enum xg_caps_need */
} caps[] = {
#define ALL (1u << XG_CAPS_READ | 1u << XG_CAPS_CHANGE | 1u << XG_CAPS_RUN | 1u << XG_CAPS_TEST_RUN)
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN", ALL },
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN", 1u << XG_CAPS_CHANGE | 1u << XG_CAPS_RUN },
	{ CAP_NET_RAW, "CAP_NET_RAW", 1u << XG_CAPS_RUN },
	{ CAP_IPC_LOCK, "CAP_IPC_LOCK", 1u << XG_CAPS_RUN },
#undef ALL
};

int xg_require_caps(const char *cmd, enum xg_caps_need need)
{
	char missing[128] = "";
	cap_t cur = cap_get_proc();
	cap_flag_value_t v;
	size_t i, len = 0;
	int n = 0;

	if (!cur) {
		pr_warn("%s: cannot read our capabilities: %s\n", cmd, strerror(errno));
		return -errno;
	}
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (!(caps[i].needs & 1u << need))
			continue;
		if (!cap_get_flag(cur, caps[i].cap, CAP_EFFECTIVE, &v) && v == CAP_SET)
			continue;
		len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%s%s", n ? ", " : "",
					caps[i].name);
		n++;
	}
	cap_free(cur);
	if (!n)
		return 0;
	pr_warn("%s: permission denied: missing capabilit%s %s (run as root with full "
		"capabilities)\n",
		cmd, n == 1 ? "y" : "ies", missing);
	return -EPERM;
}

/* The calling thread keeps keep[0..n) (those it holds) and nothing else. */
static int limit_to(const cap_value_t *keep, size_t n)
{
	cap_t cur = cap_get_proc(), next = cap_init();
	cap_flag_value_t v;
	int err = 0;
	size_t i;

	if (!cur || !next) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &v) || v != CAP_SET)
			continue; /* never raise what we were not given */
		if (cap_set_flag(next, CAP_PERMITTED, 1, &keep[i], CAP_SET) ||
		    cap_set_flag(next, CAP_EFFECTIVE, 1, &keep[i], CAP_SET)) {
			err = -errno;
			goto out;
		}
	}
	if (cap_set_proc(next)) /* without libpsx linked: this thread only */
		err = -errno;
out:
	cap_free(cur);
	cap_free(next);
	return err;
}

int xg_caps_limit_thread(bool control)
{
	static const cap_value_t keep[] = { CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_BPF };

	return limit_to(keep, control ? sizeof(keep) / sizeof(keep[0]) : 0);
}

int xg_caps_limit_revert(void)
{
	static const cap_value_t keep[] = { CAP_SYS_ADMIN, CAP_BPF };

	return limit_to(keep, sizeof(keep) / sizeof(keep[0]));
}
