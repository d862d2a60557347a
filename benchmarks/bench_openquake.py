#!/usr/bin/env python3
"""Side-by-side benchmark of ``kalkan eq run-oq`` and OpenQuake 3.26.2 on the Dushanbe Mw 7.0 scenario-risk case.

Usage::

    bash benchmarks/setup_openquake.sh      # OpenQuake in OQ_VENV (default /work/venvs/openquake), once
    .venv/bin/python benchmarks/bench_openquake.py                      # the default cases (below)
    .venv/bin/python benchmarks/bench_openquake.py 10000:100 --corr 0,1 --kalkan-only none
    .venv/bin/python benchmarks/bench_openquake.py 100000:100:10000:1 --openquake recorded

A case is ``A:N`` (assets : ground-motion fields per GMPE, with ``--sites`` and each of ``--corr``) or
``A:N:S:C`` (S sites, C = 1 for JB2009 spatial correlation). Defaults: 100000:1000 with S=2000, corr 0 and
1; 100000:100 with S=10000, corr 1; and, Kalkan alone (``--kalkan-only``), 100000:100 at 100,000 sites
with correlation. Per case:

1. inputs come from ``/work/shared/bench/oq_bench/make_inputs.py`` (seeded), generated once into the cache
   (``--cache``, default /work/bench-cache/oq, never inside the repository);
2. the analytic expected loss per GMPE is computed by ``summarize.analytic`` (hazardlib) with OpenQuake's
   python, or taken from the recorded OpenQuake results for identical inputs;
3. Kalkan runs ``kalkan eq run-oq DIR/job.ini --out OUT --json`` under ``/usr/bin/time -v`` (wall time and
   peak RSS of the whole process);
4. OpenQuake runs through ``/work/shared/bench/oq_bench.sh`` (wall time of ``oq engine --run`` and peak RSS
   summed over its process tree). If it cannot run, the recorded figures in ``oq_bench/results/`` stand
   in, marked "recorded" in the output.

Before each timed run the script waits (up to ``--max-wait`` s) for the 1-minute load to fall below
``--load-threshold`` and records it. Results: CACHE/results.json and CACHE/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
KIT = Path(os.environ.get("OQ_BENCH_KIT", "/work/shared/bench"))
BENCH = KIT / "oq_bench"
RECORDED = BENCH / "results"
KALKAN = REPO / ".venv" / "bin" / "kalkan"
OQ_VENV = Path(os.environ.get("OQ_VENV", "/work/venvs/openquake"))
DEFAULT_CASES = ("100000:1000:2000:0", "100000:1000:2000:1", "100000:100:10000:1")
WARMUP = ("2000:10:500:0", "2000:10:500:1")  # both GMF paths (with and without correlation)
Json = dict[str, Any]

ANALYTIC = """
import json, sys
sys.path.insert(0, sys.argv[1])
from summarize import analytic
p = json.load(open(sys.argv[2] + '/params.json'))
out, _ = analytic(sys.argv[2], p, p['gsims'])
print(json.dumps({g: float(v['expected_loss']) for g, v in out.items()}))
"""


@dataclass(frozen=True)
class Case:
    assets: int
    fields: int
    sites: int
    corr: int

    @property
    def key(self) -> str:  # oq_bench.sh's run-folder name
        return f"A{self.assets}_N{self.fields}_S{self.sites}_corr{self.corr}"

    def args(self) -> list[str]:  # make_inputs.py's options
        return ["--assets", str(self.assets), "--sites", str(self.sites), "--gmfs", str(self.fields),
                "--corr", str(self.corr)]  # fmt: skip


def parse_cases(specs: list[str], sites: int, corrs: list[int]) -> list[Case]:
    out = []
    for spec in specs:
        f = [int(x) for x in spec.split(":")]
        if len(f) == 2:
            out += [Case(f[0], f[1], sites, c) for c in corrs]
        elif len(f) == 4:
            out.append(Case(*f))
        else:
            raise SystemExit(f"bad case {spec!r}: use A:N or A:N:S:C")
    return out


def log(msg: str) -> None:
    print(f"[bench_openquake {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def wait_for_quiet(threshold: float, max_wait: float) -> Json:
    t0 = time.monotonic()
    while (load := os.getloadavg()[0]) >= threshold and time.monotonic() - t0 < max_wait:
        time.sleep(10)
    if load >= threshold and max_wait > 0:
        log(f"load {load:.2f} still >= {threshold} after {max_wait:.0f} s: running anyway")
    return {"loadavg_1m": round(load, 2), "waited_s": round(time.monotonic() - t0, 1)}


def run(cmd: list[str], logfile: Path, env: dict[str, str] | None = None) -> tuple[int, float]:
    """Run ``cmd`` with stdout+stderr to ``logfile``; return (exit status, wall seconds)."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with logfile.open("w") as fh:
        rc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, check=False).returncode  # noqa: S603
    return rc, time.perf_counter() - t0


def machine_facts() -> Json:
    meminfo = Path("/proc/meminfo").read_text()
    cpuinfo = Path("/proc/cpuinfo").read_text()
    mem = re.search(r"MemTotal:\s+(\d+)", meminfo)
    cpu = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    return {
        "nproc": len(os.sched_getaffinity(0)), "mem_total_gib": round(int(mem.group(1)) / 2**20, 1) if mem else None,
        "cpu_model": cpu.group(1).strip() if cpu else platform.processor(), "kernel": platform.release(),
        "python": platform.python_version(),
    }  # fmt: skip


def gen_inputs(case: Case, cache: Path) -> Path:
    d = cache / "inputs" / case.key
    if not (d / "job.ini").exists() or not (d / "params.json").exists():
        cmd = [sys.executable, str(BENCH / "make_inputs.py"), *case.args(), "--out", str(d)]
        log(f"generating inputs {case.key}")
        if run(cmd, cache / "logs" / f"inputs_{case.key}.log")[0]:
            raise SystemExit(f"make_inputs.py failed: see {cache}/logs/inputs_{case.key}.log")
    return d


def recorded_oq(case: Case, inputs: Path) -> Json | None:
    """OpenQuake 3.26.2's recorded run for identical inputs (same params.json), if there is one."""
    d = RECORDED / case.key
    if not (d / "results.json").exists() or json.loads((d / "params.json").read_text()) != json.loads(
        (inputs / "params.json").read_text()
    ):
        return None
    return {"dir": str(d), "results": json.loads((d / "results.json").read_text()),
            "timing": (d / "timing.txt").read_text().split()}  # fmt: skip


def analytic(case: Case, inputs: Path, cache: Path) -> Json | None:
    """Analytic E[loss] per GMPE (summarize.analytic with OpenQuake's hazardlib), cached next to the inputs."""
    f = inputs / "analytic.json"
    if f.exists():
        return dict(json.loads(f.read_text()))
    py = OQ_VENV / "bin" / "python"
    if py.exists():
        cmd = [str(py), "-c", ANALYTIC, str(BENCH), str(inputs)]
        p = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        if p.returncode == 0:
            res = {"expected_loss": json.loads(p.stdout.strip().splitlines()[-1]), "source": "hazardlib (live)",
                   "command": shlex.join([*cmd[:2], "<summarize.analytic snippet>", *cmd[3:]])}  # fmt: skip
            f.write_text(json.dumps(res, indent=1))
            return res
        (cache / "logs" / f"analytic_{case.key}.log").write_text(p.stdout + p.stderr)
    rec = recorded_oq(case, inputs)
    if rec is None:
        return None
    return {"expected_loss": {r["gsim"]: r["analytic_expected_loss"] for r in rec["results"]["rlzs"]},
            "source": f"recorded ({rec['dir']}/results.json)"}  # fmt: skip


def stats(losses: np.ndarray, expected: float | None) -> Json:
    n, m, s = losses.size, float(losses.mean()), float(losses.std(ddof=1))
    out = {"n_events": n, "mean_event_loss": m, "std_event_loss": s}
    if expected:
        out |= {"analytic": expected, "ratio": m / expected, "z": (m - expected) / (s / np.sqrt(n))}
    return out


def run_kalkan(case: Case, inputs: Path, cache: Path, ana: Json | None, opts: argparse.Namespace) -> Json:
    out = cache / "kalkan" / case.key
    shutil.rmtree(out, ignore_errors=True)
    tfile = cache / "logs" / f"kalkan_{case.key}.time"
    cmd = ["/usr/bin/time", "-v", "-o", str(tfile), str(KALKAN), "eq", "run-oq", str(inputs / "job.ini"),
           "--out", str(out), "--json"]  # fmt: skip
    load = wait_for_quiet(opts.load_threshold, opts.max_wait if opts.timed else 0)
    log(f"kalkan {case.key} (load {load})")
    rc, wall = run(cmd, cache / "logs" / f"kalkan_{case.key}.log")
    if rc:
        raise SystemExit(f"kalkan failed (rc {rc}): see {cache}/logs/kalkan_{case.key}.log")
    tv = tfile.read_text()
    m_rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv)
    m_wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", tv)
    assert m_rss and m_wall
    summary = json.loads((out / "summary.json").read_text())
    t = pq.read_table(out / "event_losses.parquet", columns=["gsim", "loss"]).to_pydict()
    gsim, loss = np.asarray(t["gsim"]), np.asarray(t["loss"], dtype=np.float64)
    exp = (ana or {}).get("expected_loss", {})
    per = {g: stats(loss[gsim == g], exp.get(g)) for g in summary["avg_loss_per_rlz"]}
    return {"command": shlex.join(cmd), "load_before": load,
            "wall_s": sum(float(x) * 60**i for i, x in enumerate(reversed(m_wall.group(1).split(":")))),
            "wall_s_outside": round(wall, 2), "peak_rss_mib": int(m_rss.group(1)) / 1024,
            "peak_rss_mib_self_reported": summary["peak_rss_mib"], "timings_s": summary["timings_s"],
            "total_avg_loss": summary["total_avg_loss"], "events": summary["events"], "per_gsim": per,
            "out": str(out)}  # fmt: skip


def run_openquake(case: Case, inputs: Path, cache: Path, ana: Json | None, opts: argparse.Namespace) -> Json | None:
    root = cache / "openquake_runs"
    rdir, live, load, cmd_s, why = root / case.key, False, None, None, ""
    if opts.openquake == "reuse" and (rdir / "timing.txt").exists() and (rdir / "results.json").exists():
        live, cmd_s = True, f"(reused {rdir})"
    elif opts.openquake in ("run", "reuse"):
        if (OQ_VENV / "bin" / "oq").exists():
            cmd = [str(KIT / "oq_bench.sh"), "-o", str(root), "-s", str(case.sites), "-c", str(case.corr),
                   f"{case.assets}:{case.fields}"]  # fmt: skip
            env = os.environ | {"OQ_VENV": str(OQ_VENV), "CI": "1"}
            cmd_s = f"OQ_VENV={OQ_VENV} CI=1 {shlex.join(cmd)}"
            load = wait_for_quiet(opts.load_threshold, opts.max_wait if opts.timed else 0)
            log(f"openquake {case.key} (load {load})")
            rc, _ = run(cmd, cache / "logs" / f"openquake_{case.key}.log", env)
            live = rc == 0 and (rdir / "results.json").exists()
            why = "" if live else f"oq_bench.sh failed (rc {rc}, see {cache}/logs/openquake_{case.key}.log)"
        else:
            why = f"no OpenQuake in {OQ_VENV} (run benchmarks/setup_openquake.sh)"
    if live:
        res, timing = json.loads((rdir / "results.json").read_text()), (rdir / "timing.txt").read_text().split()
        source = "live"
    elif opts.openquake == "skip" or (rec := recorded_oq(case, inputs)) is None:
        if why:
            log(f"OpenQuake side missing for {case.key}: {why}")
        return None
    else:
        res, timing, source = rec["results"], rec["timing"], f"recorded ({rec['dir']})"
        log(f"OpenQuake {case.key}: using the RECORDED figures {why}")
    exp = (ana or {}).get("expected_loss", {})
    per = {}
    for r in res["rlzs"]:
        n, m, s = r["n_events"], r["mean_event_loss"], r["std_event_loss"]
        per[r["gsim"]] = {"n_events": n, "mean_event_loss": m, "std_event_loss": s}
        if e := exp.get(r["gsim"]):
            per[r["gsim"]] |= {"analytic": e, "ratio": m / e, "z": (m - e) / (s / np.sqrt(n))}
    return {"source": source, "why_not_live": why or None, "command": cmd_s, "load_before": load,
            "wall_s": float(timing[0]), "peak_rss_mib": float(timing[1]), "cpu_s": float(timing[2]),
            "load_at_start": float(timing[3]), "total_avg_loss": res["total_average_loss"], "per_gsim": per,
            "engine_time_by_operation": res.get("engine_time_by_operation")}  # fmt: skip


def std_changes(records: list[Json]) -> list[Json]:
    """For each (A, N, S) with corr 0 and corr 1: std(corr1) / std(corr0) - 1 per engine and GMPE."""
    by = {(r["case"]["assets"], r["case"]["fields"], r["case"]["sites"], r["case"]["corr"]): r for r in records}
    out = []
    for (a, n, s, c), r1 in by.items():
        if c != 1 or (r0 := by.get((a, n, s, 0))) is None:
            continue
        for eng in ("kalkan", "openquake"):
            if r0.get(eng) and r1.get(eng):
                for g, v1 in r1[eng]["per_gsim"].items():
                    v0 = r0[eng]["per_gsim"][g]
                    out.append({"case": f"{a}:{n} S={s}", "engine": eng, "gsim": g, "std_corr0": v0["std_event_loss"],
                                "std_corr1": v1["std_event_loss"],
                                "change": v1["std_event_loss"] / v0["std_event_loss"] - 1})  # fmt: skip
    return out


def fmt_mib(x: float) -> str:
    return f"{x / 1024:.2f} GiB"


def _fmt(v: Json, key: str, spec: str) -> str:
    return format(v[key], spec) if key in v else "-"


def _row(*cells: object) -> str:
    return "| " + " | ".join(map(str, cells)) + " |"


def markdown(doc: Json) -> str:
    m = doc["machine"]
    lines = [
        "# Kalkan `eq run-oq` vs OpenQuake 3.26.2: Dushanbe Mw 7.0 scenario risk", "",
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['mem_total_gib']} GiB; kalkan {doc['kalkan_version']}, "
        f"OpenQuake {doc['openquake_version'] or 'not installed'}. Generated {doc['date']}.", "",
        "Wall time and peak memory are of the whole process (Kalkan: `/usr/bin/time -v`; OpenQuake: "
        "`oq engine --run`, RSS summed over its process tree). Ratios are OpenQuake / Kalkan.", "",
        _row("case (assets:fields, sites, corr)", "Kalkan wall", "OQ wall", "wall ratio", "Kalkan peak", "OQ peak",
             "memory ratio", "load before (K / OQ)", "OpenQuake figures"),
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]  # fmt: skip
    for r in doc["cases"]:
        c, k, o = r["case"], r["kalkan"], r.get("openquake")
        name = f"{c['assets']}:{c['fields']}, S={c['sites']}, corr={c['corr']}"
        kl = k["load_before"]["loadavg_1m"]
        if o:
            ol = (o["load_before"] or {}).get("loadavg_1m", o["load_at_start"])
            wr, mr = o["wall_s"] / k["wall_s"], o["peak_rss_mib"] / k["peak_rss_mib"]
            lines.append(_row(name, f"{k['wall_s']:.1f} s", f"{o['wall_s']:.1f} s", f"{wr:.1f}x",
                              fmt_mib(k["peak_rss_mib"]), fmt_mib(o["peak_rss_mib"]), f"{mr:.1f}x", f"{kl} / {ol}",
                              o["source"].split()[0]))  # fmt: skip
        else:
            lines.append(_row(f"{name} (Kalkan only)", f"{k['wall_s']:.1f} s", "-", "-", fmt_mib(k["peak_rss_mib"]),
                              "-", "-", f"{kl} / -", "-"))  # fmt: skip
    lines += ["", "Per-GMPE mean event loss vs the analytic expectation (z = (mean - E) / (std / sqrt(N))):", "",
              _row("case", "GMPE", "analytic E[loss]", "Kalkan mean", "K/E", "K z", "OQ mean", "OQ/E", "OQ z",
                   "Kalkan std", "OQ std"),
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in doc["cases"]:
        c, k, o = r["case"], r["kalkan"], r.get("openquake")
        for g, kv in k["per_gsim"].items():
            ov = (o or {}).get("per_gsim", {}).get(g, {})
            lines.append(_row(
                f"{c['assets']}:{c['fields']} S={c['sites']} c{c['corr']}", g, _fmt(kv, "analytic", ".4e"),
                _fmt(kv, "mean_event_loss", ".4e"), _fmt(kv, "ratio", ".4f"), _fmt(kv, "z", "+.2f"),
                _fmt(ov, "mean_event_loss", ".4e"), _fmt(ov, "ratio", ".4f"), _fmt(ov, "z", "+.2f"),
                _fmt(kv, "std_event_loss", ".3e"), _fmt(ov, "std_event_loss", ".3e")))  # fmt: skip
    if doc["std_change_corr1_vs_corr0"]:
        lines += ["", "Spatial correlation (JB2009) vs none: change in the std of event losses:", "",
                  _row("case", "engine", "GMPE", "std corr=0", "std corr=1", "change"),
                  "|---|---|---|---:|---:|---:|"]  # fmt: skip
        lines += [_row(s["case"], s["engine"], s["gsim"], f"{s['std_corr0']:.3e}", f"{s['std_corr1']:.3e}",
                       f"{s['change']:+.1%}") for s in doc["std_change_corr1_vs_corr0"]]  # fmt: skip
    lines += ["", "Commands:", ""]
    for r in doc["cases"]:
        lines += [f"- `{r['inputs_command']}`", f"- `{r['kalkan']['command']}`"]
        if r.get("openquake"):
            lines.append(f"- `{r['openquake']['command']}` ({r['openquake']['source']})")
        if r.get("analytic"):
            lines.append(f"- analytic: {r['analytic'].get('command', r['analytic']['source'])}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cases", nargs="*", default=list(DEFAULT_CASES), help="A:N or A:N:S:C")
    ap.add_argument("--sites", type=int, default=2000, help="sites S for A:N cases")
    ap.add_argument("--corr", default="0,1", help="correlation settings for A:N cases")
    ap.add_argument("--kalkan-only", default="100000:100:100000:1", help="A:N:S:C cases run by Kalkan alone, or none")
    ap.add_argument("--openquake", choices=("run", "reuse", "recorded", "skip"), default="run",
                    help="run OpenQuake live (falls back to the recorded figures), reuse a live run in the cache, "
                    "use the recorded figures, or leave it out")  # fmt: skip
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("OQ_BENCH_CACHE", "/work/bench-cache/oq")))
    ap.add_argument("--load-threshold", type=float, default=0.7)
    ap.add_argument("--max-wait", type=float, default=600.0)
    ap.add_argument("--no-wait", dest="timed", action="store_false", help="do not wait for a quiet machine")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false", help="skip the untimed JIT warm-up runs")
    opts = ap.parse_args(argv)
    cache = opts.cache.resolve()
    if cache.is_relative_to(REPO):
        raise SystemExit(f"--cache {cache} must be outside the repository")
    (cache / "logs").mkdir(parents=True, exist_ok=True)
    corrs = [int(c) for c in opts.corr.replace(",", " ").split()]
    cases = [(c, True) for c in parse_cases(opts.cases, opts.sites, corrs)]
    if opts.kalkan_only != "none":
        cases += [(c, False) for c in parse_cases(opts.kalkan_only.split(","), opts.sites, corrs)]
    oq_ver = None
    if (OQ_VENV / "bin" / "oq").exists():
        p = subprocess.run([str(OQ_VENV / "bin" / "oq"), "--version"], capture_output=True, text=True,  # noqa: S603
                           env=os.environ | {"CI": "1"}, check=False)  # fmt: skip
        oq_ver = p.stdout.strip().splitlines()[-1] if p.returncode == 0 and p.stdout.strip() else None
    if opts.warmup:  # fill Numba's on-disk caches so that no timed run pays for compilation
        log("warm-up (untimed)")
        for w in parse_cases(list(WARMUP), 0, []):
            d = gen_inputs(w, cache)
            run([str(KALKAN), "eq", "run-oq", str(d / "job.ini"), "--out", str(cache / "kalkan" / w.key), "--json"],
                cache / "logs" / f"warmup_kalkan_{w.key}.log")  # fmt: skip
            if opts.openquake in ("run", "reuse") and oq_ver:
                run([str(KIT / "oq_bench.sh"), "-o", str(cache / "warmup"), "-s", str(w.sites), "-c", str(w.corr),
                     f"{w.assets}:{w.fields}"], cache / "logs" / f"warmup_openquake_{w.key}.log",
                    os.environ | {"OQ_VENV": str(OQ_VENV), "CI": "1"})  # fmt: skip
    records = []
    for case, with_oq in cases:
        inputs = gen_inputs(case, cache)
        ana = analytic(case, inputs, cache) if with_oq else None
        rec: Json = {"case": case.__dict__, "kalkan_only": not with_oq, "inputs": str(inputs), "analytic": ana,
                     "inputs_command": shlex.join([sys.executable, str(BENCH / "make_inputs.py"), *case.args(),
                                                   "--out", str(inputs)])}  # fmt: skip
        rec["kalkan"] = run_kalkan(case, inputs, cache, ana, opts)
        if with_oq:
            rec["openquake"] = run_openquake(case, inputs, cache, ana, opts)
        records.append(rec)
        log(f"{case.key}: kalkan {rec['kalkan']['wall_s']:.1f} s {fmt_mib(rec['kalkan']['peak_rss_mib'])}"
            + (f"; openquake {o['wall_s']:.1f} s {fmt_mib(o['peak_rss_mib'])} ({o['source']})"
               if (o := rec.get("openquake")) else ""))  # fmt: skip
    doc = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine_facts(),
           "kalkan_version": __import__("kalkan").__version__, "openquake_version": oq_ver,
           "openquake_venv": str(OQ_VENV), "load_threshold": opts.load_threshold, "cases": records,
           "std_change_corr1_vs_corr0": std_changes(records), "argv": sys.argv}  # fmt: skip
    (cache / "results.json").write_text(json.dumps(doc, indent=1, default=float))
    (cache / "results.md").write_text(markdown(doc))
    log(f"wrote {cache}/results.json and results.md")
    print(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
