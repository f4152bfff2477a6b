#!/usr/bin/env python3
"""send_jumbo.py IFACE SRC_MAC DST_MAC SRC_IP4 DST_IP4 DPORT SIZES [PCAP]: send one numbered
UDP/IPv4 frame per IP length in SIZES (comma-separated, e.g. 1500,4000,9000; each >= 32) out
of IFACE through an AF_PACKET socket, frame i carrying i (4 bytes, big-endian) first in its
payload and a byte pattern of i after it, so every byte of each frame is known. With PCAP,
also write the frames sent to it (one record each), to compare captures with. Prints
"sent N" or, for a frame the sender's kernel refuses, "refused SIZE: ERROR" and exits 1."""
import socket
import struct
import sys


def csum(b):
    s = sum(struct.unpack(f">{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(i, iplen, smac, dmac, sip, dip, dport):
    payload = struct.pack(">I", i) + bytes((i + k) & 0xFF for k in range(iplen - 32))
    udp = struct.pack(">HHHH", 40000 + (i & 0xFFF), dport, iplen - 20, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, iplen, i & 0xFFFF, 0x4000, 64, 17, 0, sip, dip)
    ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + udp


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for fr in frames:
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)


def main():
    iface = sys.argv[1]
    smac, dmac = (bytes.fromhex(m.replace(":", "")) for m in sys.argv[2:4])
    sip, dip = (socket.inet_aton(a) for a in sys.argv[4:6])
    dport = int(sys.argv[6])
    sizes = [int(x) for x in sys.argv[7].split(",")]
    frames = [frame(i, n, smac, dmac, sip, dip, dport) for i, n in enumerate(sizes)]
    if len(sys.argv) > 8:
        write_pcap(sys.argv[8], frames)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for fr in frames:
        try:
            s.send(fr)
        except OSError as e:
            print(f"refused {len(fr) - 14}: {e.strerror}")
            sys.exit(1)
    print("sent", len(frames))


if __name__ == "__main__":
    main()
