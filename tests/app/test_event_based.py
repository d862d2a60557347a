"""Event-based city risk end to end on a coarse exposure and a tiny source model, and ``kalkan eq events``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from kalkan.app.city_event_risk import city_event_based_risk, rp_warnings
from kalkan.app.city_exposure import city_exposure
from kalkan.app.database import upgrade_database
from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S
from kalkan.io.digest import sha256_file
from kalkan.io.hazard import load_hazard
from kalkan.store.city_data import save_exposure
from kalkan.store.database import open_store

CITY, YEARS = "dushanbe", 3000

TINY_MODEL = """<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5" xmlns:gml="http://www.opengis.net/gml">
  <sourceModel name="tiny test model">
    <sourceGroup name="asc" tectonicRegion="Active Shallow Crust">
      <areaSource id="GIS" name="Gissar test zone" tectonicRegion="Active Shallow Crust">
        <areaGeometry>
          <gml:Polygon><gml:exterior><gml:LinearRing>
            <gml:posList>68.40 38.30 69.20 38.30 69.20 38.90 68.40 38.90</gml:posList>
          </gml:LinearRing></gml:exterior></gml:Polygon>
          <upperSeismoDepth>0.0</upperSeismoDepth>
          <lowerSeismoDepth>20.0</lowerSeismoDepth>
        </areaGeometry>
        <magScaleRel>WC1994</magScaleRel>
        <ruptAspectRatio>1.5</ruptAspectRatio>
        <truncGutenbergRichterMFD aValue="4.0" bValue="1.0" minMag="5.0" maxMag="7.0"/>
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


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "tiny.xml"
    path.write_text(TINY_MODEL, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with a coarse (3 km cells) Dushanbe exposure."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'kalkan.sqlite3'}"
    upgrade_database(url)
    store = open_store(url)
    try:
        exposure, record = city_exposure(CITY, cell_km=3.0)
        with store.transaction() as session:
            save_exposure(session, CITY, exposure, licence="CC BY-NC-SA 4.0", citation="GEM", method=record)
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory, store_url: str, model_path: Path) -> tuple[Path, dict[str, Any]]:
    store = open_store(store_url)
    out = tmp_path_factory.mktemp("run") / "event-risk"
    try:
        with store.transaction() as session:
            risk = city_event_based_risk(session, CITY, out, source_model=model_path, years=YEARS, seed=5,
                                         gmpes=["BooreEtAl2014", "AkkarEtAlRjb2014"], block_events=100)  # fmt: skip
    finally:
        store.close()
    summary = risk.as_dict()
    # The typed result carries the document's numbers, and the document is what summary.json holds.
    assert risk.aal_per_year == summary["aal"] and risk.money == summary["units"]["loss"]
    assert risk.expected_annual_fatalities_per_year == summary["expected_annual_fatalities"]
    occurrence = summary["losses_at_return_periods"]["occurrence"]
    assert risk.loss_curves.at((100,))["occurrence"] == {"100": occurrence["100"]}
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(summary))
    return out, summary


def test_summary_records_model_logic_tree_and_catalogue(result: tuple[Path, dict[str, Any]], model_path: Path) -> None:
    out, summary = result
    assert summary["source_model"]["sha256"] == sha256_file(model_path)
    assert summary["source_model"]["path"] == str(model_path.resolve())
    assert summary["gmpe_logic_tree"]["branches"] == {"BooreEtAl2014": 0.5, "AkkarEtAlRjb2014": 0.5}
    cat = summary["catalogue"]
    assert cat["years"] == YEARS and cat["seed"] == 5
    # about 0.1 events per year from the MFD (10^(4-5) - 10^(4-7)): Poisson count within 4 sigma
    assert abs(cat["events_sampled"] - 0.099 * YEARS) < 4 * np.sqrt(0.099 * YEARS)
    assert 0 < cat["events_in_hazard"] <= cat["events_sampled"]
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(summary))
    assert summary["modelled_effects"].startswith("ground shaking only")
    # one Vs30 default, stated with its basis
    assert summary["ground_motion"]["vs30_m_s"] == DEFAULT_VS30_M_S == 400.0
    assert summary["site_condition"]["vs30_m_s"] == 400.0 and "stiff soil" in summary["site_condition"]["basis"]


def test_long_return_periods_are_flagged(result: tuple[Path, dict[str, Any]]) -> None:
    _, summary = result
    # Kalkan's standard return periods, each flagged against the 3,000-year catalogue
    flags = {"10": "ok", "25": "ok", "50": "ok", "100": "ok", "250": "ok"}
    flags.update({"475": "short", "500": "short", "1000": "short", "2475": "short"})
    assert summary["return_period_flags"] == flags
    assert any("2475-year" in w and "--years 24750" in w for w in summary["warnings"])
    flags, warnings = rp_warnings(1000, (100, 2475))
    assert flags == {"100": "ok", "2475": "beyond_catalogue"}
    assert "beyond the 1,000-year catalogue" in warnings[0]


def test_aal_fatalities_and_curves_agree_with_the_event_losses(result: tuple[Path, dict[str, Any]]) -> None:
    out, summary = result
    ev = pq.read_table(out / "risk" / "event_losses.parquet").to_pydict()
    loss = np.asarray(ev["loss"])
    year = np.asarray(ev["event_year"])
    assert np.allclose(ev["frequency"], 1 / YEARS)
    assert year.min() >= 0 and year.max() < YEARS
    # AAL = sum of event losses / T (each event 1/T per year); the same for fatalities
    assert summary["aal"] == pytest.approx(loss.sum() / YEARS, rel=1e-9)
    assert summary["aal"] > 0
    assert summary["expected_annual_fatalities"] == pytest.approx(np.sum(ev["fatalities"]) / YEARS, rel=1e-9)
    annual = np.bincount(year, weights=loss, minlength=YEARS)
    assert summary["aal_standard_error"] == pytest.approx(annual.std(ddof=1) / np.sqrt(YEARS), rel=1e-9)
    lr = summary["losses_at_return_periods"]
    for rp in ("10", "25", "50", "100", "250", "475", "500", "1000", "2475"):
        # a year's total is at least its largest event: the aggregate curve dominates the annual-maximum one
        assert lr["aggregate"][rp] >= lr["annual_maximum"][rp] >= 0
    # the 100-year occurrence loss is the 30th largest event loss (each event 1/3000 per year: lambda = 30/3000),
    # the 100-year annual maximum the 30th largest annual maximum of 3,000 years (RP = 3000 / 30)
    assert lr["occurrence"]["100"] == np.sort(loss)[::-1][29]
    annual_max = np.zeros(YEARS)
    np.maximum.at(annual_max, year, loss)
    assert lr["annual_maximum"]["100"] == pytest.approx(np.sort(annual_max)[::-1][29], rel=1e-9)
    # one number per question: the event-risk summary's occurrence losses are `risk show` of its risk/ folder
    engine = json.loads((out / "risk" / "summary.json").read_text())
    assert lr["occurrence"] == {k: engine["rp_losses"][k] for k in lr["occurrence"]}
    assert lr["event_rate_curve"] == lr["occurrence"]
    assert lr["aggregate"] == {k: engine["aggregate"]["aggregate_rp_losses"][k] for k in lr["aggregate"]}
    # the engine's own aggregate block (from event years): aggregate >= occurrence at each return period
    risk = engine["aggregate"]
    assert risk["catalogue_years"] == YEARS
    for rp, value in risk["aggregate_rp_losses"].items():
        assert value >= risk["occurrence_rp_losses_from_years"][rp]
    with (out / "exceedance_curves.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["return_period_years"]) for r in rows][-1] <= YEARS
    occ = [float(r["occurrence_loss_usd"]) for r in rows]
    assert occ == sorted(occ)
    # the curve file's value at 100 years is the summary's (to the file's 6 significant digits)
    (at_100,) = [r for r in rows if r["return_period_years"] == "100"]
    assert float(at_100["occurrence_loss_usd"]) == pytest.approx(lr["occurrence"]["100"], rel=1e-5)
    assert float(at_100["aggregate_loss_usd"]) == pytest.approx(lr["aggregate"]["100"], rel=1e-5)
    assert float(at_100["annual_maximum_loss_usd"]) == pytest.approx(lr["annual_maximum"]["100"], rel=1e-5)


def test_hazard_files_carry_years_and_branches(result: tuple[Path, dict[str, Any]]) -> None:
    out, summary = result
    imts = summary["ground_motion"]["imts"]
    assert "PGA" in imts or any(i.startswith("SA(") for i in imts)
    first = load_hazard(out / "hazard" / "hazard_PGA.npz") if "PGA" in imts else None
    if first is not None:
        assert first.event_year is not None and first.realisation is not None
        assert set(np.unique(first.realisation)) <= {0, 1}
    events = pq.read_table(out / "hazard" / "events.parquet").to_pydict()
    assert len(events["event_id"]) == summary["catalogue"]["events_sampled"]
    assert all(r.startswith("GIS:") for r in events["rupture_id"])


def test_eq_events_cli_writes_hazard_and_summary(tmp_path: Path, model_path: Path) -> None:
    from kalkan.cli.event_based import eq_events

    app = typer.Typer()
    app.command()(eq_events)
    sites = tmp_path / "sites.csv"
    sites.write_text("name,lon,lat\ncentre,68.78,38.56\neast,68.9,38.6\n", encoding="utf-8")
    out = tmp_path / "events"
    args = ["--sources", str(model_path), "--gmpe", "BooreEtAl2014", "--sites", str(sites), "--years", "500",
            "--seed", "3", "--imt", "PGA", "--imt", "SA(0.3)",
            "--out", str(out), "--correlation", "JB2009", "--json"]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["catalogue_years"] == 500 and summary["ground_motion"]["correlation"] == "JB2009"
    # `eq events` defaults to the same Vs30 as every other earthquake command (it was 760 m/s)
    assert summary["site_condition"]["vs30_m_s"] == DEFAULT_VS30_M_S
    pga, sa = load_hazard(out / "hazard_PGA.npz"), load_hazard(out / "hazard_SA_0.3.npz")
    assert np.array_equal(pga.event_id, sa.event_id) and pga.n_events == summary["events_in_hazard"]
    assert pga.site_vs30 is not None and np.all(pga.site_vs30 == DEFAULT_VS30_M_S)
    again = CliRunner().invoke(app, [*args[:-5], "--out", str(tmp_path / "again"), "--correlation", "JB2009",
                                     "--json", "--block-events", "7"])  # fmt: skip
    assert again.exit_code == 0, again.output
    assert (load_hazard(tmp_path / "again" / "hazard_PGA.npz").intensity != pga.intensity).nnz == 0


def test_city_event_risk_cli_records_the_run(
    tmp_path: Path, store_url: str, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kalkan.cli.event_based import city_event_risk
    from kalkan.store.runs import list_runs, run_row

    monkeypatch.setenv("KALKAN_DATABASE_URL", store_url)
    app = typer.Typer()
    app.command()(city_event_risk)
    out = tmp_path / "city"
    res = CliRunner().invoke(app, [CITY, "--out", str(out), "--sources", str(model_path), "--years", "500",
                                   "--gmpe", "BooreEtAl2014"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "average annual loss" in res.stdout and "USD of 2021 per year" in res.stdout
    assert "beyond T" in res.stdout  # 2475 > 500 years
    assert "ground shaking only; landslides, liquefaction, fire and secondary effects are not modelled" in " ".join(
        res.stdout.split()
    )
    assert "Vs30 400 m/s" in " ".join(res.stdout.split())
    summary = json.loads((out / "summary.json").read_text())
    store = open_store(store_url)
    try:
        with store.transaction() as session:
            runs = [run_row(r) for r in list_runs(session, kind="city-event-risk")]
    finally:
        store.close()
    assert runs and runs[0]["input_digests"]["source_model"] == summary["source_model"]["sha256"]
    assert runs[0]["summary"]["aal"] == pytest.approx(summary["aal"])
    bad = CliRunner().invoke(app, ["atlantis", "--out", str(tmp_path / "x"), "--sources", str(model_path)])
    assert bad.exit_code != 0 and "Unknown city" in str(bad.exception)
