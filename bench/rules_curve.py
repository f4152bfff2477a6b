#!/usr/bin/python3
"""rules_curve.py RESULTS.json [--no-prog-run] [--no-live-load]

The rule-count curve of a bench/run.sh result that ran the rules-xdpgate-N and rules-nft-N
rows (N = 1, 10, 100, 1000, 10000; bench/rows/rules-*.sh), and the rule-engine targets:

  1. xdpgate at 10,000 rules >= 0.85 x xdpgate at 1 rule (Mpps at the DUT; a ratio between
     two rows, which the harness's ROW_EXPECT cannot express: its ratio is to bare-drop)
  2. xdpgate / nftables >= 3x at 1 rule and >= 10x at 10,000 rules (same invocation)
  3. BPF_PROG_RUN ns/frame (`xdpgate rules bench FILE HEX --json`, the benchmark frame)
     at 10,000 rules <= 2 x at 1 rule (median of ROUNDS interleaved runs each)
  4. installing 10,000 rules < 2 s: `load_ms` of rules bench (compile, maps, install,
     program load) and, unless --no-live-load, the wall time of `xdpgate rules load` on a
     gate attached in a throwaway testenv (parse included)

Writes RESULTS-rules.png (gnuplot: Mpps over rules, log x, one line per engine, bars
min-max) and RESULTS-rules.md (what it prints) next to RESULTS.json. 3 and 4 need root
and build/xdpgate (XDPGATE overrides it, as in bench/run.sh); --no-prog-run skips 3 and 4.
Exit status: 0 all measured targets pass, 3 one failed, 2 usage/missing data.
"""
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
XG = os.environ.get("XDPGATE", os.path.join(ROOT, "build", "xdpgate"))
COUNTS = [1, 10, 100, 1000, 10000]
ENGINES = [("xdpgate", "rules-xdpgate-%d"), ("nftables", "rules-nft-%d")]
ROUNDS = 5  # rules bench runs per rule count, interleaved


def bench_frame_hex():
    """The generator's benchmark frame without FCS: 02:..:01 -> 02:..:02, IPv4
    198.18.0.1 -> 198.18.0.2 UDP 10000 -> 9, 18 zero bytes of payload (60 bytes)."""
    payload = bytes(18)
    udp = struct.pack("!HHHH", 10000, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
    s = sum(struct.unpack("!10H", ip))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    ip = ip[:10] + struct.pack("!H", ~s & 0xFFFF) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001") + struct.pack("!H", 0x0800)
    return (eth + ip + udp).hex()


def curves(doc):
    """{engine: {n: pps summary}} for the 64-byte results of the rules rows."""
    by_row = {(r["row"], r["size"]): r for r in doc["results"]}
    out = {}
    for eng, fmt in ENGINES:
        out[eng] = {}
        for n in COUNTS:
            r = by_row.get((fmt % n, 64))
            if r and r["pps"]["median"] is not None:
                out[eng][n] = r
    return out


def verdict(ok):
    return "PASS" if ok else "FAIL"


def gen_rules(n, path):
    with open(path, "w") as f:
        subprocess.run([sys.executable, os.path.join(BENCH_DIR, "gen_rules.py"), str(n)],
                       stdout=f, check=True)


def prog_run(files, hexframe):
    """{n: (median ns_per_frame, [all], median load_ms)} over ROUNDS interleaved runs."""
    ns = {n: [] for n in files}
    load = {n: [] for n in files}
    for _ in range(ROUNDS):
        for n, path in files.items():
            p = subprocess.run([XG, "rules", "bench", path, hexframe, "--json"],
                               capture_output=True, text=True, check=True)
            o = json.loads(p.stdout.strip().splitlines()[-1])
            if o["verdict"] != "XDP_DROP":
                raise RuntimeError("rules bench %d: verdict %s, want XDP_DROP" % (n, o["verdict"]))
            ns[n].append(o["ns_per_frame"])
            load[n].append(o["load_ms"])
    return {n: (statistics.median(ns[n]), ns[n], statistics.median(load[n])) for n in files}


def live_load_s(path):
    """Wall time of `xdpgate rules load dut0 FILE` on a gate attached (empty set) to dut0 of a
    throwaway testenv; the environment is torn down on every path."""
    name = "xgrc%d" % (os.getpid() % 100000)
    te = os.path.join(ROOT, "testenv", "testenv.sh")
    subprocess.run([te, "setup", "--name", name], check=True, capture_output=True)
    try:
        ns = ["nsenter", "--net=/run/netns/%s-dut" % name, "--"]
        subprocess.run(ns + [XG, "attach", "dut0"], check=True, capture_output=True)
        t0 = time.monotonic()
        subprocess.run(ns + [XG, "rules", "load", "dut0", path], check=True, capture_output=True)
        dt = time.monotonic() - t0
        subprocess.run(ns + [XG, "detach", "dut0"], check=True, capture_output=True)
        return dt
    finally:
        subprocess.run([te, "teardown", "--name", name], capture_output=True)


def plot(c, png, work):
    dat = os.path.join(work, "rules.dat")
    with open(dat, "w") as f:
        for eng, _ in ENGINES:
            f.write('"%s"\n' % eng)
            for n, r in sorted(c[eng].items()):
                p = r["pps"]
                f.write("%d %.6f %.6f %.6f\n" % (n, p["median"] / 1e6, p["min"] / 1e6,
                                                 p["max"] / 1e6))
            f.write("\n\n")
    gp = """set terminal pngcairo size 900,520 font ",10"
set output "%s"
set title "Mpps at the DUT against rule count (64-byte frames; median, bars min-max; flow matches the last rule)"
set xlabel "rules"
set ylabel "Mpps"
set logscale x 10
set xrange [0.7:14000]
set yrange [0:*]
set grid
set key top right noenhanced
plot for [i=0:1] "%s" index i using 1:2:3:4 with yerrorlines lw 2 title columnheader(1)
""" % (png, dat)
    subprocess.run(["gnuplot"], input=gp, text=True, check=True)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    opts = {a for a in argv[1:] if a.startswith("--")}
    if len(args) != 1 or opts - {"--no-prog-run", "--no-live-load"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = args[0]
    with open(path) as f:
        doc = json.load(f)
    c = curves(doc)
    base = path[:-5] if path.endswith(".json") else path
    lines = []

    def out(s=""):
        print(s)
        lines.append(s)

    facts = doc.get("facts", {})
    out("# Rule-count curve: %s" % os.path.basename(path))
    out()
    out("%s, kernel %s, %s run(s) of %s s per row, xdpgate %s; 64-byte frames, Mpps at the DUT"
        % (facts.get("host"), facts.get("kernel"), facts.get("runs"), facts.get("duration"),
           facts.get("xdpgate")))
    out()
    out("| rules | xdpgate Mpps (min-max) | noisy | nftables Mpps (min-max) | noisy | xdpgate/nftables |")
    out("| --- | --- | --- | --- | --- | --- |")

    def cell(r):
        if not r:
            return "—", "—"
        p = r["pps"]
        return ("%.3f (%.3f-%.3f)" % (p["median"] / 1e6, p["min"] / 1e6, p["max"] / 1e6),
                "%d/%d" % (r["noisy_runs"], r["runs"]))

    for n in COUNTS:
        x, nx = c["xdpgate"].get(n), c["nftables"].get(n)
        ratio = "%.1fx" % (x["pps"]["median"] / nx["pps"]["median"]) \
            if x and nx and nx["pps"]["median"] else "—"
        out("| %d | %s | %s | %s | %s | %s |" % ((n,) + cell(x) + cell(nx) + (ratio,)))
    out()

    fails, missing = 0, 0
    out("## Targets")
    out()
    x, nft = c["xdpgate"], c["nftables"]
    if 1 in x and 10000 in x:
        r = x[10000]["pps"]["median"] / x[1]["pps"]["median"]
        ok = r >= 0.85
        fails += not ok
        out("- xdpgate 10,000 rules / 1 rule = %.3f (target >= 0.85): %s" % (r, verdict(ok)))
    else:
        missing += 1
        out("- xdpgate 10,000 / 1 rule: rows missing")
    for n, want in ((1, 3.0), (10000, 10.0)):
        if n in x and n in nft and nft[n]["pps"]["median"]:
            r = x[n]["pps"]["median"] / nft[n]["pps"]["median"]
            ok = r >= want
            fails += not ok
            out("- xdpgate / nftables at %d rule(s) = %.1fx (target >= %gx): %s"
                % (n, r, want, verdict(ok)))
        elif n in x and n in nft:
            out("- xdpgate / nftables at %d rule(s): nftables measured 0 pps: PASS" % n)
        else:
            missing += 1
            out("- xdpgate / nftables at %d rule(s): rows missing" % n)

    if "--no-prog-run" not in opts:
        hexframe = bench_frame_hex()
        with tempfile.TemporaryDirectory(prefix="xdpgate-rules-curve.") as work:
            files = {}
            for n in (1, 10000):
                files[n] = os.path.join(work, "rules-%d" % n)
                gen_rules(n, files[n])
            try:
                pr = prog_run(files, hexframe)
                ok = pr[10000][0] <= 2 * pr[1][0]
                fails += not ok
                out("- BPF_PROG_RUN ns/frame (median of %d; all): 1 rule %g %s, 10,000 rules "
                    "%g %s; 10k <= 2 x 1-rule: %s" % (ROUNDS, pr[1][0], pr[1][1], pr[10000][0],
                                                       pr[10000][1], verdict(ok)))
                ok = pr[10000][2] < 2000
                fails += not ok
                out("- install 10,000 rules, rules bench load_ms (compile + maps + install + "
                    "program load; median of %d) = %.0f ms (1 rule: %.0f ms; target < 2 s): %s"
                    % (ROUNDS, pr[10000][2], pr[1][2], verdict(ok)))
            except (subprocess.CalledProcessError, RuntimeError, OSError, ValueError) as e:
                missing += 1
                out("- rules bench: could not run (%s)" % e)
            if "--no-live-load" not in opts:
                try:
                    t = live_load_s(files[10000])
                    ok = t < 2.0
                    fails += not ok
                    out("- install 10,000 rules, `xdpgate rules load` on an attached gate "
                        "(wall time, parse included) = %.2f s (target < 2 s): %s" % (t, verdict(ok)))
                except (subprocess.CalledProcessError, OSError) as e:
                    missing += 1
                    out("- rules load on a live gate: could not run (%s)" % e)
            png = base + "-rules.png"
            try:
                plot(c, png, work)
                out()
                out("Plot: %s" % os.path.basename(png))
            except (subprocess.CalledProcessError, OSError) as e:
                out("- plot failed: %s" % e)
    else:
        with tempfile.TemporaryDirectory(prefix="xdpgate-rules-curve.") as work:
            png = base + "-rules.png"
            plot(c, png, work)
            out()
            out("Plot: %s" % os.path.basename(png))

    with open(base + "-rules.md", "w") as f:
        f.write("\n".join(lines) + "\n")
    if fails:
        return 3
    return 2 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
