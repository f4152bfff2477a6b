// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "user/util/netdev.h"

/* One interface ioctl (SIOCGIF*) on ifname into *ifr. 0 or -errno. An ioctl answers for the
 * caller's network namespace, which sysfs does not after setns. */
static int if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

int xg_netdev_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int err = if_ioctl(ifname, SIOCGIFHWADDR, &ifr);

	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}

int xg_netdev_mtu(const char *ifname)
{
	struct ifreq ifr;
	int err = if_ioctl(ifname, SIOCGIFMTU, &ifr);

	return err ? err : ifr.ifr_mtu;
}

int xg_netdev_addr(const char *ifname, int family, uint8_t addr[16])
{
	struct ifaddrs *ifa, *i;
	int err = -ENOENT;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && err; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family || strcmp(i->ifa_name, ifname))
			continue;
		if (family == AF_INET) {
			memcpy(addr, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			err = 0;
		} else {
			const struct in6_addr *a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a))
				continue; /* prefer a global/ULA address */
			memcpy(addr, a, 16);
			err = 0;
		}
	}
	freeifaddrs(ifa);
	return err;
}

int xg_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

int xg_netdev_neigh4(const char *ifname, const uint8_t addr[4], uint8_t mac[6])
{
	char line[256], ip[64], hw[64], dev[64], want[INET_ADDRSTRLEN];
	FILE *f = fopen("/proc/net/arp", "re");
	unsigned int flags;
	int err = -ENOENT;

	if (!f)
		return -errno;
	inet_ntop(AF_INET, addr, want, sizeof(want));
	while (err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %*s %x %63s %*s %63s", ip, &flags, hw, dev) != 4)
			continue;
		/* flags 0x2: complete entry */
		if ((flags & 0x2) && !strcmp(ip, want) && !strcmp(dev, ifname))
			err = xg_parse_mac(hw, mac);
	}
	fclose(f);
	return err;
}
