/* SPDX-License-Identifier: GPL-2.0 */
/* Facts about a local interface: MAC, first address of a family, a neighbour's MAC. */
#ifndef XG_NETDEV_H
#define XG_NETDEV_H

#include <stdint.h>

int xg_netdev_mac(const char *ifname, uint8_t mac[6]);
/* The interface's MTU, or -errno. */
int xg_netdev_mtu(const char *ifname);
/* First address of family (AF_INET/AF_INET6) on ifname, network order. 0 or -ENOENT. */
int xg_netdev_addr(const char *ifname, int family, uint8_t addr[16]);
/* MAC of an IPv4 neighbour from the kernel's ARP table. 0 or -ENOENT. */
int xg_netdev_neigh4(const char *ifname, const uint8_t addr[4], uint8_t mac[6]);
/* Parse "aa:bb:cc:dd:ee:ff". 0 or -EINVAL. */
int xg_parse_mac(const char *s, uint8_t mac[6]);

#endif
