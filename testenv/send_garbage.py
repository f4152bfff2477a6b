#!/usr/bin/env python3
"""send_garbage.py IFACE DST_MAC N [SEED]: send N malformed frames out of IFACE through an
AF_PACKET socket: random bytes after a valid Ethernet header with IPv4/IPv6/VLAN/ARP/random
EtherTypes, cut at random lengths (14..200 bytes). Prints the seed."""
import random
import socket
import struct
import sys


def main():
    iface, dst, n = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    types = [0x0800, 0x86DD, 0x8100, 0x88A8, 0x0806, rng.randrange(1 << 16)]
    for _ in range(n):
        etype = rng.choice(types)
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 187)))
        if etype == 0x0800 and body:
            body = bytes([0x40 | rng.randrange(16)]) + body[1:]  # IHL 0..15
        frame = dst + b"\x02\x00\x00\x00\x00\x01" + struct.pack(">H", etype) + body
        s.send(frame)


if __name__ == "__main__":
    main()
