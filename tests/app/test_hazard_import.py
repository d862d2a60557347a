"""`import_hazard_maps` end to end: ILLUSTRATIVE layers on a stored city, JRC AAL, climate shift, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio  # type: ignore[import-untyped]
import typer
from affine import Affine
from typer.testing import CliRunner

from kalkan.app.city_exposure import city_exposure
from kalkan.app.database import upgrade_database
from kalkan.app.hazard_import import import_hazard_maps
from kalkan.app.illustrative_floods import ILLUSTRATIVE_LABEL, write_illustrative_layers
from kalkan.cli.hazard_import import hazard_import
from kalkan.errors import InputError
from kalkan.io.hazard import load_hazard, read_hazard_metadata
from kalkan.io.hazard_maps import MapSpec
from kalkan.store.city_data import save_exposure
from kalkan.store.database import open_store

CITY = "namangan"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with coarse (2 km) exposures of Namangan (Naryn nearby) and Osh (no NE river)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'kalkan.sqlite3'}"
    upgrade_database(url)
    store = open_store(url)
    try:
        for city in (CITY, "osh"):
            exposure, record = city_exposure(city, cell_km=2.0)
            with store.transaction() as session:
                save_exposure(session, city, exposure, licence="CC BY-NC-SA 4.0", citation="GEM", method=record)
    finally:
        store.close()
    return url


def _run(url: str, out: Path, **kwargs: Any) -> dict[str, Any]:
    store = open_store(url)
    try:
        with store.transaction() as session:
            return import_hazard_maps(out, session=session, **kwargs)
    finally:
        store.close()


@pytest.fixture(scope="module")
def illustrative(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("run") / "flood"
    return out, _run(store_url, out, illustrative_city=CITY, ssp="ssp245", horizon=2050, assess=True)


def test_illustrative_run_is_labelled_everywhere(illustrative: tuple[Path, dict[str, Any]]) -> None:
    out, summary = illustrative
    assert summary["illustrative"] is True and summary["label"] == ILLUSTRATIVE_LABEL
    assert summary["illustrative_layers"]["rivers"] == ["Naryn"]
    assert json.loads((out / "summary.json").read_text())["label"] == ILLUSTRATIVE_LABEL
    for name in summary["hazard_files"]:
        h = load_hazard(out / name)
        assert h.peril == "riverine_flood" and (h.imt, h.unit) == ("depth", "m")
    assert read_hazard_metadata(out / summary["hazard_files"][0])["source"].startswith(ILLUSTRATIVE_LABEL)
    for spec_file in summary["illustrative_layers"]["files"].values():
        assert spec_file.startswith(str(out))
        with rasterio.open(spec_file) as ds:
            assert ds.tags()["ILLUSTRATIVE"] == ILLUSTRATIVE_LABEL and ds.tags()["units"] == "m"
    assert ".tmp-" not in json.dumps(summary)


def test_illustrative_run_numbers(illustrative: tuple[Path, dict[str, Any]]) -> None:
    _, summary = illustrative
    assert [e["frequency_per_year"] for e in summary["events"]] == pytest.approx([0.08, 0.01, 0.008, 0.002])
    assert summary["sites_with_hazard"] > 0 and summary["sites_without_hazard"] > 0
    assert summary["sites_with_hazard"] + summary["sites_without_hazard"] == summary["sites"]["n_sites"]
    wet = [e["sites_with_depth"] for e in summary["events"]]
    assert wet == sorted(wet)  # the toy maps are monotone in T
    assert summary["monotonicity"]["pairs"][0]["sites_decreasing"] == 0
    climate = summary["climate"]
    assert climate["ssp"] == "ssp245" and climate["window"] == "2041-2060" and climate["region"] == "WCA"
    assert climate["frequency_per_year"] == pytest.approx(
        [f * climate["frequency_factor"] for f in (0.08, 0.01, 0.008, 0.002)]
    )
    base, shifted = summary["assessment"]
    assert base["vulnerability"] == "jrc-flood-asia" and base["aal"] > 0
    # frequencies scale by the factor, depths do not change: AAL scales exactly by it
    assert shifted["aal"] == pytest.approx(base["aal"] * climate["frequency_factor"], rel=1e-9)
    assert summary["vulnerability_default"] == "jrc-flood-asia"


def test_city_without_river_gets_no_layer(store_url: str, tmp_path: Path) -> None:
    summary = _run(store_url, tmp_path / "osh", illustrative_city="osh")
    assert summary["illustrative_layers"]["available"] is False
    assert "never invents a river" in summary["illustrative_layers"]["reason"]
    assert summary["hazard_files"] == [] and not list((tmp_path / "osh").glob("*.npz"))


def test_layers_are_deterministic(tmp_path: Path) -> None:
    a = write_illustrative_layers("petropavl", tmp_path / "a")
    b = write_illustrative_layers("petropavl", tmp_path / "b")
    assert a.rivers == ("Ishim",)
    for pa, pb in zip(a.maps, b.maps, strict=True):
        assert pa.path.read_bytes() == pb.path.read_bytes()


def _maps_and_sites(tmp_path: Path) -> tuple[list[str], Path]:
    args = []
    for rp, depth in ((10, 0.5), (100, 1.5)):
        path = tmp_path / f"d{rp}.tif"
        with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
                           crs="EPSG:4326", transform=Affine(0.1, 0, 68.0, 0, -0.1, 42.0)) as ds:  # fmt: skip
            ds.write(np.full((1, 10, 10), depth, dtype=np.float32))
        args.append(f"{rp}={path}")
    sites = tmp_path / "sites.csv"
    sites.write_text("id,lon,lat\na,68.05,41.95\nb,68.55,41.55\nc,75.0,41.0\n", encoding="utf-8")
    return args, sites


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root (keeps `import` a sub-command)."""

    app.command("import")(hazard_import)
    return app


def test_cli_json_with_sites_csv_and_factor(tmp_path: Path) -> None:
    args, sites = _maps_and_sites(tmp_path)
    cmd = ["import", "--peril", "river_flood", "--rp", args[0], "--rp", args[1], "--sites", str(sites),
           "--out", str(tmp_path / "out"), "--frequency-factor", "1.5", "--json"]  # fmt: skip
    result = CliRunner().invoke(_app(), cmd)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sites"]["n_sites"] == 3 and summary["sites_with_hazard"] == 2
    assert summary["maps"][0]["sites_outside_map"] == 1
    assert summary["climate"]["frequency_per_year"] == pytest.approx([0.09 * 1.5, 0.01 * 1.5])
    assert summary["illustrative"] is False
    assert sorted(p.name for p in (tmp_path / "out").glob("*.npz")) == [
        "hazard_riverine_flood.npz",
        "hazard_riverine_flood_factor.npz",
    ]


def test_cli_table_and_errors(tmp_path: Path) -> None:
    args, sites = _maps_and_sites(tmp_path)
    ok = CliRunner().invoke(_app(), ["import", "--peril", "snowmelt_flood", "--rp", args[0], "--sites", str(sites),
                                     "--out", str(tmp_path / "o1")])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "frequency (1/year)" in ok.stdout and "Sites with hazard: 2 of 3" in ok.stdout
    bad = CliRunner().invoke(_app(), ["import", "--peril", "river_flood", "--rp", args[1], "--rp", args[0],
                                      "--sites", str(sites), "--out", str(tmp_path / "o2")])  # fmt: skip
    assert isinstance(bad.exception, InputError) and "strictly increasing" in str(bad.exception)
    assert not (tmp_path / "o2").exists()
    bad_sites = tmp_path / "bad.csv"
    bad_sites.write_text("lon,lat\n68.1,x\n", encoding="utf-8")
    res = CliRunner().invoke(_app(), ["import", "--peril", "river_flood", "--rp", args[0], "--sites", str(bad_sites),
                                      "--out", str(tmp_path / "o3")])  # fmt: skip
    assert isinstance(res.exception, InputError) and "line 2, field 'lat'" in str(res.exception)


def test_landslide_classes_are_an_indicator(tmp_path: Path) -> None:
    path = tmp_path / "susc.tif"
    data = np.full((1, 10, 10), 2, dtype=np.float32)
    data[0, 0, 0] = 5
    with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32", crs="EPSG:4326",
                       transform=Affine(0.1, 0, 68.0, 0, -0.1, 42.0)) as ds:  # fmt: skip
        ds.write(data)
        ds.update_tags(units="class")
    _, sites = _maps_and_sites(tmp_path)
    summary = import_hazard_maps(tmp_path / "ls", peril="landslide", unit="class", maps=[MapSpec(None, path)],
                                 sites_csv=sites, class_frequency={5: 0.02}, frequency_factor=1.2)  # fmt: skip
    assert summary["hazard_files"] == [] and "not usable for losses" in summary["indicator"]["kind"]
    assert summary["indicator"]["sites_per_class"]["5"] == 1 and summary["indicator"]["sites_per_class"]["none"] == 1
    assert summary["indicator"]["class_frequency_per_year_shifted"]["5"] == pytest.approx(0.024)
    rows = (tmp_path / "ls" / "landslide_susceptibility_sites.csv").read_text().splitlines()
    assert rows[0].startswith("site,lon,lat,class,site_class") and rows[1].endswith(",5,5,0.02")


def test_provenance_travels_with_the_hazard_file(tmp_path: Path) -> None:
    """The ILLUSTRATIVE label written into a converted hazard file is read back by `hazard_provenance`."""
    import numpy as np
    from scipy import sparse

    from kalkan.core.hazard.hazardset import HazardSet
    from kalkan.io.hazard import hazard_provenance, save_hazard

    h = HazardSet(peril="riverine_flood", imt="depth", unit="m", site_lon=np.array([69.1]), site_lat=np.array([54.8]),
                  event_id=np.array([1]), frequency=np.array([0.01]), intensity=sparse.csr_matrix([[0.5]]),
                  source="ILLUSTRATIVE (synthetic, not a flood model): test maps")  # fmt: skip
    path = tmp_path / "h.npz"
    save_hazard(h, path)
    assert hazard_provenance(path) == "ILLUSTRATIVE (synthetic, not a flood model): test maps"
    assert hazard_provenance(tmp_path / "other.hdf5") is None
