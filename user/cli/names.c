// SPDX-License-Identifier: GPL-2.0
#include <xdp/libxdp.h>

#include "common/xdpgate_consts.h"
#include "user/cli/names.h"

const struct xg_opt_enum xg_default_verdicts[] = {
	{ "pass", XG_VERDICT_PASS },
	{ "drop", XG_VERDICT_DROP },
	{ NULL, 0 },
};

const struct xg_opt_enum xg_attach_modes[] = {
	{ "native", XDP_MODE_NATIVE },
	{ "skb", XDP_MODE_SKB },
	{ NULL, 0 },
};
