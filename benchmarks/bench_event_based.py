#!/usr/bin/env python3
"""Side-by-side benchmark of Kalkan's event-based risk and OpenQuake 3.26's ``event_based_risk`` on one city case.

Usage::

    .venv/bin/python benchmarks/bench_event_based.py                       # Dushanbe, 1 km cells, T = 20,000 years
    .venv/bin/python benchmarks/bench_event_based.py --years 50000 --cell-km 2 --a-value 4.0
    .venv/bin/python benchmarks/bench_event_based.py --openquake skip      # Kalkan only

The same inputs go to both engines (written once into ``--work``, default /work/bench-cache/event_based,
outside the repository):

- source model: one NRML area source under Dushanbe (``model.xml``: 0.8 x 0.6 degrees, truncated
  Gutenberg-Richter a = ``--a-value``, b = 1, M 5-7, one reverse plane strike 60 dip 40, hypocentres at
  10 km, WC1994, aspect 1.5), discretised by both at 10 km, MFD bins 0.1;
- GMPE: BooreEtAl2014 alone (one branch: no logic-tree sampling difference); truncation 3 sigma; no spatial
  correlation; maximum distance 300 km; minimum intensity 0.01 g; Vs30 400 m/s everywhere;
- exposure: Kalkan's GEM Dushanbe exposure on ``--cell-km`` cells (``oq_exposure/exposure.xml`` for
  OpenQuake, written by Kalkan's OpenQuake exporter; ``exposure.csv`` for Kalkan), sites = the asset locations;
- vulnerability: the shipped GEM Central Asia NRML files (structural, nonstructural, contents) and GEM's
  taxonomy mapping CSV; mean loss ratios (OpenQuake ``ignore_covs = true``);
- catalogue: T = ``--years`` (OpenQuake: investigation_time 1, ses_per_logic_tree_path = T).

Each engine runs in a fresh process (wall time of the whole command; peak RSS of the largest single process,
from ``/usr/bin/time -v``; OpenQuake also runs worker processes). Kalkan runs twice: the first run
includes numba's first compilation (cached on disk), the second is warm. Random streams differ between the
engines, so the AALs agree only within sampling error: the standard error of each is the standard deviation
of its T annual total losses / sqrt(T) (OpenQuake's from its ``risk_by_event`` export, by year), and
z = difference / sqrt(SE_kalkan^2 + SE_oq^2) should be within about +-3. Results: WORK/results.json and a
Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OQ_VENV = Path(os.environ.get("OQ_VENV", "/work/venvs/openquake"))
Json = dict[str, Any]
MONEY = ("structural", "nonstructural", "contents")

MODEL = """<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5" xmlns:gml="http://www.opengis.net/gml">
  <sourceModel name="Kalkan event-based benchmark">
    <sourceGroup name="asc" tectonicRegion="Active Shallow Crust">
      <areaSource id="GIS" name="Gissar benchmark zone" tectonicRegion="Active Shallow Crust">
        <areaGeometry>
          <gml:Polygon><gml:exterior><gml:LinearRing>
            <gml:posList>68.40 38.30 69.20 38.30 69.20 38.90 68.40 38.90</gml:posList>
          </gml:LinearRing></gml:exterior></gml:Polygon>
          <upperSeismoDepth>0.0</upperSeismoDepth>
          <lowerSeismoDepth>20.0</lowerSeismoDepth>
        </areaGeometry>
        <magScaleRel>WC1994</magScaleRel>
        <ruptAspectRatio>1.5</ruptAspectRatio>
        <truncGutenbergRichterMFD aValue="{a}" bValue="1.0" minMag="5.0" maxMag="7.0"/>
        <nodalPlaneDist>
          <nodalPlane probability="1.0" strike="60" dip="40" rake="90"/>
        </nodalPlaneDist>
        <hypoDepthDist>
          <hypoDepth probability="1.0" depth="10"/>
        </hypoDepthDist>
      </areaSource>
    </sourceGroup>
  </sourceModel>
</nrml>
"""

SOURCE_LT = """<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5">
  <logicTree logicTreeID="sm">
    <logicTreeBranchSet uncertaintyType="sourceModel" branchSetID="bs1">
      <logicTreeBranch branchID="b1">
        <uncertaintyModel>model.xml</uncertaintyModel>
        <uncertaintyWeight>1.0</uncertaintyWeight>
      </logicTreeBranch>
    </logicTreeBranchSet>
  </logicTree>
</nrml>
"""

GMPE_LT = """<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5">
  <logicTree logicTreeID="gmpe">
    <logicTreeBranchSet uncertaintyType="gmpeModel" branchSetID="bs2"
                        applyToTectonicRegionType="Active Shallow Crust">
      <logicTreeBranch branchID="g1">
        <uncertaintyModel>BooreEtAl2014</uncertaintyModel>
        <uncertaintyWeight>1.0</uncertaintyWeight>
      </logicTreeBranch>
    </logicTreeBranchSet>
  </logicTree>
</nrml>
"""

JOB = """[general]
description = Kalkan event-based benchmark (Dushanbe)
calculation_mode = event_based_risk

[exposure]
exposure_file = oq_exposure/exposure.xml

[site_params]
reference_vs30_type = measured
reference_vs30_value = 400.0
reference_depth_to_1pt0km_per_sec = 100.0
reference_depth_to_2pt5km_per_sec = 1.0

[erf]
width_of_mfd_bin = 0.1
rupture_mesh_spacing = 5.0
area_source_discretization = 10.0

[logic_trees]
source_model_logic_tree_file = source_model_logic_tree.xml
gsim_logic_tree_file = gmpe_logic_tree.xml
number_of_logic_tree_samples = 0

[vulnerability]
structural_vulnerability_file = vulnerability_structural.xml
nonstructural_vulnerability_file = vulnerability_nonstructural.xml
contents_vulnerability_file = vulnerability_contents.xml
taxonomy_mapping_csv = taxonomy_mapping.csv
ignore_covs = true

[calculation]
investigation_time = 1
ses_per_logic_tree_path = {years}
truncation_level = 3
maximum_distance = 300
minimum_intensity = 0.01
ses_seed = {seed}
master_seed = {seed}
avg_losses = true

[output]
export_dir = {export_dir}
"""

KALKAN_WORKER = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from kalkan.app.event_based import asset_sites, read_model, write_event_hazard, hazard_file_name
from kalkan.core.risk.metrics import catalogue_curves
from kalkan.core.hazard.earthquake.stochastic import sample_events
from kalkan.app.psha import gmpe_branches
from kalkan.io.exposure import read_exposure
from kalkan.app.risk import run_assessment
work, out, years, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
imts = ["PGA", "SA(0.3)", "SA(0.6)", "SA(1.0)"]
exposure = read_exposure(work / "exposure.csv")
sites, _ = asset_sites(exposure, 400.0)
model = read_model(work / "model.xml", area_spacing_km=10.0)
branches = gmpe_branches(["BooreEtAl2014"])
events = sample_events(model.rupture_sets, years, seed, branches)
t1 = time.perf_counter()
info = write_event_hazard(out / "hazard", events, model.rupture_sets, branches, sites, imts, max_distance_km=300.0,
                          min_intensity=0.01)
t2 = time.perf_counter()
risk = run_assessment([out / "hazard" / hazard_file_name(i) for i in imts], work / "exposure.csv",
                      [work / f"vulnerability_{lt}.xml" for lt in ("structural", "nonstructural", "contents")],
                      out / "risk", taxonomy_mapping=work / "taxonomy_mapping.csv", max_distance_km=1.0)
t3 = time.perf_counter()
a = risk.assessment
curves = catalogue_curves(a.event_loss, a.event_year, years).at((100, 250, 475))
print(json.dumps({"aal": risk.aal_per_year, "aal_standard_error": curves["standard_error"],
                  "events_sampled": info["events_sampled"], "events_in_hazard": info["events_in_hazard"],
                  "sites": len(sites), "assets": exposure.n_assets, "aggregate": curves["aggregate"],
                  "occurrence": curves["occurrence"],
                  "timings_s": {"read_and_sample": t1 - t0, "ground_motion": t2 - t1, "risk": t3 - t2}}))
"""


def log(msg: str) -> None:
    print(f"[bench_event_based {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(cmd: list[str], logfile: Path, env: dict[str, str] | None = None) -> tuple[int, float, float]:
    """Run ``cmd`` under ``/usr/bin/time -v`` (stdout to ``logfile``); exit status, wall seconds and the peak
    RSS (MiB) of the largest single process of the command's tree (GNU time's "Maximum resident set size")."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    timing = logfile.with_suffix(".time")
    t0 = time.perf_counter()
    with logfile.open("w") as fh:
        timed = ["/usr/bin/time", "-v", "-o", str(timing), *cmd]
        rc = subprocess.run(timed, stdout=fh, stderr=subprocess.STDOUT, env=env, check=False).returncode  # noqa: S603
    wall = time.perf_counter() - t0
    rss = math.nan
    for line in timing.read_text().splitlines():
        if "Maximum resident set size" in line:
            rss = int(line.rsplit(":", 1)[1]) / 1024.0
    return rc, wall, rss


def prepare(work: Path, years: int, seed: int, cell_km: float, a_value: float) -> Json:
    """Write the shared inputs (model, exposure, vulnerability, mapping, job.ini) into ``work``."""
    sys.path.insert(0, str(REPO / "src"))
    from kalkan.app.city_exposure import city_exposure
    from kalkan.catalog.files import GEM_CENTRAL_ASIA_DIR
    from kalkan.catalog.sources import data_root
    from kalkan.io.exposure import write_exposure

    work.mkdir(parents=True, exist_ok=True)
    (work / "model.xml").write_text(MODEL.replace("{a}", f"{a_value:g}"), encoding="utf-8")
    (work / "source_model_logic_tree.xml").write_text(SOURCE_LT, encoding="utf-8")
    (work / "gmpe_logic_tree.xml").write_text(GMPE_LT, encoding="utf-8")
    (work / "job.ini").write_text(JOB.format(years=years, seed=seed, export_dir=work / "oq_out"), encoding="utf-8")
    gem = data_root() / GEM_CENTRAL_ASIA_DIR
    for lt in ("structural", "nonstructural", "contents"):
        shutil.copy(gem / f"vulnerability_{lt}.xml", work / f"vulnerability_{lt}.xml")
    shutil.copy(gem / "taxonomy_mapping_Central_Asia.csv", work / "taxonomy_mapping.csv")
    exposure, _ = city_exposure("dushanbe", cell_km=cell_km)
    shutil.rmtree(work / "oq_exposure", ignore_errors=True)
    (work / "oq_exposure").mkdir()
    (work / "exposure.csv").unlink(missing_ok=True)
    write_exposure(exposure, work / "oq_exposure" / "exposure.xml")  # NRML (with its own asset CSV beside it)
    write_exposure(exposure, work / "exposure.csv")
    return {"assets": exposure.n_assets, "cell_km": cell_km, "a_value": a_value}


def run_kalkan(work: Path, years: int, seed: int, label: str) -> Json:
    out = work / f"kalkan_{label}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    script = out / "worker.py"
    script.write_text(KALKAN_WORKER, encoding="utf-8")
    py = REPO / ".venv" / "bin" / "python"
    rc, wall, rss = run([str(py), str(script), str(work), str(out), str(years), str(seed)], out / "stdout.log")
    text = (out / "stdout.log").read_text()
    if rc != 0:
        raise SystemExit(f"Kalkan failed (exit {rc}); see {out / 'stdout.log'}:\n{text[-2000:]}")
    result: Json = json.loads(text.strip().splitlines()[-1])
    result.update({"wall_s": wall, "peak_rss_mib": rss})
    return result


def run_openquake(work: Path, years: int) -> Json:
    out = work / "oq_out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    home = work / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "OQ_DATADIR": str(work / "oqdata")}
    cmd = [str(OQ_VENV / "bin" / "oq"), "engine", "--run", str(work / "job.ini"), "--exports", "csv"]
    rc, wall, rss = run(cmd, work / "oq.log", env)
    if rc != 0:
        raise SystemExit(f"OpenQuake failed (exit {rc}); see {work / 'oq.log'}")
    files = sorted(out.rglob("aggrisk*.csv"))
    if not files:
        raise SystemExit(f"OpenQuake wrote no aggrisk CSV in {out}")
    aal = 0.0
    with files[0].open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    lt, loss = header.index("loss_type"), header.index("loss_value")
    for r in body:
        if r[lt] in MONEY:
            aal += float(r[loss])
    return {"aal": aal, "aal_standard_error": _oq_standard_error(out, years), "wall_s": wall, "peak_rss_mib": rss,
            "aggrisk_file": str(files[0]), "events": _oq_events(out)}  # fmt: skip


def _oq_standard_error(out: Path, years: int) -> float | None:
    """std of OpenQuake's annual total losses (risk_by_event, by year) / sqrt(T)."""
    files = sorted(out.rglob("risk_by_event*.csv"))
    if not files:
        return None
    totals = [0.0] * years
    with files[0].open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    header = rows[0]
    lt, loss, year = header.index("loss_type"), header.index("loss"), header.index("year")
    for r in rows[1:]:
        if r[lt] in MONEY:
            totals[int(r[year]) % years] += float(r[loss])
    mean = sum(totals) / years
    var = sum((t - mean) ** 2 for t in totals) / (years - 1)
    return math.sqrt(var / years)


def _oq_events(out: Path) -> int | None:
    files = sorted(out.rglob("events*.csv"))
    if not files:
        return None
    with files[0].open(encoding="utf-8") as fh:
        return sum(1 for r in csv.reader(fh) if r and not r[0].startswith("#")) - 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--years", type=int, default=20_000, help="catalogue length T (years)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--cell-km", type=float, default=1.0, help="exposure grid cell (km)")
    ap.add_argument("--a-value", type=float, default=4.0, help="Gutenberg-Richter a of the area source")
    ap.add_argument(
        "--work", type=Path, default=Path(os.environ.get("BENCH_CACHE", "/work/bench-cache")) / "event_based"
    )
    ap.add_argument("--openquake", choices=("run", "skip"), default="run")
    args = ap.parse_args()
    work = args.work.resolve()
    if REPO in work.parents:
        raise SystemExit("--work must be outside the repository")
    log(f"inputs in {work}")
    inputs = prepare(work, args.years, args.seed, args.cell_km, args.a_value)
    facts = {"cores": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
             "loadavg_1m_start": os.getloadavg()[0]}  # fmt: skip
    log("Kalkan, first run (includes numba's first compilation)")
    cold = run_kalkan(work, args.years, args.seed, "cold")
    log("Kalkan, warm run")
    warm = run_kalkan(work, args.years, args.seed, "warm")
    oq = None
    if args.openquake == "run":
        log("OpenQuake event_based_risk")
        oq = run_openquake(work, args.years)
    result: Json = {"inputs": {**inputs, "years": args.years, "seed": args.seed}, "machine": facts,
                    "kalkan_cold": cold, "kalkan_warm": warm, "openquake": oq}  # fmt: skip
    se = warm["aal_standard_error"]
    lines = [
        f"Dushanbe, {inputs['assets']:,} assets at {warm['sites']:,} sites ({args.cell_km:g} km cells), one area "
        f"source (a = {args.a_value:g}, b = 1, M 5-7), BooreEtAl2014, T = {args.years:,} years, {os.cpu_count()} cores",
        "",
        "| engine | wall (s) | peak RSS (MiB) | events | AAL (USD of 2021 per year) | ± SE |",
        "|---|---|---|---|---|---|",
        f"| Kalkan (first run, with JIT) | {cold['wall_s']:.1f} | {cold['peak_rss_mib']:.0f} | "
        f"{cold['events_sampled']:,} ({cold['events_in_hazard']:,} with motion) | {cold['aal']:,.0f} | {se:,.0f} |",
        f"| Kalkan (warm) | {warm['wall_s']:.1f} | {warm['peak_rss_mib']:.0f} | {warm['events_sampled']:,} | "
        f"{warm['aal']:,.0f} | {se:,.0f} |",
    ]
    if oq is not None:
        oq_se = oq["aal_standard_error"] if oq["aal_standard_error"] is not None else se
        n_oq = oq["events"] if oq["events"] is not None else "?"
        lines.append(f"| OpenQuake 3.26 event_based_risk | {oq['wall_s']:.1f} | {oq['peak_rss_mib']:.0f} | {n_oq} | "
                     f"{oq['aal']:,.0f} | {oq_se:,.0f} |")  # fmt: skip
        z = (warm["aal"] - oq["aal"]) / math.hypot(se, oq_se) if se > 0 else math.nan
        result["comparison"] = {"aal_ratio_kalkan_over_oq": warm["aal"] / oq["aal"] if oq["aal"] else math.nan,
                                "z_difference": z, "speedup_warm": oq["wall_s"] / warm["wall_s"],
                                "speedup_cold": oq["wall_s"] / cold["wall_s"]}  # fmt: skip
        c = result["comparison"]
        lines += ["", f"AAL ratio Kalkan/OpenQuake {c['aal_ratio_kalkan_over_oq']:.3f} (difference {z:+.2f} "
                  f"standard errors of the difference); OpenQuake wall / Kalkan wall: {c['speedup_warm']:.1f}x warm, "
                  f"{c['speedup_cold']:.1f}x with the first compilation."]  # fmt: skip
    (work / "results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))
    log(f"results: {work / 'results.json'}")


if __name__ == "__main__":
    main()
