"""CLI file commands: exposure convert, hazard info/convert, eq verify-table (subprocess, as a user runs them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from kalkan.core.exposure.table import Exposure
from kalkan.io.exposure import read_exposure, write_exposure
from kalkan.io.hazard import load_hazard

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "core" / "risk" / "data" / "climada_golden_5k_1k"


def kalkan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kalkan", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_exposure_convert_round_trip(tmp_path: Path) -> None:
    exp = Exposure(
        id=np.array(["a", "b"], dtype=object), lon=np.array([68.7, 68.8]), lat=np.array([38.5, 38.6]),
        taxonomy=np.array(["RC", "URM"], dtype=object), costs={"structural": np.array([1e5, 2e5])},
        occupants={"night": np.array([3.0, 4.0])}, price_year=2021,
    )  # fmt: skip
    write_exposure(exp, tmp_path / "e.csv")
    proc = kalkan("exposure", "convert", str(tmp_path / "e.csv"), str(tmp_path / "e.gpkg"))
    assert proc.returncode == 0, proc.stderr
    assert "2 assets, replacement cost 300,000 USD of 2021" in proc.stdout
    back = read_exposure(tmp_path / "e.gpkg")
    assert back.id.tolist() == ["a", "b"] and np.array_equal(back.costs["structural"], exp.costs["structural"])
    bad = kalkan("exposure", "convert", str(tmp_path / "e.csv"), str(tmp_path / "e.txt"))
    assert bad.returncode == 2 and "unknown exposure format" in bad.stderr


def test_hazard_info_and_convert(tmp_path: Path) -> None:
    info = json.loads(kalkan("hazard", "info", str(CASE / "hazard.npz"), "--json").stdout)
    assert (info["events"], info["sites"], info["nonzeros"], info["imt"]) == (1000, 400, 80000, "PGA")
    proc = kalkan("hazard", "convert", str(CASE / "hazard.npz"), str(tmp_path / "h.npz"))
    assert proc.returncode == 0, proc.stderr
    h = load_hazard(tmp_path / "h.npz")
    with np.load(CASE / "hazard.npz") as z:
        assert np.array_equal(h.intensity.data, z["data"]) and np.array_equal(h.frequency, z["frequency"])
    bad = kalkan("hazard", "info", str(tmp_path / "missing.npz"))
    assert bad.returncode == 2 and "file not found" in bad.stderr


def test_openquake_exposure_csv_header_is_unquoted(tmp_path: Path) -> None:
    """OpenQuake's exposure reader takes quoted header names literally ('"lon"'), so the header is bare."""
    exp = Exposure(
        id=np.array(["a-1"], dtype=object), lon=np.array([68.7]), lat=np.array([38.5]),
        taxonomy=np.array(["CR/LFINF/H:2"], dtype=object), costs={"structural": np.array([1e5])},
        occupants={"night": np.array([3.0])}, district=np.array(["Shohmansur, north"], dtype=object), price_year=2021,
    )  # fmt: skip
    write_exposure(exp, tmp_path / "e.xml")
    header, row = (tmp_path / "e.csv").read_text().splitlines()[:2]
    assert '"' not in header and header.startswith("id,lon,lat,taxonomy")
    assert '"Shohmansur, north"' in row  # values that need quotes keep them
    back = read_exposure(tmp_path / "e.xml")
    assert back.district is not None and back.district.tolist() == ["Shohmansur, north"]
