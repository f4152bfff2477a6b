// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "user/pool/handler.h"

extern const struct xg_handler_ops xg_handler_reflect;
extern const struct xg_handler_ops xg_handler_pcap;

static const struct xg_handler_ops *const handlers[] = {
	&xg_handler_count,
	&xg_handler_reflect,
	&xg_handler_pcap,
	&xg_handler_forward,
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
