#!/usr/bin/env python3
"""Classical PSHA on PEER verification cases: Kalkan's ``run_peer_case`` beside OpenQuake 3.26.2's classical calculator.

Usage::

    .venv/bin/python benchmarks/bench_psha_peer.py                                  # default cases, 3 runs each
    .venv/bin/python benchmarks/bench_psha_peer.py --cases Set1-Case10 --repeat 1 --oq-modes no
    .venv/bin/python benchmarks/bench_psha_peer.py --write-only --work /tmp/peer_oq  # only the OpenQuake inputs

For each PEER case (nshmp-haz layout, ``/work/shared/data/peer_psha_verification/nshmp-haz/models/<case>``):

1. The equivalent OpenQuake inputs are written to ``WORK/<case>/oq`` (outside the repository by default): an NRML 0.5
   source model (``areaSource`` with ``PointMSR`` point ruptures for nshmp-haz ``POINT`` area sources, or
   ``simpleFaultSource`` with ``PeerMSR`` and aspect ratio 2 for PEER faults), the incremental MFD of the case
   (magnitudes and rates as given), a one-branch GMPE logic tree, and a ``classical`` job.ini with the case's
   PGA levels, ``investigation_time = 1``, the case's sites and site parameters, ``maximum_distance`` from
   ``gmm.xml`` and ``truncation_level = 99`` for ``TRUNCATION_OFF`` (OpenQuake's own "no truncation" default).
   Grid spacing: ``rupture_mesh_spacing`` = the case's ``surfaceSpacing`` (km); ``area_source_discretization`` =
   the square root of the area of one cell of the nshmp-haz ``UNIFORM_0PX`` grid at the polygon's centroid (km),
   so that both engines place about the same number of points.
2. OpenQuake runs ``oq engine --run job.ini --exports csv`` with ``OQ_DATADIR`` in WORK, ``CI=1``, once per mode in
   ``--oq-modes``: ``no`` (``OQ_DISTRIBUTE=no``, one process, one core) and ``processpool`` (its default: a pool of
   ``nproc`` workers). Reported: the wall time of the whole command (start-up, reading, writing and exporting
   included); "calc", the ``ClassicalCalculator.run`` row of the datastore's performance table (read with
   OpenQuake's own Python; the same as the log's "Stored ... in X seconds"); and the summed time of its
   ``classical``/``classical_disagg`` tasks. With few sites (<= ``max_sites_disagg``, 10) OpenQuake's default runs
   ``classical_disagg`` tasks that also store rupture data; the benchmark keeps OpenQuake's defaults.
3. Kalkan runs in this process: ``kalkan.app.psha.run_peer_case`` (reading the folder, building the ruptures,
   the curves and writing the CSV), once untimed as a warm-up (imports, caches), then ``--repeat`` timed runs.
   Kalkan is NumPy on one core (no threads, no JIT).
4. Agreement: max |a - b| / b over all sites and levels where the PEER expected probability is > 1e-10, for
   Kalkan vs OpenQuake, Kalkan vs expected and OpenQuake vs expected.

Results: ``WORK/results.json`` and a Markdown table printed at the end (``--md`` writes it to a file as well).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PEER = Path(os.environ.get("PEER_DIR", "/work/shared/data/peer_psha_verification/nshmp-haz"))
OQ_VENV = Path(os.environ.get("OQ_VENV", "/work/venvs/openquake"))
DEFAULT_CASES = ("Set1-Case10", "Set2-Case2a-fast", "Set2-Case2a")
GSIMS = {"SADIGH_97": "SadighEtAl1997", "ASK_14": "AbrahamsonEtAl2014", "BSSA_14": "BooreEtAl2014",
         "CB_14": "CampbellBozorgnia2014", "CY_14": "ChiouYoungs2014"}  # fmt: skip
NRML = "http://openquake.org/xmlns/nrml/0.5"
Json = dict[str, Any]

OQ_PERF = """
import json, sys
from openquake.commonlib import datastore
ds = datastore.read(sys.argv[1])
p = ds['performance_data'][()]
out = {}
for row in p:
    name = row['operation'].decode() if isinstance(row['operation'], bytes) else str(row['operation'])
    out[name] = out.get(name, 0.0) + float(row['time_sec'])
print(json.dumps(out))
"""


def log(msg: str) -> None:
    print(f"[bench_psha_peer {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def floats(text: str) -> list[float]:
    return [float(x) for x in text.strip().strip("[]").split(",") if x.strip()]


# ---------------------------------------------------------------------------------------------------------------
# nshmp-haz PEER folder -> OpenQuake inputs (written here from the case's own files)
# ---------------------------------------------------------------------------------------------------------------


def read_sites(case: Path) -> list[dict[str, str]]:
    with (case / "sites.csv").open() as fh:
        rows = list(csv.reader(fh, skipinitialspace=True))
    head = ["lat" if h.strip() == "lot" else h.strip() for h in rows[0]]
    return [dict(zip(head, (v.strip() for v in r), strict=True)) for r in rows[1:] if r]


def site_params(sites: list[dict[str, str]]) -> dict[str, str]:
    """One set of site parameters for all sites (nshmp-haz's defaults: vs30 760, inferred, z1/z2.5 unknown)."""
    keys = {(s.get("vs30", "760"), s.get("vsInf", "true"), s.get("z1p0", ""), s.get("z2p5", "")) for s in sites}
    if len(keys) != 1:
        raise SystemExit("sites with different site parameters: not handled by this benchmark")
    vs30, vs_inf, z1, z2 = keys.pop()
    out = {"reference_vs30_value": vs30,
           "reference_vs30_type": "measured" if vs_inf.lower() == "false" else "inferred"}  # fmt: skip
    if z1:
        out["reference_depth_to_1pt0km_per_sec"] = repr(float(z1) * 1000.0)  # km -> m
    if z2:
        out["reference_depth_to_2pt5km_per_sec"] = z2
    return out


def mfd_xml(el: ET.Element) -> tuple[str, float, list[float]]:
    """nshmp-haz IncrementalMfd (INCR or SINGLE) -> OpenQuake incrementalMFD (minMag, binWidth, rates)."""
    kind = el.get("type")
    if kind == "SINGLE":
        m, r = float(el.get("m", "nan")), float(el.get("rate", "nan"))
        return f'<incrementalMFD minMag="{m!r}" binWidth="0.1"><occurRates>{r!r}</occurRates></incrementalMFD>', m, [r]
    if kind != "INCR":
        raise SystemExit(f"MFD type {kind}: not handled by this benchmark")
    mags, rates = floats(el.get("mags", "")), floats(el.get("rates", ""))
    steps = np.diff(mags)
    if not np.allclose(steps, steps[0], atol=1e-9):
        raise SystemExit("INCR MFD with uneven magnitude steps: not handled")
    w = round(float(steps[0]), 6)
    txt = " ".join(repr(r) for r in rates)
    return (
        f'<incrementalMFD minMag="{mags[0]!r}" binWidth="{w!r}"><occurRates>{txt}</occurRates></incrementalMFD>',
        w,
        rates,
    )


def coords(text: str) -> list[tuple[float, float]]:
    out = []
    for line in text.strip().splitlines():
        lon, lat, *_ = (float(v) for v in line.split(","))
        out.append((lon, lat))
    return out


def area_grid_km(border: list[tuple[float, float]], grid_deg: float) -> float:
    """Edge (km) of a square with the area of one grid_deg x grid_deg cell at the polygon's mean latitude."""
    lat = math.radians(sum(p[1] for p in border) / len(border))
    km = 6371.0 * math.pi / 180.0 * grid_deg
    return round(math.sqrt(km * km * math.cos(lat)), 4)


def source_model(case: Path, cfg: Json) -> tuple[str, Json]:
    """The case's source as NRML 0.5 and what the job.ini needs (mesh spacings, MFD bin width)."""
    kind = "Fault" if (case / "Fault").is_dir() else "Area"
    root = ET.parse(case / kind / "source.xml").getroot()  # noqa: S314
    srcs = root.findall("Source")
    if len(srcs) != 1:
        raise SystemExit(f"{case}: {len(srcs)} sources, expected one")
    src = srcs[0]
    mfd, width, _ = mfd_xml(src.find("IncrementalMfd"))  # type: ignore[arg-type]
    model = cfg["model"]
    job: Json = {"width_of_mfd_bin": width, "rupture_mesh_spacing": float(model["surfaceSpacing"])}
    if kind == "Fault":
        settings = root.find("Settings/SourceProperties")
        scaling = (settings.get("ruptureScaling") if settings is not None else None) or "PEER"
        if scaling != "PEER" or model.get("ruptureVariability") or model.get("ruptureFloating") != "ON":
            raise SystemExit(f"{case}: only PEER scaling, floating, no rupture variability handled")
        g = src.find("Geometry")
        assert g is not None
        trace = coords(g.findtext("Trace", ""))
        top, dip, rake, wdt = (
            float(g.get("depth", 0)),
            float(g.get("dip", 90)),
            float(g.get("rake", 0)),
            float(g.get("width", 0)),
        )
        bottom = top + wdt * math.sin(math.radians(dip))
        pos = " ".join(f"{lon!r} {lat!r}" for lon, lat in trace)
        body = f"""<simpleFaultSource id="1" name="{src.get("name")}" tectonicRegion="Active Shallow Crust">
      <simpleFaultGeometry>
        <gml:LineString><gml:posList>{pos}</gml:posList></gml:LineString>
        <dip>{dip!r}</dip><upperSeismoDepth>{top!r}</upperSeismoDepth><lowerSeismoDepth>{bottom!r}</lowerSeismoDepth>
      </simpleFaultGeometry>
      <magScaleRel>PeerMSR</magScaleRel>
      <ruptAspectRatio>2.0</ruptAspectRatio>
      {mfd}
      <rake>{rake!r}</rake>
    </simpleFaultSource>"""
    else:
        props = src.find("SourceProperties")
        assert props is not None
        if model.get("pointSourceType") != "POINT":
            raise SystemExit(f"{case}: only nshmp-haz POINT area sources handled")
        mech = dict(kv.split(":") for kv in props.get("focalMechMap", "[STRIKE_SLIP:1.0]").strip("[]").split(","))
        if float(mech.get("STRIKE_SLIP", 0)) != 1.0:
            raise SystemExit(f"{case}: only pure strike-slip focal mechanisms handled")
        depth_map = re.fullmatch(
            r"\[\s*([\d.]+)\s*::\s*\[\s*([\d.]+)\s*:\s*1(?:\.0)?\s*\]\s*\]", props.get("magDepthMap", "")
        )
        if depth_map is None:
            raise SystemExit(f"{case}: magDepthMap {props.get('magDepthMap')!r} not handled")
        depth = float(depth_map.group(2))
        border = coords(src.findtext("Border", ""))
        grid = re.fullmatch(r"UNIFORM_0P(\d+)", model.get("areaGridScaling", "UNIFORM_0P1"))
        assert grid is not None
        grid_deg = float("0." + grid.group(1))
        job["area_source_discretization"] = area_grid_km(border, grid_deg)
        pos = " ".join(f"{lon!r} {lat!r}" for lon, lat in border)
        lower = float(props.get("maxDepth", 30))
        # nshmp-haz POINT: the rupture is a point at the depth (Rrup = hypocentral distance); OpenQuake's PointMSR
        # (1e-4 km2 ruptures) is its way of modelling point ruptures.
        body = f"""<areaSource id="1" name="{src.get("name")}" tectonicRegion="Active Shallow Crust">
      <areaGeometry>
        <gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>{pos}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>
        <upperSeismoDepth>0.0</upperSeismoDepth><lowerSeismoDepth>{lower!r}</lowerSeismoDepth>
      </areaGeometry>
      <magScaleRel>PointMSR</magScaleRel>
      <ruptAspectRatio>1.0</ruptAspectRatio>
      {mfd}
      <nodalPlaneDist><nodalPlane probability="1" strike="0.0" dip="90.0" rake="0.0"/></nodalPlaneDist>
      <hypoDepthDist><hypoDepth probability="1" depth="{depth!r}"/></hypoDepthDist>
    </areaSource>"""
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns:gml="http://www.opengis.net/gml" xmlns="{NRML}">
  <sourceModel name="{case.name}">
    <sourceGroup name="group 1" tectonicRegion="Active Shallow Crust">
    {body}
    </sourceGroup>
  </sourceModel>
</nrml>
"""
    return xml, job


def write_oq_inputs(case: Path, out: Path) -> Json:
    cfg = json.loads((case / "config.json").read_text())
    sub = "Fault" if (case / "Fault").is_dir() else "Area"
    gmm = ET.parse(case / sub / "gmm.xml").getroot()  # noqa: S314
    mset = gmm.find("ModelSet")
    assert mset is not None
    models = mset.findall("Model")
    if len(models) != 1:
        raise SystemExit(f"{case}: one GMM expected")
    gsim = GSIMS[models[0].get("id", "")]
    max_dist = float(mset.get("maxDistance", "300"))
    exceed = cfg["hazard"].get("exceedanceModel", "TRUNCATION_UPPER_ONLY")
    trunc = {"TRUNCATION_OFF": "99", "NONE": "0"}.get(exceed)
    if trunc is None:
        raise SystemExit(f"{case}: exceedance model {exceed} has no OpenQuake equivalent here")
    levels = cfg["hazard"]["defaultImls"]
    sites = read_sites(case)
    xml, job = source_model(case, cfg)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "source_model.xml").write_text(xml)
    (out / "source_model_logic_tree.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<nrml xmlns:gml="http://www.opengis.net/gml" xmlns="{NRML}">
  <logicTree logicTreeID="lt1">
    <logicTreeBranchSet uncertaintyType="sourceModel" branchSetID="bs1">
      <logicTreeBranch branchID="b1"><uncertaintyModel>source_model.xml</uncertaintyModel>
        <uncertaintyWeight>1.0</uncertaintyWeight></logicTreeBranch>
    </logicTreeBranchSet>
  </logicTree>
</nrml>
""")
    (out / "gmpe_logic_tree.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<nrml xmlns:gml="http://www.opengis.net/gml" xmlns="{NRML}">
  <logicTree logicTreeID="lt1">
    <logicTreeBranchSet uncertaintyType="gmpeModel" branchSetID="bs1" applyToTectonicRegionType="Active Shallow Crust">
      <logicTreeBranch branchID="b1"><uncertaintyModel>{gsim}</uncertaintyModel>
        <uncertaintyWeight>1.0</uncertaintyWeight></logicTreeBranch>
    </logicTreeBranchSet>
  </logicTree>
</nrml>
""")
    sp = site_params(sites)
    site_list = ", ".join(f"{float(s['lon'])!r} {float(s['lat'])!r}" for s in sites)
    lines = [
        "[general]", f"description = PEER {case.name} (from the nshmp-haz folder, bench_psha_peer.py)",
        "calculation_mode = classical", "random_seed = 23", "",
        "[geometry]", f"sites = {site_list}", "",
        "[logic_tree]", "number_of_logic_tree_samples = 0", "",
        "[erf]", *(f"{k} = {v}" for k, v in job.items()), "",
        "[site_params]", *(f"{k} = {v}" for k, v in sp.items()), "",
        "[calculation]", "source_model_logic_tree_file = source_model_logic_tree.xml",
        "gsim_logic_tree_file = gmpe_logic_tree.xml", "investigation_time = 1.0",
        "intensity_measure_types_and_levels = " + json.dumps({"PGA": levels}),
        f"truncation_level = {trunc}", f"maximum_distance = {max_dist!r}", "",
        "[output]", "export_dir = export", "mean = true",
    ]  # fmt: skip
    (out / "job.ini").write_text("\n".join(lines) + "\n")
    (out / "export").mkdir()
    return {"gsim": gsim, "exceedance": exceed, "truncation_level": trunc, "maximum_distance": max_dist,
            "sites": len(sites), **job, **sp}  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# running the engines
# ---------------------------------------------------------------------------------------------------------------


def read_expected(path: Path) -> tuple[list[tuple[float, float]], np.ndarray]:
    with path.open() as fh:
        rows = list(csv.reader(fh))
    return [(float(r[1]), float(r[2])) for r in rows[1:]], np.array([[float(v) for v in r[3:]] for r in rows[1:]])


def read_oq_curves(export: Path, sites: list[tuple[float, float]], nlev: int) -> np.ndarray:
    files = sorted(export.glob("hazard_curve-mean-PGA*.csv")) or sorted(export.glob("hazard_curve*PGA*.csv"))
    if not files:
        raise SystemExit(f"no hazard-curve CSV in {export}")
    with files[0].open() as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    head, body = rows[0], rows[1:]
    ilon, ilat = head.index("lon"), head.index("lat")
    cols = [i for i, h in enumerate(head) if h.startswith("poe-")]
    assert len(cols) == nlev, (head, nlev)
    by_site = {(round(float(r[ilon]), 4), round(float(r[ilat]), 4)): [float(r[i]) for i in cols] for r in body}
    return np.array([by_site[(round(lon, 4), round(lat, 4))] for lon, lat in sites])


def run_oq(job_dir: Path, mode: str, work: Path, run_no: int = 1) -> Json:
    env = dict(os.environ, OQ_DATADIR=str(work / "oqdata"), CI="1")
    env.pop("OQ_DISTRIBUTE", None)
    if mode == "no":
        env["OQ_DISTRIBUTE"] = "no"
    export = job_dir / "export"
    shutil.rmtree(export, ignore_errors=True)
    export.mkdir()
    cmd = [str(OQ_VENV / "bin" / "oq"), "engine", "--run", str(job_dir / "job.ini"), "--exports", "csv"]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    wall = time.perf_counter() - t0
    text = proc.stdout + proc.stderr
    (job_dir / f"oq_{mode}_{run_no}.log").write_text(text)
    if proc.returncode:
        raise SystemExit(
            f"OpenQuake failed (rc {proc.returncode}): see {job_dir}/oq_{mode}_{run_no}.log\n{text[-3000:]}"
        )
    m = re.findall(r"Stored [\d.]+ \w+ on \S*calc_(\d+)\.hdf5 in ([\d.]+) seconds", text)
    calc_id, calc_s = (int(m[-1][0]), float(m[-1][1])) if m else (None, None)
    perf: Json = {}
    if calc_id is not None:
        h5 = work / "oqdata" / f"calc_{calc_id}.hdf5"
        p = subprocess.run([str(OQ_VENV / "bin" / "python"), "-c", OQ_PERF, str(h5)], capture_output=True,  # noqa: S603
                           text=True, env=env, check=False)  # fmt: skip
        if p.returncode == 0:
            perf = json.loads(p.stdout.strip().splitlines()[-1])
    tasks = sum(v for k, v in perf.items() if k.startswith("total classical"))
    return {"wall_s": wall, "calc_s": calc_s, "classical_run_s": perf.get("ClassicalCalculator.run"),
            "preclassical_tasks_s": perf.get("total preclassical"), "classical_tasks_s": tasks or None,
            "perf": perf, "loadavg_1m": load, "calc_id": calc_id, "export": str(export)}  # fmt: skip


def run_kalkan(case: Path, out_csv: Path) -> tuple[float, Json]:
    from kalkan.app.psha import run_peer_case

    t0 = time.perf_counter()
    info = run_peer_case(case, out_csv)
    return time.perf_counter() - t0, info


def rel(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    return float(np.max(np.abs(a[mask] - b[mask]) / b[mask]))


def machine() -> Json:
    meminfo = Path("/proc/meminfo").read_text()
    mem = re.search(r"MemTotal:\s+(\d+)", meminfo)
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {"nproc": len(os.sched_getaffinity(0)), "mem_gib": round(int(mem.group(1)) / 2**20, 1) if mem else None,
            "cpu": cpu.group(1).strip() if cpu else platform.processor(),
            "python": platform.python_version()}  # fmt: skip


def versions() -> Json:
    import kalkan

    p = subprocess.run([str(OQ_VENV / "bin" / "oq"), "--version"], capture_output=True, text=True, check=False,  # noqa: S603
                       env=dict(os.environ, CI="1"))  # fmt: skip
    return {"kalkan": getattr(kalkan, "__version__", "?"), "numpy": np.__version__,
            "openquake": p.stdout.strip().splitlines()[-1] if p.stdout.strip() else "?"}  # fmt: skip


def med(xs: list[float | None]) -> float | None:
    v = [x for x in xs if x is not None]
    return statistics.median(v) if v else None


def bench_case(name: str, opts: argparse.Namespace) -> Json:
    case = PEER / "models" / name
    work = opts.work / name
    job_dir = work / "oq"
    info = write_oq_inputs(case, job_dir)
    log(f"{name}: OpenQuake inputs in {job_dir} ({info['gsim']}, truncation {info['truncation_level']})")
    sites, expected = read_expected(PEER / "results" / f"{name}.csv")
    mask = expected > 1e-10
    rec: Json = {"case": name, "oq_inputs": info, "oq": {}, "kalkan": {}}
    oq_curves = None
    for mode in opts.oq_modes:
        runs = []
        for k in range(opts.oq_repeat or opts.repeat):
            r = run_oq(job_dir, mode, opts.work, k + 1)
            log(f"{name}: OpenQuake ({mode}) run {k + 1}: wall {r['wall_s']:.2f} s, calc {r['calc_s']} s, "
                f"ClassicalCalculator.run {r['classical_run_s']}")  # fmt: skip
            runs.append(r)
        oq_curves = read_oq_curves(Path(runs[-1]["export"]), sites, expected.shape[1])
        rec["oq"][mode] = {"runs": runs, "wall_s": med([r["wall_s"] for r in runs]),
                           "calc_s": med([r["calc_s"] for r in runs]),
                           "classical_run_s": med([r["classical_run_s"] for r in runs]),
                           "classical_tasks_s": med([r["classical_tasks_s"] for r in runs])}  # fmt: skip
    kal_csv = work / "kalkan.csv"
    if opts.kalkan:
        t, kinfo = run_kalkan(case, kal_csv)
        log(f"{name}: Kalkan warm-up {t:.2f} s ({kinfo['ruptures']:,} ruptures)")
        times = []
        for k in range(opts.repeat):
            t, kinfo = run_kalkan(case, kal_csv)
            log(f"{name}: Kalkan run {k + 1}: {t:.2f} s")
            times.append(t)
        rec["kalkan"] = {"times_s": times, "wall_s": statistics.median(times), "warmup_s": t,
                         "ruptures": kinfo["ruptures"], "warnings": kinfo["warnings"]}  # fmt: skip
        _, kal = read_expected(kal_csv)
        rec["kalkan_vs_expected"] = rel(kal, expected, mask)
        if oq_curves is not None:
            rec["kalkan_vs_oq"] = rel(kal, oq_curves, mask & (oq_curves > 0))
    if oq_curves is not None:
        rec["oq_vs_expected"] = rel(oq_curves, expected, mask)
        np.savetxt(work / "oq_curves.txt", oq_curves)
    rec["levels_compared"] = int(mask.sum())
    return rec


def fmt(x: float | None, p: str = ".2f") -> str:
    return "-" if x is None else format(x, p)


def table(results: list[Json], modes: list[str]) -> str:
    head = ["case", "GMPE", "Kalkan ruptures", "Kalkan (s)"]
    for m in modes:
        lab = "OQ 1 core" if m == "no" else f"OQ {m}"
        head += [f"{lab} wall (s)", f"{lab} calc (s)", f"{lab} classical tasks (s)", f"{lab} / Kalkan (wall)",
                 f"{lab} calc / Kalkan"]  # fmt: skip
    head += ["max rel. diff. Kalkan vs OQ", "Kalkan vs expected", "OQ vs expected"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        k = r["kalkan"].get("wall_s")
        row = [r["case"], r["oq_inputs"]["gsim"], f"{r['kalkan'].get('ruptures', 0):,}", fmt(k)]
        for m in modes:
            o = r["oq"].get(m, {})
            w = o.get("wall_s")
            c = o.get("classical_run_s")
            row += [fmt(w), fmt(c), fmt(o.get("classical_tasks_s")), f"{w / k:.0f}x" if w and k else "-",
                    f"{c / k:.0f}x" if c and k else "-"]  # fmt: skip
        row += [fmt(r.get("kalkan_vs_oq"), ".1e"), fmt(r.get("kalkan_vs_expected"), ".1e"),
                fmt(r.get("oq_vs_expected"), ".1e")]  # fmt: skip
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=",".join(DEFAULT_CASES), help="comma list of PEER case folders")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per engine (median reported)")
    ap.add_argument("--oq-repeat", type=int, default=0, help="timed OpenQuake runs per mode (default: --repeat)")
    ap.add_argument(
        "--oq-modes",
        default="no,processpool",
        help="OQ_DISTRIBUTE modes: no (1 core) and/or processpool (default pool); empty: skip OpenQuake",
    )
    ap.add_argument("--no-kalkan", dest="kalkan", action="store_false")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("BENCH_CACHE", "/work/bench-cache")) / "psha_peer")
    ap.add_argument("--write-only", action="store_true", help="only write the OpenQuake inputs")
    ap.add_argument("--md", type=Path, help="also write the Markdown table here")
    opts = ap.parse_args()
    opts.oq_modes = [m for m in opts.oq_modes.split(",") if m]
    cases = [c for c in opts.cases.split(",") if c]
    opts.work.mkdir(parents=True, exist_ok=True)
    if opts.write_only:
        for c in cases:
            info = write_oq_inputs(PEER / "models" / c, opts.work / c / "oq")
            log(f"{c}: {opts.work / c / 'oq'} {info}")
        return 0
    results = []
    for c in cases:
        results.append(bench_case(c, opts))
        doc = {"machine": machine(), "versions": versions(), "command": sys.argv, "results": results}
        (opts.work / "results.json").write_text(json.dumps(doc, indent=1))
    md = table(results, opts.oq_modes)
    print(f"\nmachine: {machine()}\nversions: {versions()}\n\n{md}")
    if opts.md:
        opts.md.write_text(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
