/* SPDX-License-Identifier: GPL-2.0 */
/* Byte-order helpers usable from BPF (clang -target bpf) and from userspace (gcc).
 * Constant-folded for literals, so they are free in the BPF hot path. */
#ifndef XG_ENDIAN_H
#define XG_ENDIAN_H

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define xg_htons(x) ((__u16)__builtin_bswap16((__u16)(x)))
#define xg_htonl(x) ((__u32)__builtin_bswap32((__u32)(x)))
#define xg_htonll(x) ((__u64)__builtin_bswap64((__u64)(x)))
#elif __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define xg_htons(x) ((__u16)(x))
#define xg_htonl(x) ((__u32)(x))
#define xg_htonll(x) ((__u64)(x))
#else
#error "unknown byte order"
#endif
#define xg_ntohs(x) xg_htons(x)
#define xg_ntohl(x) xg_htonl(x)
#define xg_ntohll(x) xg_htonll(x)

#endif
