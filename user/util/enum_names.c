// SPDX-License-Identifier: GPL-2.0
#include "common/xdpgate_consts.h"
#include "user/util/enum_names.h"

static const char *const verdict_names[XG_VERDICT_MAX] = {
	[XG_VERDICT_PASS] = "pass", [XG_VERDICT_DROP] = "drop",
	[XG_VERDICT_TX] = "tx",	    [XG_VERDICT_REDIRECT] = "redirect",
	[XG_VERDICT_XSK] = "xsk",   [XG_VERDICT_ABORTED] = "aborted",
};

static const char *const parse_names[XG_PARSE_MAX] = {
	[XG_PARSE_IPV4] = "ipv4",
	[XG_PARSE_IPV6] = "ipv6",
	[XG_PARSE_ARP] = "arp",
	[XG_PARSE_OTHER] = "other",
	[XG_PARSE_TRUNC_ETH] = "trunc_eth",
	[XG_PARSE_TRUNC_VLAN] = "trunc_vlan",
	[XG_PARSE_TRUNC_IPV4] = "trunc_ipv4",
	[XG_PARSE_BAD_IPV4] = "bad_ipv4",
	[XG_PARSE_TRUNC_IPV6] = "trunc_ipv6",
	[XG_PARSE_BAD_IPV6] = "bad_ipv6",
	[XG_PARSE_TRUNC_IPV6_EXT] = "trunc_ipv6_ext",
	[XG_PARSE_IPV6_EXT_LIMIT] = "ipv6_ext_limit",
	[XG_PARSE_TRUNC_L4] = "trunc_l4",
	[XG_PARSE_UNPARSED] = "unparsed",
};

_Static_assert(XG_PARSE_MAX == 14, "add the new parse outcome to parse_names");
_Static_assert(XG_VERDICT_MAX == 6, "add the new verdict to verdict_names");

const char *xg_verdict_name(unsigned int verdict)
{
	return verdict < XG_VERDICT_MAX ? verdict_names[verdict] : "?";
}

const char *xg_parse_name(unsigned int outcome)
{
	return outcome < XG_PARSE_MAX ? parse_names[outcome] : "?";
}

const char *xg_counter_name(unsigned int idx)
{
	if (idx < XG_CNT_PARSE)
		return xg_verdict_name(idx - XG_CNT_VERDICT);
	if (idx < XG_CNT_FRAG_FIRST)
		return xg_parse_name(idx - XG_CNT_PARSE);
	if (idx == XG_CNT_FRAG_FIRST)
		return "frag_first";
	if (idx == XG_CNT_FRAG_LATER)
		return "frag_later";
	if (idx == XG_CNT_XSK_UNBOUND)
		return "xsk_unbound";
	if (idx == XG_CNT_LOG_LOST)
		return "log_lost";
	if (idx == XG_CNT_HDR_SPLIT)
		return "hdr_split";
	if (idx >= XG_CNT_CT && idx < XG_CNT_CT_ERROR) {
		static const char *const ct[] = { "ct_none", "ct_new", "ct_established",
						  "ct_related", "ct_invalid" };

		return ct[idx - XG_CNT_CT];
	}
	if (idx == XG_CNT_CT_ERROR)
		return "ct_lookup_error";
	return "?";
}
