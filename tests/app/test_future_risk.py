"""Future risk: four in-memory engine runs (H0/H1 x E0/E1) checked against hand-computed losses, and the
city service on a stored exposure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from kalkan.app.future_risk import city_future_risk, future_risk
from kalkan.core.exposure.growth import Overrides, growth_factors
from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.vulnerability.functions import VulnerabilityFunction, VulnerabilitySet
from kalkan.errors import InputError
from kalkan.io.hazard import save_hazard
from kalkan.io.ssp import shipped_ssp_tables
from tests.errors import expect_error

LON = np.array([68.78, 68.80])
LAT = np.full(2, 38.56)
FREQ = np.array([0.01, 0.1])


def vset() -> VulnerabilitySet:
    """Structural loss ratio = PGA / 2 (to 2 g), fatality ratio = PGA / 200."""
    x = np.array([0.0, 2.0])
    functions = {
        "s": VulnerabilityFunction("s", "PGA", "g", x, np.array([0.0, 1.0]), loss_type="structural"),
        "o": VulnerabilityFunction("o", "PGA", "g", x, np.array([0.0, 0.01]), loss_type="occupants"),
    }
    return VulnerabilitySet(functions, {"structural": {"T": (("s", 1.0),)}, "occupants": {"T": (("o", 1.0),)}})


def exposure() -> Exposure:
    return Exposure(
        id=np.array(["a", "b"], dtype=object), lon=LON.copy(), lat=LAT.copy(),
        taxonomy=np.array(["T", "T"], dtype=object),
        costs={"structural": np.array([1000.0, 2000.0])}, occupants={"night": np.array([100.0, 50.0])},
        price_year=2021, source="test exposure",
    )  # fmt: skip


def write_hazard(path: Path, dense: list[list[float]]) -> Path:
    h = HazardSet(
        peril="earthquake", imt="PGA", unit="g", site_lon=LON, site_lat=LAT, event_id=np.array([1, 2]),
        frequency=FREQ, intensity=sparse.csr_matrix(np.array(dense)), source=str(path),
    )  # fmt: skip
    save_hazard(h, path)
    return path


TODAY = [[0.4, 0.2], [0.2, 0.0]]
FUTURE = [[0.6, 0.4], [0.3, 0.1]]


def hand_aal(dense: list[list[float]], values: np.ndarray) -> float:  # type: ignore[type-arg]
    return float(FREQ @ (np.array(dense) / 2.0 @ values))


@pytest.fixture(scope="module")
def hazards(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("future")
    return write_hazard(folder / "today.npz", TODAY), write_hazard(folder / "future.npz", FUTURE)


def test_four_runs_and_attribution(hazards: tuple[Path, Path]) -> None:
    f = growth_factors("TJK", "ssp245", tables=shipped_ssp_tables(), horizon=2050)
    result = future_risk(exposure(), [hazards[0]], [hazards[1]], vset(), f)
    cost = np.array([1000.0, 2000.0])
    r00, r10 = hand_aal(TODAY, cost), hand_aal(FUTURE, cost)
    assert result.runs["today"].aal_per_year == pytest.approx(r00)
    assert result.runs["hazard_only"].aal_per_year == pytest.approx(r10)
    assert result.runs["exposure_only"].aal_per_year == pytest.approx(f.value_factor * r00)
    assert result.runs["future"].aal_per_year == pytest.approx(f.value_factor * r10)
    assert result.aal_change.interaction == pytest.approx((f.value_factor - 1) * (r10 - r00))
    r = result.as_dict()  # the JSON document
    assert r["runs"]["today"]["aal"] == result.runs["today"].aal_per_year
    a = r["attribution"]["aal"]
    one = a["one_at_a_time"]
    assert one["hazard_effect"] + one["exposure_effect"] + one["interaction"] == pytest.approx(a["total_change"])
    assert one["interaction"] == pytest.approx((f.value_factor - 1) * (r10 - r00))
    assert a["unit"] == "USD of 2021 per year"
    occ = np.array([100.0, 50.0])
    fat = r["attribution"]["fatalities_per_year"]
    assert fat["today"] == pytest.approx(hand_aal(TODAY, occ) / 100.0)
    assert fat["exposure_only"] == pytest.approx(f.urban_population_factor * fat["today"])
    assert list(r["attribution"]["rp_losses"]) == ["10", "25", "50", "100", "250", "475", "500", "1000", "2475"]
    # Today's event losses: 0.2 x 1000 + 0.1 x 2000 = 400 at 0.01 per year, 0.1 x 1000 = 100 at 0.1 per year, so
    # lambda(400) = 0.01 and lambda(100) = 0.11: the T-year loss is 100 for T from 1/0.11 to 100 years (not
    # interpolated towards 400), then 400.
    today = r["runs"]["today"]["rp_losses"]
    assert today == {"10": 100.0, "25": 100.0, "50": 100.0, "100": 400.0, "250": 400.0, "475": 400.0, "500": 400.0,
                     "1000": 400.0, "2475": 400.0}  # fmt: skip
    assert "no interpolation" in r["return_period_definition"]
    assert r["growth"]["ssp"] == "SSP2" and r["period"] == "2041-2060 (window mean)"


def test_refuses_different_intensity_measures(hazards: tuple[Path, Path], tmp_path: Path) -> None:
    h = HazardSet(
        peril="earthquake", imt="SA(0.3)", unit="g", site_lon=LON, site_lat=LAT, event_id=np.array([1]),
        frequency=np.array([0.1]), intensity=sparse.csr_matrix(np.array([[0.1, 0.1]])), source="sa",
    )  # fmt: skip
    other = tmp_path / "sa.npz"
    save_hazard(h, other)
    with pytest.raises(InputError) as info:
        future_risk(exposure(), [hazards[0]], [other], vset(),
                    growth_factors("TJK", "SSP2", tables=shipped_ssp_tables(), year=2050))  # fmt: skip
    expect_error(info, "input.inconsistent", "hazard")


def structural_csv(folder: Path) -> tuple[Path, Path]:
    """A vulnerability CSV (loss ratio = PGA / 2 up to 2 g) and its mapping for taxonomy T."""
    vuln = folder / "vuln.csv"
    vuln.write_text(
        "id,loss_type,imt,unit,intensity,mean_lr,cov,distribution\n"
        "s,structural,PGA,g,0.0,0.0,,none\ns,structural,PGA,g,2.0,1.0,,none\n"
    )
    mapping = folder / "mapping.csv"
    mapping.write_text("taxonomy,conversion,weight\nT,s,1\n")
    return vuln, mapping


def test_city_service(sqlite_url: str, hazards: tuple[Path, Path], tmp_path: Path) -> None:
    from kalkan.app.database import upgrade_database
    from kalkan.store.city_data import save_exposure
    from kalkan.store.database import open_store

    vuln, mapping = structural_csv(tmp_path)
    upgrade_database(sqlite_url)
    store = open_store(sqlite_url)
    try:
        with store.transaction() as session:
            save_exposure(session, "dushanbe", exposure(), licence="test", citation="test", method={})
        with store.transaction() as session:
            r = city_future_risk(
                session, "dushanbe", [hazards[0]], [hazards[1]], ssp="ssp585", horizon=2050,
                vulnerability_paths=[vuln], taxonomy_mapping=mapping, overrides=Overrides(value_factor=2.0),
            ).as_dict()  # fmt: skip
    finally:
        store.close()
    assert r["country_iso3"] == "TJK" and r["growth"]["base_year"] == 2021 and r["growth"]["value_factor"] == 2.0
    r00 = hand_aal(TODAY, np.array([1000.0, 2000.0]))
    assert r["attribution"]["aal"]["exposure_only"] == pytest.approx(2 * r00)
    assert "fatalities_per_year" not in r["attribution"]


def test_cli_risk_future(sqlite_url: str, hazards: tuple[Path, Path], tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    from kalkan.app.database import upgrade_database
    from kalkan.store.city_data import save_exposure
    from kalkan.store.database import open_store

    vuln, mapping = structural_csv(tmp_path)
    upgrade_database(sqlite_url)
    store = open_store(sqlite_url)
    try:
        with store.transaction() as session:
            save_exposure(session, "dushanbe", exposure(), licence="test", citation="test", method={})
    finally:
        store.close()
    args = [sys.executable, "-m", "kalkan", "risk", "future", "dushanbe", "--hazard-today", str(hazards[0]),
            "--hazard-future", str(hazards[1]), "--ssp", "ssp245", "--horizon", "2050", "--vulnerability", str(vuln),
            "--taxonomy-mapping", str(mapping)]  # fmt: skip
    env = {**os.environ, "KALKAN_DATABASE_URL": sqlite_url}
    proc = subprocess.run([*args, "--json"], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    f = growth_factors("TJK", "ssp245", tables=shipped_ssp_tables(), horizon=2050, base_year=2021)
    r00 = hand_aal(TODAY, np.array([1000.0, 2000.0]))
    assert r["attribution"]["aal"]["exposure_only"] == pytest.approx(f.value_factor * r00)
    table = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert table.returncode == 0, table.stderr
    assert "hazard effect" in table.stdout and "USD of 2021" in " ".join(table.stdout.split())
    both = subprocess.run([*args, "--year", "2050"], capture_output=True, text=True, env=env, check=False)
    assert both.returncode == 2 and "not both" in both.stderr
