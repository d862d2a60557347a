#!/usr/bin/env python3
"""Side-by-side benchmarks of Kalkan and CLIMADA 6.1 on the same synthetic inputs.

Run with Kalkan's virtualenv (``.venv/bin/python benchmarks/bench_climada.py``). CLIMADA never enters
Kalkan's environment: it runs in its own virtualenv (``benchmarks/setup_climada.sh``) through the shared
harness ``climada_bench.py``, each timing in a fresh process. Per case:

1. inputs are generated once (``climada_bench.py --generate-only --save DIR``) into a cache folder;
2. CLIMADA is timed with ``--load DIR --mode nomat`` (and ``--mode mat --local-exceedance`` for the
   return-period-map case); its per-event and per-exposure results come back through ``--save``;
3. Kalkan runs ``kalkan risk run --case DIR --out OUT`` (``--rp-maps`` for the map case);
4. the results are compared and a memory-bandwidth bound (one pass over the hazard's data and indices
   arrays) is measured;
5. a JSON document and a Markdown table are written.

Before each timing the script waits (up to ``--max-wait`` s) for the 1-minute load to fall below
``--load-threshold`` and records it: other work may share the cores.
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
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parents[1]
HARNESS = Path(os.environ.get("CLIMADA_BENCH", "/work/shared/bench/climada_bench.py"))
CACHE = Path(os.environ.get("BENCH_CACHE", "/work/bench-cache"))
CLIMADA_VENV = Path(os.environ.get("CLIMADA_VENV", "/work/venvs/climada"))
KALKAN = REPO / ".venv" / "bin" / "kalkan"
RP_MAPS = (10, 100, 1000)
# inputs written by the harness that a results folder need not keep (they are in the case folder)
_DUPLICATE_INPUTS = ("exposures.csv", "hazard.npz", "impact_function.csv")

Json = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One benchmark case: the harness's generation parameters and what to run on it."""

    name: str
    assets: int
    events: int
    centroids: int = 10_000
    density: float = 0.2
    seed: int = 42
    climada: bool = True  # time CLIMADA's ImpactCalc.impact(save_mat=False)
    rp_maps: bool = False  # per-asset return-period maps instead of the plain run
    stream: bool = False  # force Kalkan's streaming (event-chunked) hazard reading
    what: str = ""

    @property
    def key(self) -> str:
        """Cache folder name: the generation parameters (cases with equal parameters share inputs)."""
        return f"a{self.assets}_e{self.events}_c{self.centroids}_d{self.density:g}_s{self.seed}_eq"

    def generate_args(self) -> list[str]:
        """Size options for ``climada_bench.py``."""
        return [
            "--assets", str(self.assets), "--events", str(self.events),
            "--centroids", str(self.centroids), "--density", str(self.density),
            "--seed", str(self.seed), "--hazard", "eq",
        ]  # fmt: skip


CASES: dict[str, Case] = {
    c.name: c
    for c in (
        Case("smoke", 5_000, 1_000, what="smoke: 5k assets x 1k events, 2 M non-zeros"),
        Case("100k", 100_000, 10_000, what="100k assets x 10k events, density 0.2, 20 M non-zeros"),
        Case("1m", 1_000_000, 10_000, what="1M assets x 10k events, density 0.2, 20 M non-zeros"),
        Case(
            "rpmap", 10_000, 2_000, rp_maps=True,
            what="per-asset return-period maps (10, 100, 1000 y): CLIMADA local_exceedance_impact "
            "vs kalkan --rp-maps",
        ),
        Case(
            "stream-250k", 100_000, 250_000, centroids=2_500, density=0.05, climada=False, stream=True,
            what="Kalkan alone: 100k assets x 250k events over 2,500 centroids (31 M non-zeros)",
        ),
        Case(
            "stream-1m", 100_000, 1_000_000, centroids=2_500, density=0.05, climada=False, stream=True,
            what="Kalkan alone: 100k assets x 1M events over 2,500 centroids (125 M non-zeros)",
        ),
    )
}  # fmt: skip


class StepError(RuntimeError):
    """A step that could not run; the message says why and what to do."""


# ----------------------------------------------------------------------------------------------------
# machine, load and subprocesses
# ----------------------------------------------------------------------------------------------------
def load_1m() -> float:
    """The 1-minute load average."""
    return round(os.getloadavg()[0], 2)


def wait_for_quiet(threshold: float, max_wait: float, poll: float = 10.0) -> Json:
    """Wait until the 1-minute load is below ``threshold`` (at most ``max_wait`` s); report the load."""
    t0 = time.monotonic()
    load = load_1m()
    while load >= threshold and time.monotonic() - t0 < max_wait:
        time.sleep(poll)
        load = load_1m()
    waited = round(time.monotonic() - t0, 1)
    if load >= threshold:
        log(f"load {load} still >= {threshold} after {waited} s: running anyway")
    return {"loadavg_1m": load, "waited_s": waited, "quiet": load < threshold}


def machine_facts() -> Json:
    """nproc, memory, CPU model and versions, for the results."""
    mem_gib = None
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal"):
                mem_gib = round(int(line.split()[1]) / 2**20, 1)
    cpu = platform.processor()
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "mem_total_gib": mem_gib,
        "cpu_model": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


@dataclass
class Proc:
    """Outcome of one measured subprocess."""

    cmd: list[str]
    rc: int
    wall_s: float
    max_rss_mib: float
    stdout: Path
    stderr: Path

    def tail(self, n: int = 15) -> str:
        """Last lines of stderr (and stdout) for error messages."""
        text = self.stderr.read_text(errors="replace").splitlines()[-n:]
        text += self.stdout.read_text(errors="replace").splitlines()[-n:]
        return "\n".join(text)


def run_measured(cmd: Sequence[str], logs: Path, stem: str, timeout: float | None = None) -> Proc:
    """Run ``cmd`` with stdout/stderr to ``logs/stem.{out,err}``; measure its wall time and peak RSS."""
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / f"{stem}.out", logs / f"{stem}.err"
    shown = [a if "\n" not in a else "<script>" for a in cmd]
    log("$ " + shlex.join(shown))
    with out.open("w") as fo, err.open("w") as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=fo, stderr=fe)  # noqa: S603 (our own commands)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # per-child rusage: ru_maxrss of this process only
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Proc(list(cmd), proc.returncode, round(wall, 3), round(usage.ru_maxrss / 1024, 1), out, err)


def log(msg: str) -> None:
    """Progress on stderr."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------------------
def generation_python(explicit: str | None) -> str:
    """A Python with numpy, scipy and pandas for the generator (Kalkan's venv has no pandas)."""
    candidates = [explicit] if explicit else [str(CLIMADA_VENV / "bin" / "python"), sys.executable, "python3"]
    for py in candidates:
        if py and shutil.which(py) and _has_modules(py, ("numpy", "scipy", "pandas")):
            return py
    raise StepError(f"no Python with numpy, scipy and pandas among {candidates}: pass --gen-python")


def _has_modules(py: str, mods: Sequence[str]) -> bool:
    code = "import " + ", ".join(mods)
    return subprocess.run([py, "-c", code], capture_output=True, check=False).returncode == 0  # noqa: S603


def ensure_inputs(case: Case, cache: Path, gen_py: str, timeout: float) -> Path:
    """Generate the case's inputs into ``cache/cases/KEY`` unless already there; return the folder."""
    folder = cache / "cases" / case.key
    if (folder / "manifest.json").is_file() and (folder / "hazard.npz").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{case.key}.", dir=folder.parent))
    cmd = [gen_py, str(HARNESS), "--generate-only", "--save", str(tmp), *case.generate_args()]
    p = run_measured(cmd, cache / "logs", f"generate_{case.key}", timeout)
    if p.rc != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StepError(f"input generation failed (rc {p.rc}):\n{p.tail()}")
    tmp.rename(folder)  # atomic: a half-written case never looks complete
    log(f"inputs for {case.name} in {folder} ({p.wall_s:.0f} s)")
    return folder


# ----------------------------------------------------------------------------------------------------
# CLIMADA
# ----------------------------------------------------------------------------------------------------
def climada_python(venv: Path) -> str:
    """CLIMADA's interpreter, or a clear error."""
    py = venv / "bin" / "python"
    if not py.exists():
        raise StepError(f"no CLIMADA virtualenv at {venv}: run benchmarks/setup_climada.sh (or set CLIMADA_VENV)")
    return str(py)


def run_climada(case_dir: Path, venv: Path, mode: str, local_exceedance: bool, opts: argparse.Namespace) -> Json:
    """Time CLIMADA on the case in a fresh process (or reuse a stored run); return its JSON and paths."""
    tag = f"climada_{mode}" + ("_lx" if local_exceedance else "")
    res_dir = case_dir / tag
    expected = res_dir / "expected.json"
    if opts.climada == "auto" and expected.is_file() and (res_dir / "at_event.npy").is_file():
        log(f"reusing {expected} (--climada run re-times it)")
        out: Json = json.loads(expected.read_text())
        out["reused"] = True
    else:
        py = climada_python(venv)
        cmd = [py, str(HARNESS), "--load", str(case_dir), "--mode", mode, "--save", str(res_dir)]
        if local_exceedance:
            cmd.append("--local-exceedance")
        load = wait_for_quiet(opts.load_threshold, opts.max_wait)
        p = run_measured(cmd, opts.cache / "logs", f"{tag}_{case_dir.name}", opts.timeout)
        if p.rc != 0:
            raise StepError(f"CLIMADA failed (rc {p.rc}):\n{p.tail()}")
        out = json.loads(p.stdout.read_text())
        out["reused"] = False
        out["command"] = shlex.join(cmd)
        out["load_before"] = load
        out["process_max_rss_mib"] = p.max_rss_mib
        out["process_wall_s"] = p.wall_s
        for name in _DUPLICATE_INPUTS:
            (res_dir / name).unlink(missing_ok=True)
        expected.write_text(json.dumps(out, indent=2))
    out["results_dir"] = str(res_dir)
    return out


# Per-asset local exceedance impacts from CLIMADA, saved for comparison (run in CLIMADA's venv; the
# harness itself only keeps their sum). Arguments: harness folder, case folder, output .npy, RPs.
_CLIMADA_RP_MAPS = """
import sys, warnings
import numpy as np, pandas as pd
from scipy import sparse
sys.path.insert(0, sys.argv[1])
import climada_bench as cb
from climada.engine import ImpactCalc
from climada.entity import Exposures, ImpactFunc, ImpactFuncSet
from climada.hazard import Centroids, Hazard
ex, hz, tab = cb.load_case(sys.argv[2])
rps = [int(r) for r in sys.argv[4].split(",")]
ht, shape = str(hz["haz_type"]), tuple(int(v) for v in hz["shape"])
haz = Hazard(haz_type=ht, units=str(hz["units"]),
             centroids=Centroids(lat=hz["centroid_lat"], lon=hz["centroid_lon"]),
             event_id=hz["event_id"].astype(int), frequency=hz["frequency"],
             event_name=[str(i) for i in hz["event_id"]], date=np.ones(shape[0], dtype=int),
             orig=np.ones(shape[0], dtype=bool),
             intensity=sparse.csr_matrix((hz["data"], hz["indices"], hz["indptr"]), shape=shape))
exp = Exposures(data=pd.DataFrame({"value": ex["value"].values, "impf_" + ht: 1}),
                lat=ex["lat"].values, lon=ex["lon"].values, value_unit="USD")
impf = ImpactFunc(haz_type=ht, id=1, intensity=tab["intensity"].values, mdd=tab["mdd"].values,
                  paa=tab["paa"].values, intensity_unit=str(hz["units"]), name="synthetic")
exp.assign_centroids(haz)
imp = ImpactCalc(exp, ImpactFuncSet([impf]), haz).impact(save_mat=True, assign_centroids=False)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    gdf, _, _ = imp.local_exceedance_impact(return_periods=rps)
np.save(sys.argv[3], np.column_stack([gdf[str(r)].to_numpy(dtype=float) for r in rps]))
"""


def climada_rp_map_values(case_dir: Path, venv: Path, opts: argparse.Namespace) -> NDArray[np.float64]:
    """CLIMADA's per-asset local exceedance impacts (assets x RP_MAPS), cached beside its results."""
    path = case_dir / "climada_mat_lx" / "local_exceedance_impact.npy"
    if not path.is_file() or opts.climada == "run":
        path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [climada_python(venv), "-c", _CLIMADA_RP_MAPS, str(HARNESS.parent), str(case_dir), str(path),
               ",".join(map(str, RP_MAPS))]  # fmt: skip
        p = run_measured(cmd, opts.cache / "logs", f"climada_rp_maps_{case_dir.name}", opts.timeout)
        if p.rc != 0:
            raise StepError(f"CLIMADA local_exceedance_impact failed (rc {p.rc}):\n{p.tail()}")
    return np.asarray(np.load(path), dtype=np.float64)


# ----------------------------------------------------------------------------------------------------
# Kalkan
# ----------------------------------------------------------------------------------------------------
def kalkan_help(kalkan: str) -> str:
    """Help text of ``kalkan risk run``, or a StepError saying that the command does not exist yet."""
    if not Path(kalkan).exists() and not shutil.which(kalkan):
        raise StepError(f"no Kalkan executable at {kalkan}: install Kalkan (make venv) or pass --kalkan")
    p = subprocess.run(  # noqa: S603
        [kalkan, "risk", "run", "--help"], capture_output=True, text=True, check=False, env=_plain_env()
    )
    if p.returncode != 0 or "--case" not in p.stdout:
        raise StepError(
            "Kalkan has no `kalkan risk run --case DIR --out OUT` command yet (the CLI contract these "
            "benchmarks use: OUT/summary.json, OUT/event_losses.parquet, OUT/asset_aal.parquet); "
            f"`{kalkan} risk run --help` said:\n" + (p.stderr or p.stdout).strip()[-800:]
        )
    return p.stdout


def _plain_env() -> dict[str, str]:
    """Environment for Kalkan's CLI: wide terminal so that help text does not wrap option names."""
    return {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def run_kalkan(
    case_dir: Path,
    out_dir: Path,
    opts: argparse.Namespace,
    rp_maps: bool = False,
    stream: bool = False,
    timed: bool = True,
) -> Json:
    """Run ``kalkan risk run`` on the case in a fresh process; return summary.json plus measurements."""
    help_text = kalkan_help(opts.kalkan)
    cmd = [opts.kalkan, "risk", "run", "--case", str(case_dir), "--out", str(out_dir)]
    if rp_maps:
        if "--rp-maps" not in help_text:
            raise StepError("`kalkan risk run` has no --rp-maps option yet: per-asset RP maps skipped")
        cmd += ["--rp-maps", ",".join(map(str, RP_MAPS))]
    if stream:
        if "--stream" not in help_text:
            raise StepError("`kalkan risk run` has no --stream option: streaming case skipped")
        cmd.append("--stream")
    if "--no-record" in help_text:
        cmd.append("--no-record")  # no database side effects from benchmarks
    shutil.rmtree(out_dir, ignore_errors=True)
    load = wait_for_quiet(opts.load_threshold, opts.max_wait) if timed else {"loadavg_1m": load_1m()}
    p = run_measured(cmd, opts.cache / "logs", f"kalkan_{out_dir.name}_{case_dir.name}", opts.timeout)
    if p.rc != 0:
        raise StepError(f"`{shlex.join(cmd)}` failed (rc {p.rc}):\n{p.tail()}")
    summary_path = out_dir / "summary.json"
    if not summary_path.is_file():
        raise StepError(f"Kalkan wrote no {summary_path}")
    summary: Json = json.loads(summary_path.read_text())
    return {
        "command": shlex.join(cmd),
        "load_before": load,
        "summary": summary,
        "process_wall_s": p.wall_s,
        "process_max_rss_mib": p.max_rss_mib,
        "out_dir": str(out_dir),
    }


def kalkan_warmup(case_dir: Path, opts: argparse.Namespace) -> None:
    """One untimed run so that Numba's on-disk cache is filled before the timed runs."""
    run_kalkan(case_dir, opts.cache / "runs" / "warmup", opts, timed=False)


# ----------------------------------------------------------------------------------------------------
# comparison and bound
# ----------------------------------------------------------------------------------------------------
def rel_diff(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """max |a - b| / max |b| (the harness's measure; b is the reference)."""
    scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1e-300)
    return float(np.max(np.abs(a - b)) / scale) if a.size else 0.0


def rel_diff_elementwise(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """max over entries with b != 0 of |a - b| / |b|."""
    nz = b != 0
    return float(np.max(np.abs(a[nz] - b[nz]) / np.abs(b[nz]))) if nz.any() else 0.0


def _read_parquet(path: Path) -> Json:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return {name: table.column(name).to_numpy() for name in table.column_names}


def _by_id(ids: NDArray[Any], values: NDArray[Any], order: NDArray[Any]) -> NDArray[np.float64]:
    """Values re-ordered to ``order`` (ids missing from ``ids`` get 0)."""
    out = np.zeros(order.size, dtype=np.float64)
    pos = {int(k): i for i, k in enumerate(order)}
    idx = np.fromiter((pos.get(int(k), -1) for k in ids), dtype=np.int64, count=len(ids))
    if (idx < 0).any():
        raise StepError(f"{int((idx < 0).sum())} ids in Kalkan's output are not in the case")
    out[idx] = values
    return out


def case_ids(case_dir: Path) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Event ids (hazard row order) and asset ids (exposure row order) of a case."""
    import pyarrow.csv as pacsv

    with np.load(case_dir / "hazard.npz") as f:
        event_id = np.asarray(f["event_id"], dtype=np.int64)
    table = pacsv.read_csv(case_dir / "exposures.csv", convert_options=pacsv.ConvertOptions(include_columns=["id"]))
    return event_id, np.asarray(table.column("id").to_numpy(), dtype=np.int64)


def compare(case_dir: Path, climada: Json, kalkan: Json) -> Json:
    """Relative differences of Kalkan's results to CLIMADA's (AAL, RP losses, per event, per asset)."""
    res_dir = Path(climada["results_dir"])
    c_res = climada["results"]
    k_sum = kalkan["summary"]
    out_dir = Path(kalkan["out_dir"])
    event_id, asset_id = case_ids(case_dir)
    c_at = np.load(res_dir / "at_event.npy")
    c_eai = np.load(res_dir / "eai_exp.npy")
    ev = _read_parquet(out_dir / "event_losses.parquet")
    k_at = _by_id(ev["event_id"], ev["loss"], event_id)
    aa = _read_parquet(out_dir / "asset_aal.parquet")
    k_eai = _by_id(aa["id"], aa["aal"], asset_id)
    rps = sorted(set(c_res["rp_losses"]) & set(k_sum.get("rp_losses", {})), key=float)
    c_rp = np.array([c_res["rp_losses"][r] for r in rps], dtype=float)
    k_rp = np.array([k_sum["rp_losses"][r] for r in rps], dtype=float)
    d = {
        "aal": abs(float(k_sum["aal"]) - c_res["aai_agg"]) / abs(c_res["aai_agg"]),
        "rp_losses": rel_diff_elementwise(k_rp, c_rp),
        "event_losses": rel_diff(k_at, c_at),
        "asset_aal": rel_diff(k_eai, c_eai),
    }
    return {
        "rel_diff": d,
        "max_rel_diff": max(d.values()),
        "elementwise_rel_diff": {
            "event_losses": rel_diff_elementwise(k_at, c_at),
            "asset_aal": rel_diff_elementwise(k_eai, c_eai),
        },
        "rp_compared": rps,
        "definition": "scalars: |k - c| / |c|; RP losses: max over RPs of that; vectors: max|k - c| / max|c| "
        "(c = CLIMADA)",
    }


def compare_rp_maps(case_dir: Path, kalkan_out: Path, c_maps: NDArray[np.float64]) -> Json:
    """Kalkan's per-asset RP maps vs CLIMADA's local_exceedance_impact (NaN where either is NaN)."""
    files = sorted(p for p in kalkan_out.glob("*.parquet") if "rp" in p.name.lower())
    files.sort(key=lambda p: p.name != "asset_rp_losses.parquet")  # Kalkan's name first
    if not files:
        return {"status": "no per-asset RP map parquet found in " + str(kalkan_out)}
    cols = _read_parquet(files[0])
    _, asset_id = case_ids(case_dir)
    idcol = "id" if "id" in cols else next(iter(cols))
    out: Json = {"file": files[0].name}
    for j, rp in enumerate(RP_MAPS):
        name = next((c for c in cols if re.fullmatch(rf"(rp_?)?{rp}", str(c))), None)
        if name is None:
            out[str(rp)] = "column missing"
            continue
        k = _by_id(cols[idcol], np.asarray(cols[name], dtype=float), asset_id)
        c = c_maps[:, j]
        ok = np.isfinite(k) & np.isfinite(c)
        out[str(rp)] = {
            "rel_diff": rel_diff(k[ok], c[ok]),
            "elementwise_rel_diff": rel_diff_elementwise(k[ok], c[ok]),
            "compared": int(ok.sum()),
            "nan_kalkan": int(np.isnan(k).sum()),
            "nan_climada": int(np.isnan(c).sum()),
        }
    return out


def bandwidth_bound(case_dir: Path, reps: int) -> Json:
    """Best-of-``reps`` time of one pass over the hazard's data and indices arrays (numpy and Numba)."""
    with np.load(case_dir / "hazard.npz") as f:
        data = np.ascontiguousarray(f["data"])
        indices = np.ascontiguousarray(f["indices"])
    nbytes = data.nbytes + indices.nbytes

    def best(fn: Any) -> float:
        fn()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    t_np = best(lambda: (data.sum(), indices.sum()))
    out: Json = {"bytes": nbytes, "reps": reps, "numpy_sum_s": round(t_np, 5)}
    try:
        import numba

        @numba.njit(parallel=True, nogil=True, fastmath=True)
        def one_pass(d: Any, i: Any) -> float:
            s = 0.0
            for k in numba.prange(d.size):
                s += d[k] + i[k]
            return s

        out["numba_threads"] = numba.get_num_threads()
        out["numba_pass_s"] = round(best(lambda: one_pass(data, indices)), 5)
    except ImportError:
        pass
    bound = min(v for k, v in out.items() if k.endswith("_s"))
    out["bound_s"] = bound
    out["gb_per_s"] = round(nbytes / bound / 1e9, 2)
    return out


# ----------------------------------------------------------------------------------------------------
# one case
# ----------------------------------------------------------------------------------------------------
def run_case(case: Case, opts: argparse.Namespace, gen_py: str, state: Json) -> Json:
    """Everything for one case; failures of a step are recorded, not raised."""
    rec: Json = {"case": case.name, "what": case.what, "params": asdict(case), "errors": {}}
    try:
        case_dir = ensure_inputs(case, opts.cache, gen_py, opts.timeout)
    except StepError as exc:
        rec["errors"]["inputs"] = str(exc)
        return rec
    rec["case_dir"] = str(case_dir)
    manifest = json.loads((case_dir / "manifest.json").read_text())
    rec["generate_command"] = shlex.join(
        [gen_py, str(HARNESS), "--generate-only", "--save", str(case_dir), *case.generate_args()]
    )
    rec["manifest_params"] = manifest.get("params")

    climada: Json | None = None
    if case.climada and opts.climada != "skip":
        mode, lx = ("mat", True) if case.rp_maps else ("nomat", False)
        try:
            climada = run_climada(case_dir, opts.climada_venv, mode, lx, opts)
            t, peak = climada["timings_s"], climada["peak_rss_mib_after"]
            rec["climada"] = {
                "command": climada.get("command"),
                "reused": climada.get("reused"),
                "impact_s": t.get(f"impact_save_mat_{'true' if mode == 'mat' else 'false'}"),
                "assign_centroids_s": t.get("assign_centroids"),
                "build_objects_s": t.get("build_climada_objects"),
                "load_inputs_s": t.get("load_inputs"),
                "local_exceedance_s": t.get("local_exceedance_impact"),
                "peak_rss_mib": max(peak.values()),
                "peak_rss_mib_after_import": peak.get("import_climada"),
                "process_max_rss_mib": climada.get("process_max_rss_mib"),
                "sizes": climada.get("sizes"),
                "results": climada.get("results"),
                "env": climada.get("env"),
                "load_before": climada.get("load_before"),
            }
            if case.rp_maps:
                state["climada_rp_maps"] = climada_rp_map_values(case_dir, opts.climada_venv, opts)
        except StepError as exc:
            rec["errors"]["climada"] = str(exc)
            log(f"CLIMADA step of {case.name}: {exc}")

    if opts.kalkan_run:
        try:
            if not state.get("warm") and opts.warmup:
                kalkan_warmup(state["warmup_dir"], opts)
                state["warm"] = True
            out = opts.cache / "runs" / case.name
            kalkan = run_kalkan(case_dir, out, opts, rp_maps=case.rp_maps, stream=case.stream)
            s = kalkan["summary"]
            rec["kalkan"] = {
                "command": kalkan["command"],
                "compute_s": s.get("timings_s", {}).get("compute"),
                "timings_s": s.get("timings_s"),
                "peak_rss_mib": s.get("peak_rss_mib", kalkan["process_max_rss_mib"]),
                "process_max_rss_mib": kalkan["process_max_rss_mib"],
                "process_wall_s": kalkan["process_wall_s"],
                "aal": s.get("aal"),
                "rp_losses": s.get("rp_losses"),
                "load_before": kalkan["load_before"],
            }
            if climada is not None and not case.rp_maps:
                rec["comparison"] = compare(case_dir, climada, kalkan)
            if case.rp_maps and "climada_rp_maps" in state:
                rec["rp_map_comparison"] = compare_rp_maps(case_dir, Path(kalkan["out_dir"]), state["climada_rp_maps"])
        except StepError as exc:
            rec["errors"]["kalkan"] = str(exc)
            log(f"Kalkan step of {case.name}: {exc}")

    if opts.bound and not case.rp_maps:
        rec["bound"] = bandwidth_bound(case_dir, opts.bound_reps)
        k_compute = rec.get("kalkan", {}).get("compute_s")
        if k_compute:
            rec["bound"]["kalkan_compute_over_bound"] = round(k_compute / rec["bound"]["bound_s"], 2)
    return rec


# ----------------------------------------------------------------------------------------------------
# reports
# ----------------------------------------------------------------------------------------------------
def _fmt(v: Any, nd: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}g}" if abs(v) < 1e-2 and v != 0 else f"{v:,.{nd}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def markdown(report: Json) -> str:
    """The results as Markdown tables."""
    m = report["machine"]
    lines = [
        "# Kalkan vs CLIMADA 6.1 (bench_climada.py)",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['mem_total_gib']} GiB; "
        f"CLIMADA {report.get('climada_version') or '-'}; started {report['started']}.",
        "",
        "| case | assets | events | centroids | non-zeros | CLIMADA impact, no matrix (s) | Kalkan compute (s) "
        "| speed-up | CLIMADA peak (MiB) | Kalkan peak (MiB) | memory ratio | max rel. diff | bound (s) "
        "| Kalkan / bound | load (C / K) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    stream, rpmap = [], []
    for r in report["cases"]:
        p = r["params"]
        c, k, b = r.get("climada", {}), r.get("kalkan", {}), r.get("bound", {})
        nnz = (c.get("sizes") or {}).get("intensity_nnz") or round(
            p["events"] * p["density"] * int(np.ceil(np.sqrt(p["centroids"]))) ** 2
        )
        if p["rp_maps"]:
            rpmap.append(r)
            continue
        if not p["climada"]:
            stream.append((r, nnz))
            continue
        c_load = (c.get("load_before") or {}).get("loadavg_1m")
        k_load = (k.get("load_before") or {}).get("loadavg_1m")
        speedup = _ratio(c.get("impact_s"), k.get("compute_s"))
        lines.append(
            f"| {r['case']} | {p['assets']:,} | {p['events']:,} | {p['centroids']:,} | {nnz:,} "
            f"| {_fmt(c.get('impact_s'))} | {_fmt(k.get('compute_s'))} | {_fmt(speedup)} "
            f"| {_fmt(c.get('peak_rss_mib'), 0)} | {_fmt(k.get('peak_rss_mib'), 0)} "
            f"| {_fmt(_ratio(c.get('peak_rss_mib'), k.get('peak_rss_mib')))} "
            f"| {_fmt((r.get('comparison') or {}).get('max_rel_diff'))} | {_fmt(b.get('bound_s'), 3)} "
            f"| {_fmt(b.get('kalkan_compute_over_bound'))} | {_fmt(c_load)} / {_fmt(k_load)} |"
        )
    lines += [
        "",
        "Speed-up and memory ratio: CLIMADA / Kalkan. CLIMADA peak: the harness process's peak RSS up to its "
        "impact calculation (imports and inputs included). Bound: best-of time of one pass over the hazard's "
        "data and indices arrays. Load: 1-minute load average before each timed run.",
    ]
    if rpmap:
        lines += ["", "## Per-asset return-period maps (10, 100, 1000 years)", "",
                  "| case | assets | events | CLIMADA impact with matrix (s) | CLIMADA local_exceedance_impact (s) "
                  "| CLIMADA peak (MiB) | Kalkan compute (s) | Kalkan peak (MiB) | comparison |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip
        for r in rpmap:
            p, c, k = r["params"], r.get("climada", {}), r.get("kalkan", {})
            cmp_ = r.get("rp_map_comparison") or r["errors"].get("kalkan", "-")
            lines.append(
                f"| {r['case']} | {p['assets']:,} | {p['events']:,} | {_fmt(c.get('impact_s'))} "
                f"| {_fmt(c.get('local_exceedance_s'))} | {_fmt(c.get('peak_rss_mib'), 0)} "
                f"| {_fmt(k.get('compute_s'))} | {_fmt(k.get('peak_rss_mib'), 0)} "
                f"| {json.dumps(cmp_)[:300].replace('|', '/')} |"
            )
    if stream:
        lines += ["", "## Streaming: Kalkan alone, memory vs number of events", "",
                  "| case | assets | events | centroids | non-zeros | hazard arrays (MiB) | Kalkan compute (s) "
                  "| Kalkan peak (MiB) | bound (s) | Kalkan / bound |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for r, nnz in stream:
            p, k, b = r["params"], r.get("kalkan", {}), r.get("bound", {})
            lines.append(
                f"| {r['case']} | {p['assets']:,} | {p['events']:,} | {p['centroids']:,} | {nnz:,} "
                f"| {_fmt(nnz * 12 / 2**20, 0)} | {_fmt(k.get('compute_s'))} | {_fmt(k.get('peak_rss_mib'), 0)} "
                f"| {_fmt(b.get('bound_s'), 3)} | {_fmt(b.get('kalkan_compute_over_bound'))} |"
            )
    errors = [(r["case"], s, e) for r in report["cases"] for s, e in r["errors"].items()]
    if errors:
        lines += ["", "## Steps that did not run", ""]
        lines += [f"- {c} / {s}: {e.splitlines()[0]}" for c, s, e in errors]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run the chosen cases, write JSON and Markdown; exit 2 if a step failed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="smoke,100k,1m,rpmap,stream-250k,stream-1m",
                    help=f"comma-separated, from: {', '.join(CASES)} (default: all)")  # fmt: skip
    ap.add_argument("--cache", type=Path, default=CACHE, help="inputs, results and logs (outside the repo)")
    ap.add_argument("--climada-venv", type=Path, default=CLIMADA_VENV)
    ap.add_argument("--climada", choices=["auto", "run", "skip"], default="auto",
                    help="auto: reuse a stored CLIMADA run of the same inputs; run: always re-time")  # fmt: skip
    ap.add_argument("--kalkan", default=str(KALKAN), help="the kalkan executable")
    ap.add_argument("--no-kalkan", dest="kalkan_run", action="store_false", help="CLIMADA side only")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false",
                    help="skip the untimed Kalkan run that fills Numba's cache")  # fmt: skip
    ap.add_argument("--no-bound", dest="bound", action="store_false", help="skip the bandwidth bound")
    ap.add_argument("--bound-reps", type=int, default=7)
    ap.add_argument("--gen-python", help="Python with numpy/scipy/pandas for the generator")
    ap.add_argument("--load-threshold", type=float, default=0.7)
    ap.add_argument("--max-wait", type=float, default=600.0, help="seconds to wait for a quiet machine")
    ap.add_argument("--timeout", type=float, default=3600.0, help="per subprocess, seconds")
    ap.add_argument("--json", type=Path, help="default: CACHE/results/bench_climada.json")
    ap.add_argument("--md", type=Path, help="default: CACHE/results/bench_climada.md")
    opts = ap.parse_args(argv)
    names = [n.strip() for n in opts.cases.split(",") if n.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    if REPO in opts.cache.resolve().parents or opts.cache.resolve() == REPO:
        ap.error("--cache must be outside the repository")
    json_path = opts.json or opts.cache / "results" / "bench_climada.json"
    md_path = opts.md or json_path.with_suffix(".md")
    json_path.parent.mkdir(parents=True, exist_ok=True)

    gen_py = generation_python(opts.gen_python)
    report: Json = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine_facts(),
        "loadavg_1m_start": load_1m(),
        "argv": sys.argv,
        "harness": str(HARNESS),
        "climada_venv": str(opts.climada_venv),
        "cases": [],
    }
    state: Json = {}
    if opts.kalkan_run and opts.warmup:
        state["warmup_dir"] = ensure_inputs(CASES["smoke"], opts.cache, gen_py, opts.timeout)
    for name in names:
        log(f"== case {name}: {CASES[name].what}")
        rec = run_case(CASES[name], opts, gen_py, state)
        report["cases"].append(rec)
        env = (rec.get("climada") or {}).get("env") or {}
        report["climada_version"] = report.get("climada_version") or env.get("climada")
        report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        json_path.write_text(json.dumps(report, indent=2, default=str))
        md_path.write_text(markdown(report))
    print(md_path.read_text())
    log(f"wrote {json_path} and {md_path}")
    failed = [(r["case"], s) for r in report["cases"] for s in r["errors"]]
    if failed:
        log(f"steps that failed: {failed} (messages in the JSON and above)")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
