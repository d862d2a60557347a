"""Kalkan-format runs: GEM functions on three intensity measures, several cost types, fatalities,
breakdowns, against a dense reference built from the functions' own numpy rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy import sparse

from kalkan.app.risk import run_assessment
from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError
from kalkan.io.exposure_csv import write_exposure_csv
from kalkan.io.hazard import save_hazard
from kalkan.io.shipped_vulnerability import gem_central_asia
from tests.errors import expect_error

TAX = ["CR+PC/LPB+CDL/HBET:5-9/RES", "CR+CIP/LWAL+CDL/HBET:1-2/COM", "CR+PC/LPB+CDL/HBET:5-9/RES"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("assess")
    rng = np.random.default_rng(11)
    n_events, n_sites = 40, 3
    base = rng.uniform(0.05, 1.2, (n_events, n_sites))
    base[rng.random((n_events, n_sites)) < 0.3] = 0.0
    freq = np.full(n_events, 1.0 / 500)
    paths = []
    dense = {}
    for imt, factor in (("PGA", 1.0), ("SA(0.3)", 2.1), ("SA(0.6)", 1.4)):
        dense[imt] = base * factor
        h = HazardSet(
            peril="earthquake", imt=imt, unit="g", site_lon=np.array([68.7, 68.8, 68.9]),
            site_lat=np.full(3, 38.55), event_id=np.arange(1, n_events + 1), frequency=freq,
            intensity=sparse.csr_matrix(dense[imt]), source="synthetic test hazard",
        )  # fmt: skip
        path = folder / f"hazard_{imt.replace('(', '_').replace(')', '')}.npz"
        save_hazard(h, path)
        paths.append(path)
    exp = Exposure(
        id=np.array(["b1", "b2", "b3"], dtype=object),
        lon=np.array([68.7, 68.8, 68.9]),
        lat=np.full(3, 38.55),
        taxonomy=np.array(TAX, dtype=object),
        costs={
            "structural": np.array([1e6, 2e6, 5e5]),
            "nonstructural": np.array([5e5, 1e6, 2e5]),
            "contents": np.array([2e5, 4e5, 1e5]),
        },
        occupants={"night": np.array([40.0, 10.0, 25.0]), "day": np.array([10.0, 80.0, 5.0])},
        district=np.array(["Shohmansur", "Sino", "Sino"], dtype=object),
        occupancy=np.array(["res", "com", "res"], dtype=object),
        critical_type=np.array(["", "school", ""], dtype=object),
        site_id=np.array([0, 1, 2]),
        price_year=2021,
    )
    write_exposure_csv(exp, folder / "exposure.csv")
    return {"folder": folder, "hazards": paths, "dense": dense, "freq": freq, "exposure": exp}


def _reference(inputs: dict[str, object]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:  # type: ignore[type-arg]
    """events x assets losses per loss type, from each function's numpy rule and the mapping weights."""
    vset = gem_central_asia()
    exp: Exposure = inputs["exposure"]  # type: ignore[assignment]
    dense: dict[str, np.ndarray] = inputs["dense"]  # type: ignore[assignment,type-arg]
    event, asset = {}, {}
    for lt in ("structural", "nonstructural", "contents", "occupants"):
        values = exp.occupants["night"] if lt == "occupants" else exp.costs[lt]
        loss = np.zeros((next(iter(dense.values())).shape[0], 3))
        for j in range(3):
            for fid, w in vset.resolve(lt, TAX[j]) or ():
                fn = vset.functions[fid]
                loss[:, j] += w * values[j] * fn.mean_loss_ratio(dense[fn.imt][:, j])
        event[lt] = loss.sum(axis=1)
        asset[lt] = inputs["freq"] @ loss  # type: ignore[operator]
    return event, asset


def test_gem_run_matches_the_dense_reference(inputs: dict[str, object], tmp_path: Path) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    hazards: list[Path] = inputs["hazards"]  # type: ignore[assignment]
    run = run_assessment(
        hazards,
        folder / "exposure.csv",
        [Path("gem-central-asia")],
        tmp_path / "out",  # type: ignore[arg-type]
    )
    event, asset = _reference(inputs)
    table = pq.read_table(tmp_path / "out" / "event_losses.parquet").to_pydict()
    for lt in ("structural", "nonstructural", "contents"):
        assert np.allclose(table[f"loss_{lt}"], event[lt], rtol=1e-12, atol=1e-6), lt
    assert np.allclose(table["fatalities"], event["occupants"], rtol=1e-12, atol=1e-12)
    money = event["structural"] + event["nonstructural"] + event["contents"]
    assert np.allclose(table["loss"], money, rtol=1e-12)
    aal = pq.read_table(tmp_path / "out" / "asset_aal.parquet").to_pydict()
    assert np.allclose(aal["aal_structural"], asset["structural"], rtol=1e-12)
    assert np.allclose(aal["fatalities_per_year"], asset["occupants"], rtol=1e-12)
    assert run.aal_per_year == pytest.approx(sum(asset[k].sum() for k in ("structural", "nonstructural", "contents")))
    assert run.assessment is not None and run.assessment.money == "USD of 2021"
    by_lt = run.assessment.by_loss_type
    assert by_lt["occupants"].aal_per_year == pytest.approx(asset["occupants"].sum())
    assert run.as_dict()["by_loss_type"]["occupants"]["aal"] == by_lt["occupants"].aal_per_year


def test_breakdowns_keep_loss_types_apart(inputs: dict[str, object], tmp_path: Path) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    hazards: list[Path] = inputs["hazards"]  # type: ignore[assignment]
    run_assessment(hazards, folder / "exposure.csv", [Path("gem-central-asia")], tmp_path / "o")  # type: ignore[arg-type]
    long = pq.read_table(tmp_path / "o" / "event_losses_by.parquet").to_pydict()
    event, _ = _reference(inputs)
    rows = list(zip(long["event_id"], long["dimension"], long["bucket"], long["loss_type"], long["loss"], strict=True))
    for dim in ("district", "occupancy", "taxonomy", "critical_type"):
        for lt in ("structural", "occupants"):
            total = np.zeros(40)
            for e, d, _b, k, v in rows:
                if d == dim and k == lt:
                    total[e - 1] += v
            assert np.allclose(total, event[lt], rtol=1e-12, atol=1e-9), (dim, lt)
    sino = sum(v for e, d, b, k, v in rows if d == "district" and b == "Sino" and k == "structural")
    assert sino > 0


def test_missing_intensity_measure_is_named(inputs: dict[str, object], tmp_path: Path) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    hazards: list[Path] = inputs["hazards"]  # type: ignore[assignment]
    with pytest.raises(InputError) as info:
        run_assessment(hazards[:2], folder / "exposure.csv", [Path("gem-central-asia")], tmp_path / "x")
    expect_error(info, "input.missing", "hazard")
    assert "SA(0.6)" in str(info.value)  # the intensity measure the functions need
    assert not (tmp_path / "x").exists()


def test_cli_with_files(inputs: dict[str, object], tmp_path: Path) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    hazards: list[Path] = inputs["hazards"]  # type: ignore[assignment]
    args = [sys.executable, "-m", "kalkan", "risk", "run", "--out", str(tmp_path / "cli"), "--no-record", "--json",
            "--exposure", str(folder / "exposure.csv"), "--vulnerability", "gem-central-asia"]  # fmt: skip
    for h in hazards:
        args += ["--hazard", str(h)]
    proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert set(summary["by_loss_type"]) == {"structural", "nonstructural", "contents", "occupants"}


FRAGILITY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5">
<fragilityModel id="f" assetCategory="buildings" lossCategory="structural">
  <description>illustrative test model</description>
  <limitStates>moderate complete</limitStates>
  <fragilityFunction id="URM" format="continuous" shape="logncdf">
    <imls imt="PGA" minIML="0.0" maxIML="5.0"/>
    <params ls="moderate" mean="0.30" stddev="0.15"/>
    <params ls="complete" mean="0.80" stddev="0.40"/>
  </fragilityFunction>
</fragilityModel>
</nrml>
"""

CONSEQUENCE_CSV = """id,damage_state,loss_ratio,casualty_severity_4,displaced_rate,non_functional
C,moderate,0.2,0.001,0.1,false
C,complete,1.0,0.1,1.0,true
"""


def test_damage_outputs_through_the_service(inputs: dict[str, object], tmp_path: Path) -> None:
    """Expected damage, deaths and a non-functional school, against the lognormal CDF by hand."""
    from math import erf, log, sqrt

    folder: Path = inputs["folder"]  # type: ignore[assignment]
    hazards: list[Path] = inputs["hazards"]  # type: ignore[assignment]
    (tmp_path / "frag.xml").write_text(FRAGILITY_XML)
    (tmp_path / "cons.csv").write_text(CONSEQUENCE_CSV)
    (tmp_path / "map.csv").write_text("taxonomy,fragility,consequence,weight\n*,URM,C,1\n")
    summary = run_assessment(
        hazards, folder / "exposure.csv", [], tmp_path / "dmg", fragility_paths=[tmp_path / "frag.xml"],
        consequence_path=tmp_path / "cons.csv", fragility_mapping=tmp_path / "map.csv",
    ).as_dict()  # fmt: skip
    pga: np.ndarray = inputs["dense"]["PGA"]  # type: ignore[index,type-arg]
    freq: np.ndarray = inputs["freq"]  # type: ignore[assignment,type-arg]

    def poe(x: float, mean: float, sd: float) -> float:
        if x <= 0:
            return 0.0
        beta = sqrt(log(1 + (sd / mean) ** 2))
        median = mean / sqrt(1 + (sd / mean) ** 2)
        return 0.5 * (1 + erf(log(x / median) / (beta * sqrt(2))))

    night = np.array([40.0, 10.0, 25.0])
    deaths = np.zeros(pga.shape[0])
    school_p = np.zeros(pga.shape[0])
    for e in range(pga.shape[0]):
        for j in range(3):
            p_mod, p_com = poe(pga[e, j], 0.3, 0.15), poe(pga[e, j], 0.8, 0.4)
            deaths[e] += night[j] * ((p_mod - p_com) * 0.001 + p_com * 0.1)
            if j == 1:
                school_p[e] = p_com
    events = pq.read_table(tmp_path / "dmg" / "damage_events.parquet").to_pydict()
    assert np.allclose(events["casualties_severity_4"], deaths, rtol=1e-9, atol=1e-12)
    assert summary["damage"]["casualties_people_per_year"]["severity_4"] == pytest.approx(freq @ deaths, rel=1e-9)
    facilities = pq.read_table(tmp_path / "dmg" / "facilities.parquet").to_pydict()
    assert facilities["id"] == ["b2"] and facilities["critical_type"] == ["school"]
    assert facilities["events_nonfunctional"] == [int(np.sum(school_p >= 0.5))]
    total = sum(events[f"buildings_{ds}"][0] for ds in ("no_damage", "moderate", "complete"))
    assert total == pytest.approx(3.0)


def test_maps_and_aggregate_curves_in_assessments(tmp_path: Path) -> None:
    """One intensity measure with event years: per-asset maps equal each asset's own curve; aggregate
    losses come from the annual totals."""
    from kalkan.core.risk import metrics
    from kalkan.io.vulnerability_csv import parse_vulnerability_csv  # noqa: F401  (format documented there)

    rng = np.random.default_rng(4)
    dense = rng.uniform(0, 1.5, (30, 2))
    dense[dense < 0.5] = 0
    years = np.repeat(np.arange(10), 3)
    h = HazardSet(peril="earthquake", imt="PGA", unit="g", site_lon=np.array([68.7, 68.8]),
                  site_lat=np.array([38.5, 38.5]), event_id=np.arange(1, 31), frequency=np.full(30, 0.1),
                  intensity=sparse.csr_matrix(dense), event_year=years)  # fmt: skip
    save_hazard(h, tmp_path / "h.npz")
    exp = Exposure(id=np.array(["x", "y"], dtype=object), lon=np.array([68.7, 68.8]), lat=np.array([38.5, 38.5]),
                   taxonomy=np.array(["T", "T"], dtype=object), costs={"structural": np.array([100.0, 300.0])},
                   site_id=np.array([0, 1]))  # fmt: skip
    write_exposure_csv(exp, tmp_path / "e.csv")
    (tmp_path / "v.csv").write_text("id,loss_type,imt,unit,intensity,mean_lr,cov,distribution\n"
                                    "L,structural,PGA,g,0,0,0,none\nL,structural,PGA,g,2,1,0,none\n")  # fmt: skip
    (tmp_path / "m.csv").write_text("taxonomy,conversion,weight\nT,L,1\n")
    rps = (2.0, 5.0)
    run = run_assessment([tmp_path / "h.npz"], tmp_path / "e.csv", [tmp_path / "v.csv"], tmp_path / "o",
                         taxonomy_mapping=tmp_path / "m.csv", rp_maps=rps, return_periods=rps)  # fmt: skip
    summary = run.as_dict()
    loss = dense[:, 0] / 2 * 100 + dense[:, 1] / 2 * 300
    annual = np.bincount(years, weights=loss, minlength=10)
    assert summary["aggregate"]["catalogue_years"] == 10
    assert summary["aggregate"]["aggregate_rp_losses"]["5"] == pytest.approx(np.sort(annual)[::-1][1])
    maps = pq.read_table(tmp_path / "o" / "asset_rp_losses.parquet").to_pydict()
    for j, v in enumerate((100.0, 300.0)):
        ref = metrics.occurrence_curve(v * dense[:, j] / 2, np.full(30, 0.1)).at((2.0, 5.0))
        assert np.allclose([maps["rp_2"][j], maps["rp_5"][j]], ref, rtol=1e-12)


def test_vulnerability_csv_with_one_id_for_several_loss_types(tmp_path: Path) -> None:
    """GEM style: one id names a structural and a fatality function; both are used (neither overwrites)."""
    dense = np.array([[1.0, 0.0], [0.5, 2.0]])
    h = HazardSet(peril="earthquake", imt="PGA", unit="g", site_lon=np.array([68.7, 68.8]),
                  site_lat=np.array([38.5, 38.5]), event_id=np.arange(1, 3), frequency=np.full(2, 0.1),
                  intensity=sparse.csr_matrix(dense))  # fmt: skip
    save_hazard(h, tmp_path / "h.npz")
    exp = Exposure(id=np.array(["x", "y"], dtype=object), lon=np.array([68.7, 68.8]), lat=np.array([38.5, 38.5]),
                   taxonomy=np.array(["T", "T"], dtype=object), costs={"structural": np.array([100.0, 300.0])},
                   occupants={"night": np.array([10.0, 20.0])}, site_id=np.array([0, 1]))  # fmt: skip
    write_exposure_csv(exp, tmp_path / "e.csv")
    (tmp_path / "v.csv").write_text("id,loss_type,imt,unit,intensity,mean_lr,cov,distribution\n"
                                    "L,structural,PGA,g,0,0,0,none\nL,structural,PGA,g,2,1,0,none\n"
                                    "L,occupants,PGA,g,0,0,0,none\nL,occupants,PGA,g,2,0.1,0,none\n")  # fmt: skip
    (tmp_path / "m.csv").write_text("taxonomy,conversion,weight\nT,L,1\n")
    run = run_assessment([tmp_path / "h.npz"], tmp_path / "e.csv", [tmp_path / "v.csv"], tmp_path / "o",
                         taxonomy_mapping=tmp_path / "m.csv")  # fmt: skip
    events = pq.read_table(tmp_path / "o" / "event_losses.parquet").to_pydict()
    money = dense[:, 0] / 2 * 100 + dense[:, 1] / 2 * 300
    deaths = dense[:, 0] / 2 * 0.1 * 10 + dense[:, 1] / 2 * 0.1 * 20
    assert np.allclose(events["loss_structural"], money) and np.allclose(events["fatalities"], deaths)
    assert run.unassigned_assets == 0
