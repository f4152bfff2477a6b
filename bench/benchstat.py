#!/usr/bin/python3
"""benchstat.py — the statistics behind bench/run.sh: rates from cumulative counter samples,
median/min/max, /proc/stat load and the noisy flag, and the report (JSON, Markdown, plot data).

Commands (the unit tests in testenv/test-bench.sh call these with canned input):
  rates FILE             per-interval rates from "T COUNT" lines, first and last dropped
  gen-rates FILE         the generator's steady sent_pps from its --json lines
  summary V...           "median min max n" of the values
  load FILE              per-CPU busy/steal over the steady window of "T cpuN f..." lines
  noisy RUNDIR           "ok" or the reasons this run is not to be trusted
  run-median RUNDIR      median pps of one run's steady seconds (0 if none)
  report WORKDIR OUTBASE write OUTBASE.json and OUTBASE.md, print the Markdown, and write
                         WORKDIR/{bars,sweep,iomodels}.dat for bench/plot.sh
  iomodels RESULTS.json [PACED.json]
                         the README's "I/O models" table from a report's JSON, with the
                         receiver CPU of a `bench/run.sh --rate` run beside it when given

A run directory holds: meta (key=value), samples ("T COUNT", one line a second, cumulative,
the first taken as the generator starts), stat ("T cpuN user nice system idle iowait irq
softirq steal ..." at the same ticks) and gen.json (the generator's --json lines).
"""
import json
import os
import re
import statistics
import sys

STEAL_MAX = 0.10  # a run with more steal than this over its steady window is noisy
GEN_BUSY_MIN = 0.90  # a saturating generator's CPU must be at least this busy (steal counts)
EXTRA_TASKS_MAX = 1  # runnable tasks beyond the run's own (gen threads, napi kthread, sampler)
CEILING_ROW = "bare-drop"
DEFAULT_SIZE = 64
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The README's "I/O models" table and the harness's iomodels plot: (direction, way, row).
# Every receive row is fed by the live-frames generator; every send row drains into a bare
# XDP_DROP, so the live-frames sender's own row is the ceiling itself.
IO_MODELS = [
    ("rx", "kernel UDP, blocking recvmmsg", "kernel-udp-block"),
    ("rx", "kernel UDP, non-blocking busy loop", "kernel-udp-busy"),
    ("rx", "kernel UDP, select", "kernel-udp-select"),
    ("rx", "kernel UDP, poll", "kernel-udp-poll"),
    ("rx", "kernel UDP, epoll", "kernel-udp-epoll"),
    ("rx", "kernel UDP, io_uring multishot", "kernel-udp-uring"),
    ("rx", "kernel UDP, SO_BUSY_POLL socket", "kernel-udp-busypoll"),
    ("rx", "AF_PACKET TPACKET_V3 ring", "kernel-afpacket"),
    ("rx", "AF_XDP, poll", "pool-count-poll"),
    ("rx", "AF_XDP, busy-poll", "pool-count-busypoll"),
    ("rx", "AF_XDP, spin", "pool-count-spin"),
    ("rx", "XDP drop (the ceiling)", "bare-drop"),
    ("tx", "UDP sendmmsg x64", "tx-udp-sendmmsg"),
    ("tx", "AF_PACKET send() per frame", "tx-afpacket-sendto"),
    ("tx", "AF_PACKET TX ring + qdisc bypass", "tx-afpacket-ring"),
    ("tx", "gen --engine xsk (AF_XDP, copy)", "gen-xsk"),
    ("tx", "AF_XDP, xdpsock -t (copy)", "peer-xdpsock-txonly"),
    ("tx", "gen --engine live (XDP)", "bare-drop"),
]


def parse_samples(text):
    """"T COUNT" lines -> [(t, count)]; blank lines and lines starting with # are skipped."""
    out = []
    for line in text.splitlines():
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        if len(f) != 2:
            raise ValueError("bad sample line: %r" % line)
        out.append((float(f[0]), int(f[1])))
    return out


def rates(samples):
    """Per-interval rates (units/s) between consecutive cumulative samples, without the first
    interval (ramp-up) and the last (ramp-down). An interval whose count goes backwards (a
    counter reset) or whose time does not advance is left out."""
    r = []
    for (t0, c0), (t1, c1) in zip(samples, samples[1:]):
        r.append(None if t1 <= t0 or c1 < c0 else (c1 - c0) / (t1 - t0))
    return [x for x in r[1:-1] if x is not None]


def summary(values):
    """{"median","min","max","n"}; None values when empty."""
    if not values:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def parse_stat(text):
    """"T cpuN fields..." lines -> [(t, {cpu: [int fields]})] in tick order."""
    ticks = []
    for line in text.splitlines():
        f = line.split()
        if len(f) < 6 or not re.fullmatch(r"cpu[0-9]+", f[1]):
            continue
        t = float(f[0])
        if not ticks or ticks[-1][0] != t:
            ticks.append((t, {}))
        ticks[-1][1][f[1]] = [int(x) for x in f[2:]]
    return ticks


def parse_running(text):
    """procs_running of every tick ("T procs_running N" lines in the stat file)."""
    return [int(f[2]) for f in (line.split() for line in text.splitlines())
            if len(f) == 3 and f[1] == "procs_running"]


def cpu_load(a, b):
    """Busy and steal fractions per CPU between two {cpu: fields} snapshots. busy counts every
    jiffy that is neither idle nor iowait (steal included: the CPU wanted to run)."""
    out = {}
    for cpu in sorted(set(a) & set(b)):
        d = [y - x for x, y in zip(a[cpu], b[cpu])]
        d += [0] * (8 - len(d))
        total = sum(d[:8])  # guest time is already inside user
        if total <= 0:
            continue
        out[cpu] = {"busy": 1 - (d[3] + d[4]) / total, "steal": d[7] / total}
    return out


def steady_load(ticks):
    """cpu_load over the steady window: from the second tick to the last but one."""
    if len(ticks) < 3:
        return cpu_load(ticks[0][1], ticks[-1][1]) if len(ticks) >= 2 else {}
    return cpu_load(ticks[1][1], ticks[-2][1])


def noisy_reasons(load, gen_cpus, gen_saturated, n_steady, running=None, own_tasks=None):
    """Why a run is not to be trusted: [] when it is. running: procs_running per tick; more
    than own_tasks + EXTRA_TASKS_MAX at the median tick means another tenant competed for the
    two CPUs (steal does not show a neighbour inside this VM)."""
    why = []
    if n_steady == 0:
        why.append("no steady seconds")
    if running and own_tasks is not None:
        m = statistics.median(running)
        if m > own_tasks + EXTRA_TASKS_MAX:
            why.append("%g runnable tasks" % m)
    if load:
        steal = sum(v["steal"] for v in load.values()) / len(load)
        if steal > STEAL_MAX:
            why.append("steal %.0f%%" % (100 * steal))
        if gen_saturated:
            for cpu in gen_cpus:
                v = load.get("cpu%d" % cpu)
                if v and v["busy"] < GEN_BUSY_MIN:
                    why.append("gen cpu%d busy %.0f%%" % (cpu, 100 * v["busy"]))
    else:
        why.append("no cpu load")
    return why


def gen_rates(text):
    """Interval sent_pps from `xdpgate gen --json` lines without the first (ramp-up). The gen
    reports its last, partial second only in the final "total" line, never as an interval,
    so nothing is dropped at the end except an interval shorter than 0.9 s."""
    r = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        if "interval" in o and "sent_pps" in o and "total" not in o:
            r.append((float(o["interval"]), float(o["sent_pps"])))
    return [pps for iv, pps in r[1:] if iv >= 0.9]


def parse_cpus(spec):
    """taskset list "0,2-3" -> [0, 2, 3]"""
    out = []
    for part in str(spec).split(","):
        if "-" in part:
            lo, hi = part.split("-")
            out.extend(range(int(lo), int(hi) + 1))
        elif part.strip():
            out.append(int(part))
    return out


def _read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return default


def read_meta(text):
    meta = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            meta[k.strip()] = v.strip()
    return meta


def parse_tasks(text, side):
    """"T tasks_SIDE JIFFIES" lines -> [(t, jiffies)]: one side's own tasks' CPU time."""
    key = "tasks_" + side
    return [(float(f[0]), int(f[2])) for f in (line.split() for line in text.splitlines())
            if len(f) == 3 and f[1] == key]


def cpu_ms_per_mframe(tasks, pps, clk_tck=CLK_TCK):
    """CPU time of one side's own tasks per million frames counted (ms; numerically ns a
    frame): their CPU seconds a second over the steady window (second sample to the last but
    one, as rates) over the frames a second of that window."""
    if len(tasks) < 4 or not pps:
        return None
    (t0, j0), (t1, j1) = tasks[1], tasks[-2]
    if t1 <= t0 or j1 < j0:
        return None
    return (j1 - j0) / clk_tck / (t1 - t0) / pps * 1e9


def load_run(d):
    meta = read_meta(_read(os.path.join(d, "meta")))
    r = rates(parse_samples(_read(os.path.join(d, "samples"))))
    stat = _read(os.path.join(d, "stat"))
    load = steady_load(parse_stat(stat))
    # the generator runs on past the sampled window (the prog ns/frame window, with
    # bpf_stats slowing the DUT): only its intervals of the sampled seconds compare
    # seconds; a row's warm-up (ROW_WARMUP) sent before the sampling started
    w = int(meta["warmup"]) if meta.get("warmup", "").isdigit() else 0
    g = gen_rates(_read(os.path.join(d, "gen.json")))[w:w + len(r)]
    own = int(meta["own_tasks"]) if meta.get("own_tasks", "").isdigit() else None
    why = noisy_reasons(load, parse_cpus(meta.get("gen_cpus", "0")),
                        meta.get("gen_saturated", "1") == "1", len(r), parse_running(stat), own)
    if meta.get("error"):
        why.insert(0, meta["error"])
    pps = statistics.mean(r) if r else None
    return {"row": meta.get("row", "?"), "size": int(meta.get("size", DEFAULT_SIZE)),
            "round": int(meta.get("round", 0)), "meta": meta, "pps": r, "gen_pps": g,
            "load": load, "noisy": why,
            "rx_cpu_ms": cpu_ms_per_mframe(parse_tasks(stat, "dut"), pps),
            "gen_cpu_ms": cpu_ms_per_mframe(parse_tasks(stat, "gen"), pps)}


def label(name, size):
    return name if size == DEFAULT_SIZE else "%s@%d" % (name, size)


def check(expr, res, by_label=None):
    """Evaluate one ROW_EXPECT term -> (ok or None, text): "ratio>=0.95" (to bare drop),
    "dut_gen<=1.05", or "vs:ROW>=1.5" (this row's median over ROW's, same invocation)."""
    m = re.fullmatch(r"(ratio|dut_gen|vs:[A-Za-z0-9@_.-]+)(>=|<=)([0-9.]+)", expr)
    if not m:
        return None, "bad expectation %r" % expr
    if m.group(1).startswith("vs:"):
        other = (by_label or {}).get(m.group(1)[3:])
        mine = res["pps"]["median"]
        theirs = other["pps"]["median"] if other else None
        v = mine / theirs if mine is not None and theirs else None
    else:
        v = res.get(m.group(1))
    if v is None:
        return None, "%s: no value" % expr
    lim = float(m.group(3))
    ok = v >= lim if m.group(2) == ">=" else v <= lim
    return ok, "%s (%.3f)" % (expr, v)


def aggregate(runs):
    """Group runs by (row, size) in first-seen order -> list of result dicts."""
    groups = {}
    for run in runs:
        groups.setdefault((run["row"], run["size"]), []).append(run)
    results = []
    for (name, size), rs in groups.items():
        pps = [x for r in rs for x in r["pps"]]
        gen = [x for r in rs for x in r["gen_pps"]]
        res = {"row": name, "size": size, "label": label(name, size),
               "desc": rs[0]["meta"].get("desc", ""), "expect": rs[0]["meta"].get("expect", ""),
               "runs": len(rs), "noisy_runs": sum(1 for r in rs if r["noisy"]),
               "noisy_reasons": sorted({w for r in rs for w in r["noisy"]}),
               "pps": summary(pps), "gen_pps": summary(gen),
               "placement": rs[0]["meta"].get("placement", ""),
               "bpf_ns": summary([float(r["meta"]["bpf_ns"]) for r in rs
                                  if r["meta"].get("bpf_ns")]),
               "rx_cpu_ms": summary([r["rx_cpu_ms"] for r in rs if r["rx_cpu_ms"] is not None]),
               "gen_cpu_ms": summary([r["gen_cpu_ms"] for r in rs
                                      if r["gen_cpu_ms"] is not None])}
        g, d = res["gen_pps"]["median"], res["pps"]["median"]
        res["dut_gen"] = d / g if d is not None and g else None
        results.append(res)
    ceil = {r["size"]: r["pps"]["median"] for r in results if r["row"] == CEILING_ROW}
    for r in results:
        c = ceil.get(r["size"], ceil.get(DEFAULT_SIZE))
        r["ratio"] = r["pps"]["median"] / c if c and r["pps"]["median"] is not None else None
    by_label = {r["label"]: r for r in results}
    for r in results:
        r["checks"] = [check(e, r, by_label) for e in r["expect"].split()]
    base = [r for r in results if r["row"] == CEILING_ROW and r["size"] == DEFAULT_SIZE]
    if base and base[0]["gen_pps"]["n"]:
        b = base[0]
        c = ceil.get(DEFAULT_SIZE)
        results.insert(1 + results.index(b), {
            "row": "gen-sent", "size": DEFAULT_SIZE, "label": "gen-sent",
            "desc": "the generator's own sent rate during the %s runs" % CEILING_ROW,
            "expect": "", "runs": b["runs"], "noisy_runs": b["noisy_runs"],
            "noisy_reasons": b["noisy_reasons"], "pps": b["gen_pps"], "gen_pps": b["gen_pps"],
            "dut_gen": None, "checks": [], "placement": b.get("placement", ""),
            "bpf_ns": summary([]), "rx_cpu_ms": summary([]), "gen_cpu_ms": summary([]),
            "ratio": b["gen_pps"]["median"] / c if c else None})
    return results


def _m(v):
    return "—" if v is None else "%.2f" % (v / 1e6)


def _r(v):
    return "—" if v is None else "%.2f" % v


def _ms(s):
    v = (s or {}).get("median")
    return "—" if v is None else "%.0f" % v


def markdown(results, facts):
    out = ["| row | Mpps median | min | max | ratio to bare drop | prog ns/frame | gen Mpps "
           "| DUT/gen | rx cpu ms/Mframe | gen cpu ms/Mframe | runs | noisy |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        noisy = "no" if not r["noisy_runs"] else "%d/%d: %s" % (
            r["noisy_runs"], r["runs"], ", ".join(r["noisy_reasons"]))
        ns = r.get("bpf_ns", {}).get("median")
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |" % (
            r["label"], _m(r["pps"]["median"]), _m(r["pps"]["min"]), _m(r["pps"]["max"]),
            _r(r["ratio"]), "—" if ns is None else "%.1f" % ns, _m(r["gen_pps"]["median"]),
            _r(r["dut_gen"]), _ms(r.get("rx_cpu_ms")), _ms(r.get("gen_cpu_ms")), r["runs"],
            noisy))
    checks = [(r["label"], ok, txt) for r in results for ok, txt in r["checks"]]
    if checks:
        out.append("")
        for lab, ok, txt in checks:
            out.append("- %s %s: %s" % ("PASS" if ok else "FAIL" if ok is False else "????",
                                        lab, txt))
    out.append("")
    out.append("Placement (applied and read back before every run):")
    for p in dict.fromkeys(r.get("placement", "") for r in results if r.get("placement")):
        out.append("- %s: %s" % (p, ", ".join(r["label"] for r in results
                                              if r.get("placement") == p)))
    out.append("")
    out.append("prog ns/frame: the DUT's XDP program's run_time_ns / run_cnt "
               "(kernel.bpf_stats_enabled) over the %s s after the sampled window." %
               facts.get("bpf_win", "2"))
    out.append("")
    out.append("rx / gen cpu ms/Mframe: CPU time of the receiving side's own tasks (the "
               "receiver and the DUT veth's NAPI kthreads, on cpu %s) / the sending side's "
               "(xdpgate gen or the row's sender, with the softirq work that lands on it) "
               "per million frames counted at the DUT, utime + stime over the steady window "
               "(median over runs; numerically ns a frame; neighbours' tasks not "
               "included)." % facts.get("dut_cpu", "1"))
    out.append("")
    out.append("%s, kernel %s, %s x %s; %s run(s) of %s s per row, interleaved; median/min/max "
               "over the steady seconds (first and last second of each run dropped), counted "
               "at the DUT; mean steal %s." % (
                   facts.get("host", "?"), facts.get("kernel", "?"), facts.get("nproc", "?"),
                   facts.get("cpu_model", "?"), facts.get("runs", "?"),
                   facts.get("duration", "?"), facts.get("steal", "?")))
    return "\n".join(out) + "\n"


def mean_steal(runs):
    v = [x["steal"] for r in runs for x in r["load"].values()]
    return "%.1f%%" % (100 * sum(v) / len(v)) if v else "?"


def plot_data(results, workdir):
    with open(os.path.join(workdir, "bars.dat"), "w") as f:
        f.write("# label median_mpps min_mpps max_mpps\n")
        for r in results:
            p = r["pps"]
            if r["size"] == DEFAULT_SIZE and p["median"] is not None:
                f.write('"%s" %.4f %.4f %.4f\n' % (r["label"], p["median"] / 1e6,
                                                   p["min"] / 1e6, p["max"] / 1e6))
    swept = [n for n in dict.fromkeys(r["row"] for r in results)
             if sum(1 for r in results if r["row"] == n) > 1]
    with open(os.path.join(workdir, "sweep.dat"), "w") as f:
        for n in swept:  # one gnuplot data block per row; its first line names it (columnheader)
            f.write("%s size median min max\n" % n)
            for r in sorted((r for r in results if r["row"] == n), key=lambda r: r["size"]):
                if r["pps"]["median"] is not None:
                    f.write("%d %.4f %.4f %.4f\n" % (r["size"], r["pps"]["median"] / 1e6,
                                                     r["pps"]["min"] / 1e6,
                                                     r["pps"]["max"] / 1e6))
            f.write("\n\n")
    with open(os.path.join(workdir, "iomodels.dat"), "w") as f:
        f.write("# way mpps rx_cpu_ms_per_mframe gen_cpu_ms_per_mframe\n")
        for d, w, n, r in io_models(results):
            f.write('"%s: %s" %.4f %s %s\n' % (d, w, r["pps"]["median"] / 1e6,
                                              _ms(r.get("rx_cpu_ms")).replace("—", "NaN"),
                                              _ms(r.get("gen_cpu_ms")).replace("—", "NaN")))


def io_models(results):
    """The IO_MODELS rows found in results (64-byte frames): [(dir, way, row, result)]."""
    by = {r["label"]: r for r in results}
    return [(d, w, n, by[n]) for d, w, n in IO_MODELS
            if n in by and by[n]["pps"]["median"] is not None]


def io_models_markdown(results, facts, paced=None):
    """The I/O models table; paced: (results, facts) of a `bench/run.sh --rate` run of the
    same rows, whose receiver CPU time per Mframe is what the models cost when they keep up."""
    head = ("| direction | way | row | Mpps | ratio to XDP drop | rx cpu ms/Mframe "
            "| gen cpu ms/Mframe |")
    p_by = {}
    if paced:
        rate = paced[1].get("rate", "?")
        head += " kpps when paced to %s | rx cpu ms/Mframe when paced |" % rate
        p_by = {r["label"]: r for r in paced[0]}
    out = [head, "|" + " --- |" * (head.count("|") - 1)]
    for d, w, n, r in io_models(results):
        line = "| %s | %s | %s | %s | %s | %s | %s |" % (
            "receive" if d == "rx" else "send", w, n, _m(r["pps"]["median"]), _r(r["ratio"]),
            _ms(r.get("rx_cpu_ms")), _ms(r.get("gen_cpu_ms")))
        if paced:  # the senders other than gen are never paced: nothing to show for them
            q = p_by.get(n) if d == "rx" else None
            k = q["pps"]["median"] if q else None
            line += " %s | %s |" % ("—" if k is None else "%.1f" % (k / 1e3),
                                   _ms(q.get("rx_cpu_ms")) if q else "—")
        out.append(line)
    out.append("")
    for fa in [facts] + ([paced[1]] if paced else []):
        out.append("%s, kernel %s, %s run(s) of %s s, interleaved, 64-byte frames, %s%s." % (
            fa.get("host", "?"), fa.get("kernel", "?"), fa.get("runs", "?"),
            fa.get("duration", "?"), "quick" if fa.get("quick", "0") not in ("", "0")
            else "full", ", generator paced to %s pps" % fa["rate"] if fa.get("rate") else ""))
    return "\n".join(out) + "\n"


def report(workdir, outbase):
    rundir = os.path.join(workdir, "runs")
    runs = [load_run(os.path.join(rundir, d)) for d in sorted(os.listdir(rundir))]
    facts = read_meta(_read(os.path.join(workdir, "facts")))
    facts["steal"] = mean_steal(runs)
    results = aggregate(runs)
    md = markdown(results, facts)
    if io_models(results):
        md += "\n## I/O models\n\n" + io_models_markdown(results, facts)
    doc = {"facts": facts, "results": results,
           "runs": [{k: r[k] for k in ("row", "size", "round", "meta", "pps", "gen_pps", "load",
                                        "noisy", "rx_cpu_ms", "gen_cpu_ms")} for r in runs]}
    for r in doc["results"]:
        r["checks"] = [{"ok": ok, "check": txt} for ok, txt in r["checks"]]
    with open(outbase + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(outbase + ".md", "w") as f:
        f.write(md)
    plot_data(results, workdir)
    sys.stdout.write(md)
    return 1 if any(c["ok"] is False for r in doc["results"] for c in r["checks"]) else 0


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "rates":
        for x in rates(parse_samples(_read(args[0]))):
            print("%.1f" % x)
    elif cmd == "gen-rates":
        for x in gen_rates(_read(args[0])):
            print("%.1f" % x)
    elif cmd == "summary":
        s = summary([float(x) for x in args])
        print(" ".join("-" if s[k] is None else "%g" % s[k] for k in ("median", "min", "max", "n")))
    elif cmd == "load":
        for cpu, v in steady_load(parse_stat(_read(args[0]))).items():
            print("%s busy=%.3f steal=%.3f" % (cpu, v["busy"], v["steal"]))
    elif cmd == "noisy":
        why = load_run(args[0])["noisy"]
        print("; ".join(why) if why else "ok")
    elif cmd == "run-median":
        m = summary(load_run(args[0])["pps"])["median"]
        print("%.0f" % (m or 0))
    elif cmd == "report":
        return report(args[0], args[1])
    elif cmd == "iomodels":
        docs = []
        for path in args[:2]:
            with open(path) as f:
                docs.append(json.load(f))
        paced = (docs[1]["results"], docs[1]["facts"]) if len(docs) > 1 else None
        sys.stdout.write(io_models_markdown(docs[0]["results"], docs[0]["facts"], paced))
    else:
        sys.stderr.write("benchstat.py: unknown command %r\n" % cmd)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
