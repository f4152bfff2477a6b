// SPDX-License-Identifier: GPL-2.0
#include "common/ct_state.h"
#include "common/parse.h"
#include "common/xdpgate_structs.h"
#include "user/rules/shape.h"

#define F(f) (1u << (f))

__u32 xg_shape_depth(__u32 fields, __u32 flags)
{
	const __u32 l4 = F(XG_F_SPORT) | F(XG_F_DPORT) | F(XG_F_TCPFLAGS) | F(XG_F_ICMP) |
			 F(XG_F_CT);
	const __u32 l3 = F(XG_F_SRC) | F(XG_F_DST) | F(XG_F_PROTO);
	const __u32 l2 = F(XG_F_VLAN) | F(XG_F_ETHER);

	/* the flow key and the parse counters are the whole parse's; `match` reads the frame
	 * in its own program, and XG_SLOT_XSK_IP's rules test the EtherType (fields has it) */
	if ((flags & (XG_SLOT_FLOWS | XG_SLOT_PARSE_CNT)) || (fields & l4))
		return XG_DEPTH_L4;
	if (fields & l3)
		return XG_DEPTH_L3;
	if (fields & l2)
		return XG_DEPTH_L2;
	return XG_DEPTH_NONE;
}

struct xg_shape xg_shape_of(const struct xg_slot_cfg *sc, __u32 slot, __u32 features)
{
	struct xg_shape s = { .slot = slot & 1, .flags = sc->flags, .fields = sc->fields };

	s.depth = xg_shape_depth(s.fields, s.flags);
	if ((s.fields & F(XG_F_CT)) && (features & XG_FEAT_CT))
		s.ct_mode = features & XG_FEAT_CT_INJECT ? XG_CT_MODE_INJECT : XG_CT_MODE_KERNEL;
	return s;
}
