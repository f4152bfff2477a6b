// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "user/pool/handler.h"

extern const struct xg_handler_ops xg_handler_reflect;
extern const struct xg_handler_ops xg_handler_pcap;

static const struct xg_handler_ops *const handlers[] = {
	&xg_handler_count,   &xg_handler_reflect, &xg_handler_pcap,
	&xg_handler_forward, &xg_handler_switch,
};

const struct xg_handler_ops *xg_handler_find(const char *spec, const char **arg)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec), i;

	*arg = colon ? colon + 1 : NULL;
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strlen(handlers[i]->name) == len && !strncmp(spec, handlers[i]->name, len))
			return handlers[i];
	return NULL;
}

int xg_handler_check(const char *spec, char *why, size_t len)
{
	const char *arg;
	const struct xg_handler_ops *ops = xg_handler_find(spec, &arg);

	if (!ops) {
		snprintf(why, len,
			 "unknown handler '%s' (count, count:verify, reflect, pcap:FILE, "
			 "forward:OUT, switch)",
			 spec);
		return -1;
	}
	return ops->check ? ops->check(arg, why, len) : 0;
}
