/* SPDX-License-Identifier: GPL-2.0 */
/* IPFIX (RFC 7011) messages of flow records: two templates (IPv4, IPv6) with information
 * elements from the IANA registry, and data records packed into messages no larger than
 * one unfragmented UDP datagram. Encoding only: no sockets, no clocks (the caller gives
 * the export time), so it is tested byte for byte.
 *
 * Template 256 (IPv4) and 257 (IPv6), fields in this order:
 *   sourceIPv4Address 8 / sourceIPv6Address 27, destinationIPv4Address 12 /
 *   destinationIPv6Address 28, sourceTransportPort 7, destinationTransportPort 11,
 *   protocolIdentifier 4, vlanId 58, packetDeltaCount 2, octetDeltaCount 1,
 *   flowStartMilliseconds 152, flowEndMilliseconds 153, samplingInterval 34 (1: every
 *   frame counted), observationPointId 138 (4 bytes, reduced-size: the rule number,
 *   1-based, 0 for the default verdict). */
#ifndef XG_EXPORT_IPFIX_H
#define XG_EXPORT_IPFIX_H

#include <stddef.h>
#include <stdint.h>

#define XG_IPFIX_VERSION 10
#define XG_IPFIX_TMPL_V4 256
#define XG_IPFIX_TMPL_V6 257
#define XG_IPFIX_MSG_MAX 1400 /* bytes: fits a 1500-byte MTU with IPv6 and UDP headers */

struct xg_ipfix_rec {
	uint8_t family; /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport, vlan;
	uint8_t proto;
	uint64_t packets, bytes;
	uint64_t start_ms, end_ms; /* since the Unix epoch */
	uint32_t sampling;
	uint32_t obs_point;
};

struct xg_ipfix_msg {
	uint8_t buf[XG_IPFIX_MSG_MAX];
	size_t len;	 /* 0: no message begun */
	size_t set_off;	 /* the open set's header, 0 when none */
	uint16_t set_id; /* the open set's id */
	uint32_t nrecs;	 /* data records in this message */
};

/* Begin a message (header with export_s, the sequence number seq: data records sent
 * before this message, and domain), with the template set first when templates is set. */
void xg_ipfix_begin(struct xg_ipfix_msg *m, uint32_t export_s, uint32_t seq, uint32_t domain,
		    int templates);
/* Append r. 0, or -ENOSPC when the message is full (send it, begin another, retry). */
int xg_ipfix_add(struct xg_ipfix_msg *m, const struct xg_ipfix_rec *r);
/* Close the open set and write the message length; the bytes to send are m->buf[0..len). */
void xg_ipfix_finish(struct xg_ipfix_msg *m);
/* A data record's length in bytes, per family. */
size_t xg_ipfix_rec_len(uint8_t family);

#endif
