#!/usr/bin/env python3
"""Check the generator's markers in a pcap: gen_markers.py FILE FLOWS [SPORT_BASE]

Every frame must carry the 16-byte marker (magic 0x5847, thread, flow, seq) right after
its L4 header; seq counts 0, 1, 2, ... per thread in capture order; flow == seq % FLOWS;
the source port (ICMP: echo id) is SPORT_BASE + flow and the source address's last byte
is the first frame's plus flow. Prints "ok N" or the first problem, exits 0 or 1."""
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            incl = struct.unpack(endian + "IIII", rec)[2]
            yield f.read(incl)


def l4(frame):
    """(family, proto, source address, offset of the L4 header)."""
    etype = struct.unpack(">H", frame[12:14])[0]
    if etype == 0x0800:
        ihl = (frame[14] & 0x0F) * 4
        return 4, frame[23], frame[26:30], 14 + ihl
    if etype == 0x86DD:
        return 6, frame[20], frame[22:38], 54
    raise ValueError("not IP: ethertype 0x%04x" % etype)


def marker_offset(proto, frame, off):
    if proto == 6:
        return off + (frame[off + 12] >> 4) * 4
    return off + 8  # UDP header, or ICMP/ICMPv6 echo header


def check(path, flows, sport_base):
    seqs, base_addr, n = {}, None, 0
    for frame in frames(path):
        fam, proto, saddr, off = l4(frame)
        m = marker_offset(proto, frame, off)
        magic, thread, flow, seq = struct.unpack(">HHIQ", frame[m:m + 16])
        if magic != 0x5847:
            return "frame %d: no marker (magic 0x%04x)" % (n, magic)
        want = seqs.get(thread, 0)
        if seq != want:
            return "frame %d: thread %d seq %d, expected %d" % (n, thread, seq, want)
        seqs[thread] = seq + 1
        if flow != seq % flows:
            return "frame %d: flow %d, expected %d" % (n, flow, seq % flows)
        port = struct.unpack(">H", frame[off + (4 if proto in (1, 58) else 0):][:2])[0]
        if port != (sport_base + flow) & 0xFFFF:
            return "frame %d: source port %d, expected %d" % (n, port, sport_base + flow)
        if base_addr is None:
            base_addr = saddr[-1] - flow
        if saddr[-1] != (base_addr + flow) & 0xFF:
            return "frame %d: source address %s does not follow flow %d" % (n, saddr.hex(), flow)
        n += 1
    return "ok %d" % n


if __name__ == "__main__":
    result = check(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 10000)
    print(result)
    sys.exit(0 if result.startswith("ok") else 1)
