"""`kalkan city scenario`: a baseline earthquake scenario from a city's stored data, checked independently."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
import scipy.stats

from kalkan.app.city_exposure import city_exposure
from kalkan.app.city_scenario import run_city_scenario
from kalkan.app.database import upgrade_database
from kalkan.errors import InputError
from kalkan.io.facilities import illustrative_facilities
from kalkan.io.hazard import load_hazard
from kalkan.io.shipped_vulnerability import gem_central_asia
from kalkan.store.city_data import load_facilities, save_exposure, save_facilities
from kalkan.store.database import open_store
from tests.errors import expect_error

CITY, SCENARIO = "dushanbe", "dushanbe-gissar-1989"


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding a coarse (2 km) Dushanbe exposure and its illustrative facilities."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'kalkan.sqlite3'}"
    upgrade_database(url)
    store = open_store(url)
    try:
        exposure, record = city_exposure(CITY, cell_km=2.0)
        with store.transaction() as session:
            save_exposure(session, CITY, exposure, licence="CC BY-NC-SA 4.0", citation="GEM", method=record)
            save_facilities(session, CITY, illustrative_facilities(CITY))
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def result(stored: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("run") / "scenario"
    store = open_store(stored)
    try:
        with store.transaction() as session:
            scenario = run_city_scenario(session, CITY, out, scenario=SCENARIO, n_fields=4, seed=7)
    finally:
        store.close()
    summary = scenario.as_dict()
    # The typed result carries the document's numbers, and the document is what summary.json holds.
    assert scenario.mean_loss_total == summary["totals"]["mean_loss_total_usd"]
    assert scenario.mean_fatalities_people == summary["totals"]["mean_fatalities_people"]
    assert len(scenario.districts) == len(read_csv(out / "by_district.csv"))
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(summary))
    return out, summary


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_load_facilities_round_trips(stored: str) -> None:
    store = open_store(stored)
    try:
        with store.transaction() as session:
            back = load_facilities(session, CITY)
    finally:
        store.close()
    original = illustrative_facilities(CITY)
    assert sorted(back.id.tolist()) == sorted(original.id.tolist())
    by_id = {f.id: f for f in original}
    for f in back:
        assert f == by_id[f.id]


def test_modelled_effects_and_the_recorded_toll_beside_the_modelled_one(result: tuple[Path, dict[str, Any]]) -> None:
    """Gissar 1989: ground shaking only is modelled; the record's 274 deaths (a loess flow slide outside the city)
    stand beside it, with their source (data/cities/founding_cities.json, read here with plain json)."""
    out, summary = result
    record = next(d for d in json.loads(
        (Path(__file__).resolve().parents[2] / "src/kalkan/data/cities/founding_cities.json").read_text())[2][
        "notable_disasters"] if d["year"] == 1989)  # fmt: skip
    assert summary["modelled_effects"].startswith("ground shaking only")
    assert any(a.startswith("modelled effects: ground shaking only") for a in summary["assumptions"])
    toll = summary["recorded_toll"]
    assert toll["deaths"] == record["deaths"] == 274 and toll["source"] == record["source"]
    assert "Sharora" in toll["where"]
    assert json.loads((out / "summary.json").read_text())["recorded_toll"]["deaths"] == 274


def test_district_sums_equal_totals_and_event_losses(result: tuple[Path, dict[str, Any]]) -> None:
    out, summary = result
    rows = read_csv(out / "by_district.csv")
    totals = summary["totals"]
    events = pq.read_table(out / "risk" / "event_losses.parquet").to_pydict()
    hazard = load_hazard(out / "hazard" / "hazard_PGA.npz")
    freq = dict(zip(hazard.event_id.tolist(), hazard.frequency.tolist(), strict=True))
    assert sum(freq.values()) == pytest.approx(1.0)
    w = np.array([freq[e] for e in events["event_id"]])
    independent = {
        "mean_loss_structural_usd": w @ np.array(events["loss_structural"]),
        "mean_loss_nonstructural_usd": w @ np.array(events["loss_nonstructural"]),
        "mean_loss_contents_usd": w @ np.array(events["loss_contents"]),
        "mean_loss_total_usd": w @ np.array(events["loss"]),
        "mean_fatalities_people": w @ np.array(events["fatalities"]),
    }
    for key, value in independent.items():
        by_district = sum(float(r[key]) for r in rows)
        assert value > 0, key
        assert by_district == pytest.approx(totals[key], rel=1e-9), key
        assert by_district == pytest.approx(value, rel=1e-6), key
    assert sum(int(r["assets"]) for r in rows) == summary["exposure"]["assets"]
    assert summary["unresolved_taxonomies"]["building_assets_without_structural_function"] == 0
    assert summary["facilities"]["all_illustrative"] is True
    assert any("ILLUSTRATIVE" in a for a in summary["assumptions"])
    assert any("400 m/s" in a for a in summary["assumptions"])
    assert summary["units"]["loss"].startswith("USD of 2021")


def _band_poe_by_hand(mean: float, cov: float, t: float) -> float:
    """P(LR >= t) of a beta loss ratio with this mean and cov (point mass when the spread is nil)."""
    if cov < 1e-6 or mean <= 0.0 or mean >= 1.0:
        return float(mean >= t)
    k = mean * (1.0 - mean) / (cov * mean) ** 2 - 1.0
    return float(scipy.stats.beta(mean * k, (1.0 - mean) * k).sf(t))


def test_facility_damage_states_recomputed_by_hand(result: tuple[Path, dict[str, Any]]) -> None:
    out, _ = result
    rows = {r["id"]: r for r in read_csv(out / "facilities.csv")}
    facilities = {f.id: f for f in illustrative_facilities(CITY)}
    vset = gem_central_asia()
    thresholds = (0.01, 0.06, 0.30, 0.75)  # midpoints of the HAZUS damage ratios 2, 10, 50, 100 %
    checked = 0
    for fid, row in rows.items():
        f = facilities[fid]
        entries = vset.resolve("structural", f.construction_class)
        assert entries is not None
        lr = 0.0
        poe = np.zeros((1, 4))
        freq = None
        for key, weight in entries:
            fn = vset.functions[key]
            assert fn.paa is None and fn.distribution == "BT" and fn.cov is not None
            name = fn.imt.replace("(", "_").replace(")", "")
            h = load_hazard(out / "hazard" / f"hazard_{name}.npz")
            site = int(np.argmin(np.hypot(h.site_lon - f.lon, h.site_lat - f.lat)))
            assert abs(h.site_lon[site] - f.lon) < 1e-5 and abs(h.site_lat[site] - f.lat) < 1e-5
            x = h.intensity.toarray()[:, site].astype(np.float64)
            by_hand = np.interp(x, fn.intensity, fn.mean_lr)
            by_hand[x < fn.intensity[0]] = 0.0
            lr = lr + weight * by_hand
            table = np.array([[_band_poe_by_hand(m, c, t) for t in thresholds]
                              for m, c in zip(fn.mean_lr, fn.cov, strict=True)])  # fmt: skip
            part = np.column_stack([np.interp(x, fn.intensity, table[:, j]) for j in range(4)])
            part[x < fn.intensity[0]] = 0.0
            poe = poe + weight * part
            freq = h.frequency
        assert freq is not None
        mean_poe = freq @ poe
        assert float(row["p_nonfunctional"]) == pytest.approx(mean_poe[2], abs=1e-9), fid  # extensive or worse
        for j, state in enumerate(("slight", "moderate", "extensive", "complete")):
            below = mean_poe[j + 1] if j < 3 else 0.0
            assert float(row[f"p_{state}"]) == pytest.approx(mean_poe[j] - below, abs=1e-9), (fid, state)
        assert float(row["p_none"]) == pytest.approx(1.0 - mean_poe[0], abs=1e-9), fid
        assert float(row["mean_structural_loss_ratio"]) == pytest.approx(float(freq @ lr), rel=1e-6), fid
        checked += 1
    assert checked == len(facilities)
    assert any(float(r["p_nonfunctional"]) > 1e-3 for r in rows.values()), "the check needs a non-zero probability"


def test_expected_nonfunctional_sums(result: tuple[Path, dict[str, Any]]) -> None:
    out, summary = result
    districts = read_csv(out / "by_district.csv")
    facilities = read_csv(out / "facilities.csv")
    total_p = sum(float(r["p_nonfunctional"]) for r in facilities)
    assert sum(float(r["expected_nonfunctional_facilities"]) for r in districts) == pytest.approx(total_p)
    assert summary["totals"]["expected_nonfunctional_facilities"] == pytest.approx(total_p)
    assert sum(int(r["facilities"]) for r in districts) == len(facilities)
    known = {r["district"] for r in districts}
    assert all(r["district"] in known and r["illustrative"] == "True" for r in facilities)


def kalkan(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KALKAN_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "kalkan", *args], capture_output=True, text=True, timeout=300, check=False, env=env
    )


def test_cli_end_to_end(stored: str, tmp_path: Path) -> None:
    proc = kalkan(stored, "city", "scenario", CITY, "--scenario", SCENARIO, "--out", str(tmp_path / "j"),
                  "--n", "2", "--gmpe", "BooreEtAl2014", "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["city"] == CITY and d["n_fields"] == 2 and d["events"] == 2
    assert list(d["models"]["ground_motion"]) == ["BooreEtAl2014"]
    run_id = d.pop("run_id")  # the --json output adds the run's id to summary.json
    assert json.loads((tmp_path / "j" / "summary.json").read_text()) == d
    assert d["site_condition"]["vs30_m_s"] == 400.0 and "stiff soil" in d["site_condition"]["basis"]
    shown = json.loads(kalkan(stored, "runs", "show", run_id, "--json").stdout)
    assert shown["kind"] == "city-scenario" and shown["status"] == "succeeded" and shown["city_id"] == CITY
    assert shown["command"].startswith("kalkan city scenario dushanbe") and shown["published_to"] == str(tmp_path / "j")
    own = Path(shown["result_path"])  # the run's own copy: same bytes, outside the user's folder
    assert (own / "summary.json").read_bytes() == (tmp_path / "j" / "summary.json").read_bytes()
    assert set(shown["output_digests"]) >= {"summary.json", "by_district.csv", "facilities.csv"}
    text = kalkan(stored, "city", "scenario", CITY, "--scenario", SCENARIO, "--out", str(tmp_path / "t"), "--n", "2")
    assert text.returncode == 0, text.stderr
    assert "ILLUSTRATIVE facilities" in text.stdout and "USD of 2021" in text.stdout and "people" in text.stdout
    assert "ground shaking only" in text.stdout and "recorded toll" in text.stdout and "274" in text.stdout
    assert "Site condition: Vs30 400 m/s" in " ".join(text.stdout.split())


def test_city_without_exposure_is_refused_and_writes_nothing(stored: str, tmp_path: Path) -> None:
    out = tmp_path / "osh"
    store = open_store(stored)
    try:
        with store.transaction() as session, pytest.raises(InputError) as info:
            run_city_scenario(session, "osh", out, scenario="osh-1924", n_fields=2)
        expect_error(info, "not_found.data")
    finally:
        store.close()
    assert not out.exists() and list(tmp_path.iterdir()) == []
    proc = kalkan(stored, "city", "scenario", "osh", "--scenario", "osh-1924", "--out", str(out))
    assert proc.returncode != 0 and "has no exposure" in proc.stderr + proc.stdout
    assert not out.exists()


def test_rupture_choice_is_checked(stored: str, tmp_path: Path) -> None:
    store = open_store(stored)
    out = tmp_path / "x"
    try:
        with store.transaction() as session:
            with pytest.raises(InputError) as info:
                run_city_scenario(session, CITY, out, scenario=SCENARIO, rupture_options={"mag": 6.0})
            expect_error(info, "input.options", "--scenario")
            with pytest.raises(InputError) as info:
                run_city_scenario(session, CITY, out)
            expect_error(info, "input.options", "--scenario")
            with pytest.raises(InputError, match="'heavy'") as info:  # the value given
                run_city_scenario(session, CITY, out, scenario=SCENARIO, nonfunctional_from="heavy")
            expect_error(info, "input.unknown", "--nonfunctional-from")
    finally:
        store.close()
    assert not out.exists()


def test_hypothetical_rupture_from_the_cli_is_labelled(stored: str, tmp_path: Path) -> None:
    """A user-defined rupture under the city: marked HYPOTHETICAL; a stricter non-functional state gives less."""
    runs = {}
    for state in ("moderate", "complete"):
        out = tmp_path / state
        proc = kalkan(stored, "city", "scenario", CITY, "--magnitude", "6.0", "--lon", "68.78", "--lat", "38.56",
                      "--depth", "10", "--strike", "70", "--dip", "45", "--rake", "90", "--n", "2", "--gmpe",
                      "BooreEtAl2014", "--nonfunctional-from", state, "--out", str(out), "--json")  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(proc.stdout)
        assert summary["scenario"]["hypothetical"] is True
        assert summary["assumptions"][0].startswith("the earthquake is HYPOTHETICAL")
        assert summary["models"]["facility_fragility"]["nonfunctional_from"] == state
        runs[state] = summary["totals"]["expected_nonfunctional_facilities"]
    assert runs["moderate"] > runs["complete"] > 0
    proc = kalkan(stored, "city", "scenario", CITY, "--magnitude", "6.0", "--out", str(tmp_path / "bad"))
    assert proc.returncode != 0 and "lon" in proc.stderr + proc.stdout
    assert not (tmp_path / "bad").exists()
