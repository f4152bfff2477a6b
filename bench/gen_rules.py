#!/usr/bin/env python3
"""Make the benchmark's rule sets: gen_rules.py N [--nft] > FILE

N-1 random rules of mixed IPv4/IPv6 prefixes, port ranges and protocols that never match
the benchmark's flow (UDP 198.18.0.1:10000+ -> 198.18.0.2:9, or IPv6 fd00:18::1 -> ::2),
then the matching rule last, then `default pass`. The same seed gives the same set.
--nft prints the same rules as an nftables netdev ingress chain for `nft -f`
(IFACE taken from --iface, default dut0): table `netdev xgbench`, chain `ingress`; the
matching last rule also feeds the named counter `match` (like xdpgate's per-rule counter of
the rule a frame hits), which `nft list counter netdev xgbench match` reads without
listing the whole rule set."""
import argparse
import ipaddress
import random

MATCH = "drop src 198.18.0.1/32 dst 198.18.0.2/32 proto udp dport 9"


def rand_v4(rng):
    while True:
        length = rng.randint(8, 32)
        net = ipaddress.ip_network((rng.getrandbits(32), length), strict=False)
        # never the benchmark's 198.18.0.0/15
        if not net.overlaps(ipaddress.ip_network("198.18.0.0/15")):
            return net


def rand_v6(rng):
    while True:
        length = rng.randint(16, 128)
        net = ipaddress.ip_network(((0xFD << 120) | rng.getrandbits(120), length), strict=False)
        if not net.overlaps(ipaddress.ip_network("fd00:18::/32")):
            return net


def rand_rule(rng):
    """(action, src, dst, proto, dport range): at least one field excludes the flow."""
    action = rng.choice(["drop", "pass"])
    fam = rng.choice([4, 6])
    src = (rand_v4 if fam == 4 else rand_v6)(rng) if rng.random() < 0.7 else None
    dst = (rand_v4 if fam == 4 else rand_v6)(rng) if rng.random() < 0.5 else None
    proto = rng.choice(["tcp", "udp", "udp", None])
    ports = None
    if proto:
        lo = rng.randint(10, 60000)
        ports = (lo, lo + rng.randint(0, 2000))
    if not src and not dst and not (proto == "tcp") and not ports:
        ports, proto = (1000, 2000), "udp"  # excludes dport 9
    return action, src, dst, proto, ports


def xdpgate_text(r):
    action, src, dst, proto, ports = r
    parts = [action]
    if src:
        parts.append("src %s" % src)
    if dst:
        parts.append("dst %s" % dst)
    if proto:
        parts.append("proto " + proto)
    if ports:
        parts.append("dport %d-%d" % ports)
    return " ".join(parts)


def nft_text(r):
    action, src, dst, proto, ports = r
    parts = []
    for key, net in (("saddr", src), ("daddr", dst)):
        if net:
            parts.append("%s %s %s" % ("ip" if net.version == 4 else "ip6", key, net))
    if proto and ports:
        if ports[0] == ports[1]:
            parts.append("%s dport %d" % (proto, ports[0]))
        else:
            parts.append("%s dport %d-%d" % (proto, ports[0], ports[1]))
    elif proto:
        parts.append("meta l4proto " + proto)
    parts.append("accept" if action == "pass" else "drop")
    return " ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--nft", action="store_true")
    ap.add_argument("--iface", default="dut0")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    rules = [rand_rule(rng) for _ in range(a.n - 1)]
    last = ("drop", ipaddress.ip_network("198.18.0.1/32"), ipaddress.ip_network("198.18.0.2/32"),
            "udp", (9, 9))
    if a.nft:
        print("table netdev xgbench {\n  counter match {\n  }\n  chain ingress {")
        print("    type filter hook ingress device %s priority 0; policy accept;" % a.iface)
        for r in rules:
            print("    " + nft_text(r))
        print("    " + nft_text(last).replace(" drop", " counter name \"match\" drop"))
        print("  }\n}")
        return
    for r in rules:
        print(xdpgate_text(r))
    print(MATCH)
    print("default pass")


if __name__ == "__main__":
    main()
