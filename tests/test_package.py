"""The package itself: fast, side-effect-free import; every shipped file has its origin and licence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kalkan.catalog.sources import data_root, data_sources

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_import_is_fast_and_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    code = "import time; t=time.perf_counter(); import kalkan, kalkan.cli; print(time.perf_counter()-t)"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "KALKAN_DATA_DIR": str(home / "k"),
    }
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert float(proc.stdout) < 1.0
    assert list(home.iterdir()) == []


def test_every_shipped_file_is_catalogued() -> None:
    root = data_root()
    listed = {f for s in data_sources() for f in s.files}
    readmes = {s.readme for s in data_sources()}
    for path in root.rglob("*"):
        if path.is_dir() or path.name == "sources.json" or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(root).as_posix()
        if path.name == "README.md":
            continue
        assert rel in listed, f"{rel} is shipped but not listed in data/sources.json"
    for s in data_sources():
        assert (root / s.readme).is_file(), s.readme
        for f in s.files:
            assert (root / f).is_file(), f
            assert (root / f).parent.joinpath("README.md").is_file(), f"{f} has no README beside it"
    assert readmes


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not beside this checkout")
def test_shipped_copies_equal_the_shared_originals() -> None:
    """Files copied from shared/data are unchanged (Kalkan's own compilations have no original there)."""
    compared = 0
    for s in data_sources():
        for f in [*s.files, s.readme]:
            if (SHARED / f).exists():
                assert (data_root() / f).read_bytes() == (SHARED / f).read_bytes(), f
                compared += 1
    assert compared >= 8


def test_sources_json_is_well_formed() -> None:
    raw = json.loads((data_root() / "sources.json").read_text())
    ids = [item["id"] for item in raw]
    assert len(ids) == len(set(ids))
