#!/usr/bin/env python3
"""Make the benchmark's prefix sets: gen_sets.py N [--nft IFACE | --ipset] > FILE

N distinct IPv4 prefixes (/16 to /32, nested ones among them) drawn with a fixed seed,
one of them 198.18.0.0/24, which holds the benchmark flow's source 198.18.0.1; none of the
others overlaps 198.18.0.0/15. The default output is a set file for `set NAME FILE`
(one prefix a line); --nft prints an nftables netdev ingress table whose interval set
holds them (the frame in the set is dropped and counted by the named counter "match");
--ipset prints `ipset restore` input for a hash:net set named xgfeed."""
import argparse
import random

FLOW = (198 << 24) | (18 << 16)  # 198.18.0.0/24


def prefixes(n, seed):
    rng = random.Random(seed)
    seen = {(FLOW, 24)}
    out = [(FLOW, 24)]
    while len(out) < n:
        if out and rng.random() < 0.1:  # nested inside one already drawn
            base, blen = out[rng.randrange(len(out))]
            if blen >= 32 or base == FLOW:
                continue
            length = rng.randint(blen + 1, 32)
            addr = base | (rng.getrandbits(32 - blen) & ((1 << (32 - blen)) - 1))
        else:
            length = rng.randint(16, 32)
            addr = rng.getrandbits(32)
        addr &= (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
        if (addr >> 17) == (FLOW >> 17) or (addr >> 24) in (0, 127, 224, 240, 255):
            continue
        if (addr, length) in seen:
            continue
        seen.add((addr, length))
        out.append((addr, length))
    return out


def text(p):
    a, length = p
    return "%d.%d.%d.%d/%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, length)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--nft", metavar="IFACE")
    ap.add_argument("--ipset", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ps = prefixes(a.n, a.seed)
    if a.ipset:
        print("create xgfeed hash:net family inet hashsize 1048576 maxelem %d" % (2 * a.n + 16))
        for p in ps:
            print("add xgfeed %s" % text(p))
        return
    if a.nft:
        print("table netdev xgbench {\n  counter match {\n  }")
        print("  set feed {\n    type ipv4_addr\n    flags interval\n    auto-merge\n"
              "    elements = {")
        print(",\n".join("      " + text(p) for p in ps))
        print("    }\n  }\n  chain ingress {")
        print("    type filter hook ingress device %s priority 0; policy accept;" % a.nft)
        print('    ip saddr @feed counter name "match" drop')
        print("  }\n}")
        return
    for p in ps:
        print(text(p))


if __name__ == "__main__":
    main()
