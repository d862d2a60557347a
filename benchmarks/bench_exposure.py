"""Dushanbe's building exposure: build, store, load and validate — Kalkan beside OpenQuake's exposure reader.

Side by side on the same file: the GEM-derived Dushanbe exposure (20,700 assets at 0.5 km; more at a finer
grid) written once as an OpenQuake exposure (NRML XML + CSV) and read, validated, by

* Kalkan: ``kalkan.io.exposure.read_exposure`` (builds and validates the ``Exposure``), and
* OpenQuake: ``openquake.risklib.asset.Exposure.read_all`` (its reader used by every risk calculation),

each in a fresh process (import time excluded, reported separately), best of ``--repeat``. Kalkan-only steps
(build from the GEM files, save to and load from the SQLite store) are timed too. Usage::

    .venv/bin/python benchmarks/bench_exposure.py [--cell-km 0.5 0.25] [--repeat 3] [--oq-python PATH]

The OpenQuake interpreter defaults to ``$OQ_VENV/bin/python`` (``/work/venvs/openquake``; see README.md).
Writes ``benchmarks/results_exposure.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

KALKAN_READ = """
import json, resource, sys, time
t0 = time.perf_counter()
from kalkan.io.exposure import read_exposure
t1 = time.perf_counter()
e = read_exposure(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "assets": len(e),
                  "structural": float(e.costs["structural"].sum()),
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

OQ_READ = """
import json, resource, sys, time
t0 = time.perf_counter()
from openquake.risklib import asset
t1 = time.perf_counter()
e = asset.Exposure.read_all([sys.argv[1]])
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "assets": len(e.assets),
                  "structural": float(e.assets["value-structural"].sum()),
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(python: str, code: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run([python, "-c", code, str(path)], capture_output=True, text=True, check=False, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"{python}: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _best(python: str, code: str, path: Path, repeat: int) -> dict[str, Any]:
    runs = [_child(python, code, path) for _ in range(repeat)]
    best = min(runs, key=lambda r: float(r["read_s"]))
    best["runs_read_s"] = [round(float(r["read_s"]), 4) for r in runs]
    return best


def _kalkan_steps(cell_km: float, work: Path) -> dict[str, Any]:
    from kalkan.app.city_exposure import city_exposure
    from kalkan.app.database import upgrade_database
    from kalkan.io.exposure import write_exposure
    from kalkan.store.city_data import load_exposure, save_exposure
    from kalkan.store.database import open_store

    t0 = time.perf_counter()
    exposure, record = city_exposure("dushanbe", cell_km)
    t1 = time.perf_counter()
    xml = work / f"dushanbe_{cell_km:g}km.xml"
    write_exposure(exposure, xml)
    t2 = time.perf_counter()
    url = f"sqlite:///{work / f'store_{cell_km:g}.sqlite3'}"
    upgrade_database(url)
    store = open_store(url)
    try:
        t3 = time.perf_counter()
        with store.transaction() as session:
            save_exposure(
                session, "dushanbe", exposure, licence=record["licence"], citation=record["citation"], method=record
            )
        t4 = time.perf_counter()
        with store.transaction() as session:
            back = load_exposure(session, "dushanbe")
        t5 = time.perf_counter()
    finally:
        store.close()
    assert len(back) == len(exposure)
    return {
        "assets": len(exposure),
        "cells": record["n_cells"],
        "build_from_gem_s": t1 - t0,
        "write_oq_xml_csv_s": t2 - t1,
        "store_save_s": t4 - t3,
        "store_load_and_validate_s": t5 - t4,
        "xml": str(xml),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell-km", type=float, nargs="+", default=[0.5, 0.25])
    parser.add_argument("--repeat", type=int, default=3)
    default_oq = Path(os.environ.get("OQ_VENV", "/work/venvs/openquake")) / "bin" / "python"
    parser.add_argument("--oq-python", default=str(default_oq))
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for cell_km in args.cell_km:
            steps = _kalkan_steps(cell_km, Path(tmp))
            xml = Path(steps.pop("xml"))
            kalkan = _best(sys.executable, KALKAN_READ, xml, args.repeat)
            row: dict[str, Any] = {"cell_km": cell_km, **steps, "kalkan_read": kalkan}
            if Path(args.oq_python).exists():
                oq = _best(args.oq_python, OQ_READ, xml, args.repeat)
                row["openquake_read"] = oq
                row["read_speedup"] = oq["read_s"] / kalkan["read_s"]
                row["memory_ratio"] = oq["peak_rss_mib"] / kalkan["peak_rss_mib"]
                row["structural_total_difference_usd"] = oq["structural"] - kalkan["structural"]
            results.append(row)
            print(json.dumps(row, indent=1))
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
    (HERE / "results_exposure.json").write_text(json.dumps({"machine": machine, "results": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
