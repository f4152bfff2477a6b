#!/usr/bin/env python3
# Both ends of testenv/test-ct.sh's scenario in one process (a Python start costs a second on
# a loaded machine; a step would cost several): ct_peer.py GEN_NS DUT_NS reads one step a
# line on stdin and answers "ok" (or "error: ..."), sockets made in either namespace
# through setns. Steps (FROM: gen or dut, the client's side; the server is the other):
#   tcp FROM ADDR PORT CLOSE   connect, one message each way, then CLOSE: client | server
#                              (who closes first) | rst (the client aborts: SO_LINGER 0)
#   udp FROM ADDR PORT         one datagram and its answer
#   udp-noreply FROM ADDR PORT one datagram to a port nobody listens on
#   udp-bound FROM ADDR PORT LPORT   as udp, the client bound to LPORT
#   udp-late ADDR LPORT PORT   from gen's PORT to dut's ADDR:LPORT: an answer come too late
#   raw IFACE SMAC DMAC SRC DST SPORT DPORT FLAGS   one TCP segment (FLAGS hex) out of gen's
#                              IFACE through AF_PACKET, checksums right, so conntrack judges
#                              the segment, not its checksum
#   flood IFACE SMAC DMAC NET DST DPORT FLAGS COUNT   COUNT such segments, each from its own
#                              address of NET (an IPv4 /16 or an IPv6 /64) and port: spoofed
#   hold ADDR PORT N           N TCP connections from gen to dut's ADDR:PORT, one message each
#                              way, kept open (with dut's listener) for the steps below
#   held                       one more message each way on every held connection
#   release                    close the held connections and their listeners
# Every wait is bounded by a socket timeout.
import ctypes
import ipaddress
import os
import socket
import struct
import sys

TIMEOUT = 5
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


class Namespaces:
    def __init__(self, gen, dut):
        self.fd = {n: os.open("/run/netns/" + ns, os.O_RDONLY) for n, ns in
                   (("gen", gen), ("dut", dut))}

    def enter(self, name):
        if libc.setns(self.fd[name], CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + name)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def other(side):
    return "dut" if side == "gen" else "gen"


def tcp(ns, frm, addr, port, close):
    ns.enter(other(frm))
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    ns.enter(frm)
    c = socket.create_connection((addr, int(port)), timeout=TIMEOUT)
    s, _ = ls.accept()
    ls.close()
    s.settimeout(TIMEOUT)
    c.sendall(b"hello")
    s.sendall(s.recv(100).upper())
    if c.recv(100) != b"HELLO":
        raise RuntimeError("wrong answer")
    first, second = (s, c) if close == "server" else (c, s)
    if close == "rst":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    first.close()
    try:
        if second.recv(100) != b"":
            raise RuntimeError("data instead of the close")
    except ConnectionResetError:
        if close != "rst":
            raise
    second.close()


def udp(ns, frm, addr, port, reply=True, lport=0):
    srv = None
    if reply:
        ns.enter(other(frm))
        srv = socket.socket(family(addr), socket.SOCK_DGRAM)
        srv.bind((addr, int(port)))
        srv.settimeout(TIMEOUT)
    ns.enter(frm)
    c = socket.socket(family(addr), socket.SOCK_DGRAM)
    c.settimeout(TIMEOUT)
    if lport:
        c.bind(("::" if ":" in addr else "0.0.0.0", int(lport)))
    c.sendto(b"query", (addr, int(port)))
    if srv:
        d, peer = srv.recvfrom(100)
        srv.sendto(d.upper(), peer)
        if c.recvfrom(100)[0] != b"QUERY":
            raise RuntimeError("wrong answer")
        srv.close()
    c.close()


def udp_late(ns, addr, lport, port):
    ns.enter("gen")
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind(("::" if ":" in addr else "0.0.0.0", int(port)))
    s.sendto(b"LATE", (addr, int(lport)))
    s.close()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def segment(src, dst, sport, dport, flags):
    """IP header and TCP segment, checksums right."""
    s_ip, d_ip = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    tcp_h = struct.pack("!HHIIBBHHH", int(sport), int(dport), 1000, 2000, 0x50,
                        int(flags, 16), 8192, 0, 0)
    if s_ip.version == 4:
        pseudo = s_ip.packed + d_ip.packed + struct.pack("!BBH", 0, 6, len(tcp_h))
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp_h), 1, 0, 64, 6, 0,
                         s_ip.packed, d_ip.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        etype = 0x0800
    else:
        pseudo = s_ip.packed + d_ip.packed + struct.pack("!I3xB", len(tcp_h), 6)
        ip = struct.pack("!IHBB16s16s", 0x60000000, len(tcp_h), 6, 64, s_ip.packed,
                         d_ip.packed)
        etype = 0x86DD
    tcp_h = tcp_h[:16] + struct.pack("!H", csum(pseudo + tcp_h)) + tcp_h[18:]
    return struct.pack("!H", etype) + ip + tcp_h


def raw(ns, iface, smac, dmac, src, dst, sport, dport, flags):
    eth = bytes.fromhex(dmac.replace(":", "") + smac.replace(":", ""))
    ns.enter("gen")
    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    p.bind((iface, 0))
    p.send(eth + segment(src, dst, sport, dport, flags))
    p.close()


def flood(ns, iface, smac, dmac, net, dst, dport, flags, count):
    net = ipaddress.ip_network(net)
    if int(count) >= net.num_addresses - 1 or int(count) > 1000000:
        raise RuntimeError("flood: %s has too few addresses for %s" % (net, count))
    eth = bytes.fromhex(dmac.replace(":", "") + smac.replace(":", ""))
    ns.enter("gen")
    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    p.bind((iface, 0))
    for i in range(int(count)):
        src = net.network_address + 1 + i
        p.send(eth + segment(str(src), dst, 1024 + i % 60000, dport, flags))
    p.close()


class Held:
    def __init__(self):
        self.pairs, self.listeners = [], []

    def hold(self, ns, addr, port, n):
        ns.enter("dut")
        ls = socket.socket(family(addr), socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, int(port)))
        ls.listen(64)
        ls.settimeout(TIMEOUT)
        self.listeners.append(ls)
        ns.enter("gen")
        for _ in range(int(n)):
            c = socket.create_connection((addr, int(port)), timeout=TIMEOUT)
            s, _ = ls.accept()
            s.settimeout(TIMEOUT)
            self.pairs.append((c, s))
        self.check()

    def check(self):
        for c, s in self.pairs:
            c.sendall(b"hello")
            s.sendall(s.recv(100).upper())
            if c.recv(100) != b"HELLO":
                raise RuntimeError("wrong answer on a held connection")

    def release(self):
        for c, s in self.pairs:
            c.close()
            s.close()
        for ls in self.listeners:
            ls.close()
        self.pairs, self.listeners = [], []


def step(ns, a):
    if a[0] == "tcp" and len(a) == 5:
        tcp(ns, *a[1:])
    elif a[0] == "udp" and len(a) == 4:
        udp(ns, *a[1:])
    elif a[0] == "udp-noreply" and len(a) == 4:
        udp(ns, *a[1:], reply=False)
    elif a[0] == "udp-bound" and len(a) == 5:
        udp(ns, *a[1:4], lport=a[4])
    elif a[0] == "udp-late" and len(a) == 4:
        udp_late(ns, *a[1:])
    elif a[0] == "raw" and len(a) == 9:
        raw(ns, *a[1:])
    elif a[0] == "flood" and len(a) == 9:
        flood(ns, *a[1:])
    elif a[0] == "hold" and len(a) == 4:
        ns.held.hold(ns, *a[1:])
    elif a[0] == "held" and len(a) == 1:
        ns.held.check()
    elif a[0] == "release" and len(a) == 1:
        ns.held.release()
    else:
        raise RuntimeError("unknown step " + " ".join(a))


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: ct_peer.py GEN_NS DUT_NS (steps on stdin)")
    ns = Namespaces(*argv)
    ns.held = Held()
    for line in sys.stdin:
        try:
            step(ns, line.split())
            print("ok", flush=True)
        except Exception as e:  # one line for the test, which fails on it
            print("error: %s: %s" % (line.strip(), e), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
