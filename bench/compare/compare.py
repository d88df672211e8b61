#!/usr/bin/env python3
"""bench/compare/compare.py: run pymodrt-bench and its CPython twin
alternately, several times, in one run, and report the medians side by side
against the targets of DESIGN.md section 4.

Writes, into --out:
  compare.md     the table (also printed), with the machine it ran on
  compare.json   the same data, plus every run's figures
  compare.svg    throughput against threads, registry-hit and state families
  raw/           each run's Google Benchmark JSON and console output

Never fails because a target is missed: it reports.  Exit status 0 unless a
program could not be run at all.  Standard library only.
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

NA = "n/a"


# ---------------------------------------------------------------- running

def run_once(exe, out_json, out_log, min_time, filt, env):
    cmd = [exe, "--benchmark_min_time=%g" % min_time,
           "--benchmark_out=" + out_json, "--benchmark_out_format=json"]
    if filt:
        cmd.append("--benchmark_filter=" + filt)
    with open(out_log, "w") as log:
        rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        with open(out_json) as f:
            return rc, json.load(f)
    except (OSError, ValueError):
        return rc, None


def split_name(name):
    """'registry/GetModule_same/real_time/threads:2' -> ('registry/GetModule_same', 2)"""
    m = re.search(r"/threads:(\d+)", name)
    threads = int(m.group(1)) if m else 1
    parts = [p for p in name.split("/") if p != "real_time" and not p.startswith("threads:")
             and not p.startswith("iterations:")]
    return "/".join(parts), threads


def collect(doc, into):
    """into[(base, threads)] -> list of {'ns': time per op, counters...}"""
    if doc is None:
        return
    for b in doc.get("benchmarks", []):
        if b.get("run_type") != "iteration" or b.get("error_occurred"):
            continue
        base, threads = split_name(b["name"])
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        # wall_ns: the whole group's wall time per operation (bench.h).
        rec = {"ns": b["wall_ns"] if "wall_ns" in b else b["real_time"] * scale}
        for k in ("handoff_ns", "handoff_fraction"):
            if k in b:
                rec[k] = b[k]
        into.setdefault((base, threads), []).append(rec)


def errors_of(doc):
    out = {}
    for b in (doc or {}).get("benchmarks", []):
        if b.get("error_occurred"):
            out[split_name(b["name"])[0]] = b.get("error_message", "")
    return out


def median_of(runs, base, threads=1, key="ns"):
    vals = [r[key] for r in runs.get((base, threads), []) if key in r]
    return statistics.median(vals) if vals else None


# ---------------------------------------------------------------- formatting

def fmt_ns(ns):
    if ns is None:
        return NA
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.2f µs" % (ns / 1e3)
    if ns >= 100:
        return "%.0f ns" % ns
    return "%.2f ns" % ns if ns < 10 else "%.1f ns" % ns


def fmt_x(x):
    return NA if x is None else "%.2f×" % x


def div(a, b):
    return None if a is None or b is None or b == 0 else a / b


# ---------------------------------------------------------------- the table

def rows(P, C):
    """One dict per row: path, pymodrt, cpython, ratio, target, measured, met."""
    out = []

    def t(runs, base, threads=1, key="ns"):
        return median_of(runs, base, threads, key)

    def time_row(path, base, target, max_ns=None, min_speedup=None, threads=1):
        p, c = t(P, base, threads), t(C, base, threads)
        ratio = div(c, p)
        met, measured = None, []
        if target:
            checks = []
            if max_ns is not None:
                checks.append(p is not None and p <= max_ns)
                measured.append(fmt_ns(p))
            if min_speedup is not None:
                checks.append(ratio is not None and ratio >= min_speedup)
                measured.append(fmt_x(ratio) + " CPython")
            met = all(checks) if p is not None else None
        out.append(dict(path=path, pymodrt=fmt_ns(p), cpython=fmt_ns(c), ratio=fmt_x(ratio),
                        target=target or "—", measured=", ".join(measured) or "—",
                        met=met, p_ns=p, c_ns=c))

    def scaling_row(path, base, target, threads=2):
        p = div(t(P, base, 1), t(P, base, threads))      # throughput(n) / throughput(1)
        c = div(t(C, base, 1), t(C, base, threads))
        met = None if p is None else p >= 1.8
        out.append(dict(path=path, pymodrt=fmt_x(p) + " of 1 thread" if p else NA,
                        cpython=fmt_x(c) + " of 1 thread" if c else NA, ratio="—",
                        target=target or "—", measured=fmt_x(p) if target else "—",
                        met=met if target else None,
                        p_scale=p, c_scale=c))

    time_row("import of a loaded module (`PyImport_ImportModule`)", "registry/import_hit_same",
             "≤ 25 ns and ≥ 50× faster", max_ns=25, min_speedup=50)
    time_row("`PyImport_GetModule`", "registry/GetModule_same", "≤ 20 ns", max_ns=20)
    scaling_row("`PyImport_GetModule`, 2 threads, same module", "registry/GetModule_same",
                "≥ 1.8× the 1-thread throughput")
    scaling_row("`PyImport_ImportModule` hit, 2 threads, same module", "registry/import_hit_same",
                "≥ 1.8× the 1-thread throughput")
    time_row("re-import of a multi-phase module (create + exec)", "exec/reimport_multiphase",
             "≤ 2 µs and ≥ 20× faster", max_ns=2000, min_speedup=20)
    time_row("re-import of a single-phase module (`m_copy`)", "exec/reimport_singlephase",
             "≤ 2 µs", max_ns=2000)
    # cold load against the floor measured in the same process
    p, c = t(P, "load/cold_import"), t(C, "load/cold_import")
    pf, cf = t(P, "load/dlopen_dlsym_floor"), t(C, "load/dlopen_dlsym_floor")
    rf = div(p, pf)
    out.append(dict(path="cold load of a never-seen module file", pymodrt=fmt_ns(p),
                    cpython=fmt_ns(c), ratio=fmt_x(div(c, p)),
                    target="≤ 1.15× a bare `dlopen`+`dlsym`",
                    measured="%s floor (%s; CPython %s floor)" % (fmt_x(rf), fmt_ns(pf),
                                                                  fmt_x(div(c, cf))),
                    met=None if rf is None else rf <= 1.15, p_ns=p, c_ns=c))
    time_row("`PyModule_GetState`", "state/PyModule_GetState", "≤ 2 ns", max_ns=2)
    time_row("`PyType_GetModuleByDef`, defining type", "state/GetModuleByDef_defining",
             "≤ 3 ns", max_ns=3)
    time_row("`PyType_GetModuleByDef`, 8 levels down", "state/GetModuleByDef_depth8",
             "≤ 3 ns", max_ns=3)
    time_row("`PyState_FindModule`", "state/PyState_FindModule", "≤ 3 ns", max_ns=3)
    time_row("call of a `METH_NOARGS` module function", "calls/METH_NOARGS", "≤ 6 ns", max_ns=6)
    time_row("create interpreter + import a module + end it", "interp/create_import_end",
             "≤ 60 µs and ≥ 100× faster", max_ns=60000, min_speedup=100)
    # GIL hand-off against the pthread floor of the same process
    ph, pfh = t(P, "gil/handoff_gil", 2, "handoff_ns"), t(P, "gil/handoff_floor_pthread", 2,
                                                          "handoff_ns")
    ch, cfh = t(C, "gil/handoff_gil", 2, "handoff_ns"), t(C, "gil/handoff_floor_pthread", 2,
                                                          "handoff_ns")
    frac = t(P, "gil/handoff_gil", 2, "handoff_fraction")
    r = div(ph, pfh)
    out.append(dict(path="GIL hand-off between 2 threads", pymodrt=fmt_ns(ph),
                    cpython=fmt_ns(ch), ratio=fmt_x(div(ch, ph)),
                    target="within 2× of a pthread mutex+condvar hand-off",
                    measured="%s floor (%s; CPython %s floor)%s" % (
                        fmt_x(r), fmt_ns(pfh), fmt_x(div(ch, cfh)),
                        "" if frac is None else ", %.0f%% real hand-offs" % (100 * frac)),
                    met=None if r is None else r <= 2.0, p_ns=ph, c_ns=ch))
    n_target = len(out)
    # Without a target: the rest of the suite, for scale.
    for path, base in [
            ("bare `dlopen`+`dlsym` (the cold-load floor)", "load/dlopen_dlsym_floor"),
            ("`PyModule_Exec` on a slots module", "exec/PyModule_Exec"),
            ("import hit, a different module per thread (1 thread)", "registry/import_hit_diff"),
            ("`PyType_GetModuleByToken`", "state/GetModuleByToken"),
            ("`METH_METHOD` call reading state via its class", "state/METH_METHOD_state"),
            ("call through `METH_O`", "calls/METH_O"),
            ("call through `METH_FASTCALL`", "calls/METH_FASTCALL"),
            ("call through `METH_VARARGS` + `PyArg_ParseTuple`", "calls/METH_VARARGS"),
            ("GIL acquire + release, uncontended", "gil/acquire_release_gil_on"),
            ("attach + detach, GIL off", "gil/attach_detach_gil_off")]:
        time_row(path, base, None)
    for base in ["registry/GetModule_diff", "registry/import_hit_diff", "state/PyModule_GetState",
                 "state/GetModuleByDef_depth8", "state/METH_METHOD_state"]:
        scaling_row("`%s`, 2 threads" % base.split("/")[1], base, None)
    return out, n_target


def met_text(m):
    return NA if m is None else ("**met**" if m else "missed")


def render(table, n_target, machine):
    lines = []
    lines.append("| hot path | pymodrt | CPython | CPython/pymodrt | target (DESIGN.md §4) "
                 "| measured | met |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for i, r in enumerate(table):
        if i == n_target:
            lines.append("| *without a target* | | | | | | |")
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["path"], r["pymodrt"], r["cpython"], r["ratio"], r["target"], r["measured"],
            met_text(r["met"]) if i < n_target else "—"))
    met = sum(1 for r in table[:n_target] if r["met"])
    missed = sum(1 for r in table[:n_target] if r["met"] is False)
    unmeasured = n_target - met - missed
    lines.append("")
    lines.append("Targets: %d met, %d missed, %d not measured." % (met, missed, unmeasured))
    return "\n".join(lines)


# ---------------------------------------------------------------- the machine

def machine_info(pdoc, cdoc, runs, min_time):
    ctx = (pdoc or cdoc or {}).get("context", {})
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // (1024 * 1024)
    except (OSError, ValueError, IndexError):
        mem = None
    osname = platform.platform()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"') + ", " + platform.release()
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model, "cpus": ctx.get("num_cpus"), "mhz": ctx.get("mhz_per_cpu"),
        "memory_gib": mem, "os": osname, "compiler": ctx.get("cxx", None),
        "load_avg_start": ctx.get("load_avg"),
        "benchmark_library_build": ctx.get("library_build_type"),
        "pymodrt": (pdoc or {}).get("context", {}).get("runtime", NA),
        "cpython": (cdoc or {}).get("context", {}).get("runtime", NA),
        "runs": runs, "min_time_s": min_time,
    }


def machine_text(m):
    return ("Machine: %s, %s CPUs at %s MHz, %s GiB, %s; %s; %s.  Each program ran %d times, "
            "alternately, --benchmark_min_time=%g; medians.  Google Benchmark library build: %s."
            % (m["cpu"], m["cpus"], m["mhz"], m["memory_gib"], m["os"], m["pymodrt"],
               m["cpython"].split("\n")[0], m["runs"], m["min_time_s"],
               m["benchmark_library_build"]))


# ---------------------------------------------------------------- the chart

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]


def chart(P, C, path):
    import math
    families = [
        ("registry hit: throughput against threads",
         ["registry/import_hit_same", "registry/import_hit_diff",
          "registry/GetModule_same", "registry/GetModule_diff"]),
        ("state access: throughput against threads",
         ["state/PyModule_GetState", "state/GetModuleByDef_defining",
          "state/GetModuleByDef_depth8", "state/GetModuleByToken", "state/PyState_FindModule",
          "state/METH_METHOD_state"]),
    ]
    W, H, pad_l, pad_r, pad_t, pad_b = 560, 380, 70, 220, 40, 50
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (2 * (W + pad_r), H + 30)]
    svg.append('<rect width="100%" height="100%" fill="white"/>')
    for fi, (title, bases) in enumerate(families):
        x0 = fi * (W + pad_r)
        series = []
        for bi, base in enumerate(bases):
            for runs, rt, dash in ((P, "pymodrt", ""), (C, "CPython", "6,4")):
                pts = sorted((th, 1e3 / statistics.median([r["ns"] for r in v]))
                             for (b, th), v in runs.items() if b == base and v)
                if pts:
                    series.append((base.split("/")[1] + " (" + rt + ")", COLORS[bi % len(COLORS)],
                                   dash, pts))
        allx = sorted({th for s in series for th, _ in s[3]}) or [1, 2]
        ally = [y for s in series for _, y in s[3]] or [1, 10]
        lo = math.floor(math.log10(min(ally)))
        hi = math.ceil(math.log10(max(ally)))
        if hi == lo:
            hi += 1
        pw, ph = W - pad_l - 20, H - pad_t - pad_b

        def X(th):
            i = allx.index(th)
            return x0 + pad_l + (pw * i / max(1, len(allx) - 1))

        def Y(v):
            return pad_t + ph - ph * (math.log10(v) - lo) / (hi - lo)

        svg.append('<text x="%d" y="20" font-size="13" font-weight="bold">%s</text>'
                   % (x0 + pad_l, title))
        svg.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>'
                   % (x0 + pad_l, pad_t, pw, ph))
        for e in range(lo, hi + 1):
            y = Y(10 ** e)
            svg.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                       % (x0 + pad_l, x0 + pad_l + pw, y, y))
            svg.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>'
                       % (x0 + pad_l - 5, y + 4, 10 ** e))
        for th in allx:
            svg.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>'
                       % (X(th), pad_t + ph + 15, th))
        svg.append('<text x="%.1f" y="%d" text-anchor="middle">threads</text>'
                   % (x0 + pad_l + pw / 2, pad_t + ph + 32))
        svg.append('<text transform="translate(%d,%d) rotate(-90)" text-anchor="middle">'
                   'million operations / s (all threads, log)</text>'
                   % (x0 + 18, pad_t + ph / 2))
        for si, (label, color, dash, pts) in enumerate(series):
            d = " ".join("%.1f,%.1f" % (X(th), Y(v)) for th, v in pts)
            svg.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>'
                       % (d, color, ' stroke-dasharray="%s"' % dash if dash else ""))
            for th, v in pts:
                svg.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>' % (X(th), Y(v), color))
            ly = pad_t + 14 * si
            lx = x0 + pad_l + pw + 10
            svg.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                       % (lx, lx + 22, ly, ly, color,
                          ' stroke-dasharray="%s"' % dash if dash else ""))
            svg.append('<text x="%d" y="%d">%s</text>' % (lx + 26, ly + 4, label))
    svg.append('<text x="%d" y="%d" fill="#555">solid: pymodrt, dashed: CPython</text>'
               % (pad_l, H + 20))
    svg.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pymodrt", required=True, help="path of pymodrt-bench")
    ap.add_argument("--cpython", required=True, help="path of pymodrt-bench-cpython")
    ap.add_argument("--runs", type=int, default=5, help="runs of each program (default 5)")
    ap.add_argument("--min-time", type=float, default=0.1,
                    help="--benchmark_min_time of each run, seconds (default 0.1)")
    ap.add_argument("--filter", default="", help="--benchmark_filter for both programs")
    ap.add_argument("--out", required=True, help="directory for the results")
    a = ap.parse_args()

    raw = os.path.join(a.out, "raw")
    os.makedirs(raw, exist_ok=True)
    env = dict(os.environ)
    P, C, perr, cerr = {}, {}, {}, {}
    pdoc = cdoc = None
    programs = [("pymodrt", a.pymodrt, P, perr), ("cpython", a.cpython, C, cerr)]
    for r in range(a.runs):
        order = programs if r % 2 == 0 else programs[::-1]
        for tag, exe, into, errs in order:
            print("run %d/%d: %s" % (r + 1, a.runs, tag), file=sys.stderr, flush=True)
            js = os.path.join(raw, "%s-%d.json" % (tag, r + 1))
            rc, doc = run_once(exe, js, os.path.join(raw, "%s-%d.txt" % (tag, r + 1)),
                               a.min_time, a.filter, env)
            if doc is None:
                print("  %s produced no results (exit %d): see %s" % (exe, rc, js[:-5] + ".txt"),
                      file=sys.stderr)
                continue
            if rc != 0:
                print("  %s exited %d (a benchmark failed): see raw/" % (tag, rc),
                      file=sys.stderr)
            collect(doc, into)
            errs.update(errors_of(doc))
            if tag == "pymodrt":
                pdoc = doc
            else:
                cdoc = doc
    if pdoc is None and cdoc is None:
        print("compare: neither program produced results", file=sys.stderr)
        return 2

    table, n_target = rows(P, C)
    machine = machine_info(pdoc, cdoc, a.runs, a.min_time)
    text = render(table, n_target, machine)
    notes = []
    for tag, errs in (("pymodrt", perr), ("CPython", cerr)):
        for base, msg in sorted(errs.items()):
            notes.append("- %s `%s`: %s" % (tag, base, msg))
    md = "%s\n\n%s\n" % (machine_text(machine), text)
    if notes:
        md += "\nNot measured:\n" + "\n".join(notes) + "\n"
    md += ("\nn/a for CPython: the API does not exist in CPython %s (the 3.15 export-hook "
           "protocol, free-threaded attach/detach).\n" % machine["cpython"].split(" ")[1]
           if machine["cpython"] != NA else "")
    print(md)
    with open(os.path.join(a.out, "compare.md"), "w") as f:
        f.write(md)
    series = {}
    for tag, runs in (("pymodrt", P), ("cpython", C)):
        series[tag] = {"%s/threads:%d" % k: [r for r in v] for k, v in sorted(runs.items())}
    with open(os.path.join(a.out, "compare.json"), "w") as f:
        json.dump({"machine": machine, "rows": table, "targets": n_target,
                   "errors": {"pymodrt": perr, "cpython": cerr}, "runs": series}, f, indent=1,
                  ensure_ascii=False)
    chart(P, C, os.path.join(a.out, "compare.svg"))
    print("wrote %s/compare.{md,json,svg} and raw/" % a.out, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
