"""OpenQuake scenario jobs on Kalkan: the mean event loss per ground-motion model converges to the analytic
expectation (Gauss-Legendre quadrature over the truncated between- and within-event residuals)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.polynomial.legendre import leggauss
from scipy.special import ndtr

from kalkan.app.earthquake import run_oq_job
from kalkan.core.hazard.earthquake.distances import context_for
from kalkan.core.hazard.earthquake.gmpe import get_model
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.errors import InputError
from kalkan.io.rupture import read_rupture
from tests.errors import expect_error

RUPTURE = """<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5">
  <singlePlaneRupture>
    <magnitude>7.0</magnitude>
    <rake>90.0</rake>
    <hypocenter lat="38.56" lon="68.78" depth="10.0711"/>
    <planarSurface>
      <topLeft lon="69.02316" lat="38.54492" depth="3.0"/>
      <topRight lon="68.57918" lat="38.45181" depth="3.0"/>
      <bottomLeft lon="68.98145" lat="38.66776" depth="17.1421"/>
      <bottomRight lon="68.53671" lat="38.57466" depth="17.1421"/>
    </planarSurface>
  </singlePlaneRupture>
</nrml>
"""
VULN = {"ADOBE": (0.20, 0.60), "URM": (0.35, 0.60), "RC": (0.70, 0.65)}
IMLS = np.geomspace(0.02, 3.0, 24)


def _mlr(theta: float, beta: float) -> np.ndarray:  # type: ignore[type-arg]
    return np.asarray(ndtr(np.log(IMLS / theta) / beta))


def write_job(folder: Path, *, n_assets: int = 600, n_sites: int = 60, n_fields: int = 400, corr: bool = False) -> dict:  # type: ignore[type-arg]
    rng = np.random.default_rng(3)
    lon = np.round(rng.uniform(68.62, 68.94, n_sites), 5)
    lat = np.round(rng.uniform(38.48, 38.64, n_sites), 5)
    tax = rng.choice(list(VULN), size=n_assets)
    value = np.round(rng.uniform(10_000, 100_000, n_assets))
    site = np.arange(n_assets) % n_sites
    lines = ["id,lon,lat,taxonomy,number,structural"]
    lines += [f"a{i},{lon[site[i]]:.5f},{lat[site[i]]:.5f},{tax[i]},1,{value[i]:.0f}" for i in range(n_assets)]
    (folder / "exposure.csv").write_text("\n".join(lines) + "\n")
    (folder / "exposure.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><nrml xmlns="http://openquake.org/xmlns/nrml/0.5">'
        '<exposureModel id="t" category="buildings" taxonomySource="t"><description>test</description>'
        '<conversions><costTypes><costType name="structural" type="per_asset" unit="USD"/></costTypes>'
        "</conversions><assets>exposure.csv</assets></exposureModel></nrml>"
    )
    fns = "".join(
        f'<vulnerabilityFunction id="{t}" dist="LN"><imls imt="PGA">{" ".join(f"{x:.6g}" for x in IMLS)}</imls>'
        f"<meanLRs>{' '.join(f'{v:.6g}' for v in _mlr(*p))}</meanLRs><covLRs>{' '.join(['0'] * 24)}</covLRs>"
        "</vulnerabilityFunction>"
        for t, p in VULN.items()
    )
    (folder / "vulnerability.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><nrml xmlns="http://openquake.org/xmlns/nrml/0.5">'
        '<vulnerabilityModel id="v" assetCategory="buildings" lossCategory="structural"><description>t</description>'
        f"{fns}</vulnerabilityModel></nrml>"
    )
    (folder / "gsim_logic_tree.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><nrml xmlns="http://openquake.org/xmlns/nrml/0.4"><logicTree '
        'logicTreeID="lt"><logicTreeBranchSet uncertaintyType="gmpeModel" branchSetID="bs" '
        'applyToTectonicRegionType="Active Shallow Crust">'
        '<logicTreeBranch branchID="b0"><uncertaintyModel>AkkarEtAlRjb2014</uncertaintyModel>'
        "<uncertaintyWeight>0.5</uncertaintyWeight></logicTreeBranch>"
        '<logicTreeBranch branchID="b1"><uncertaintyModel>BooreEtAl2014</uncertaintyModel>'
        "<uncertaintyWeight>0.5</uncertaintyWeight></logicTreeBranch>"
        "</logicTreeBranchSet></logicTree></nrml>"
    )
    (folder / "rupture.xml").write_text(RUPTURE)
    corr_lines = (
        "ground_motion_correlation_model = JB2009\nground_motion_correlation_params = {'vs30_clustering': False}\n"
    )
    (folder / "job.ini").write_text(
        "[general]\ndescription = test\ncalculation_mode = scenario_risk\nrandom_seed = 42\n"
        "[exposure]\nexposure_file = exposure.xml\n[rupture]\nrupture_model_file = rupture.xml\n"
        "rupture_mesh_spacing = 2.0\n[site_params]\nreference_vs30_type = measured\nreference_vs30_value = 400\n"
        "reference_depth_to_1pt0km_per_sec = 356\nreference_depth_to_2pt5km_per_sec = 1.0\n"
        "[vulnerability]\nstructural_vulnerability_file = vulnerability.xml\n"
        "[hazard_calculation]\ngsim_logic_tree_file = gsim_logic_tree.xml\ntruncation_level = 3\n"
        f"maximum_distance = 300\nnumber_of_ground_motion_fields = {n_fields}\n"
        + (corr_lines if corr else "")
        + "[risk_calculation]\nignore_covs = true\n"
    )
    return {"lon": lon, "lat": lat, "tax": tax, "value": value, "site": site}


def analytic_expected_loss(model: str, case: dict, folder: Path) -> float:  # type: ignore[type-arg]
    """E[loss] = sum over assets of value x E[MLR(exp(mu + tau eta + phi eps))], eta and eps standard normals
    truncated at 3, by 48 x 48 Gauss-Legendre quadrature."""
    rupture = read_rupture(folder / "rupture.xml")
    n = case["lon"].size
    ctx = context_for(rupture, case["lon"], case["lat"], np.full(n, 400.0), np.full(n, True), np.full(n, 356.0),
                      np.full(n, 1.0))  # fmt: skip
    gm = get_model(model).compute(ctx, "PGA")
    x, w = leggauss(48)
    z = 3.0 * x
    dens = w * 3.0 * np.exp(-z * z / 2) / math.sqrt(2 * math.pi) / (ndtr(3.0) - ndtr(-3.0))
    total = 0.0
    for t, (theta, beta) in VULN.items():
        mlr_tab = _mlr(theta, beta)
        for s in range(case["lon"].size):
            ln = gm.mean[s] + gm.tau[s] * z[:, None] + gm.phi[s] * z[None, :]
            pga = np.exp(ln)
            mlr = np.where(pga < IMLS[0], 0.0, np.interp(pga, IMLS, mlr_tab))
            e_mlr = float(dens @ mlr @ dens)
            mask = (case["site"] == s) & (case["tax"] == t)
            total += e_mlr * float(case["value"][mask].sum())
    return total


def test_average_losses_converge_to_the_analytic_expectation(tmp_path: Path) -> None:
    case = write_job(tmp_path)
    summary = run_oq_job(tmp_path / "job.ini", tmp_path / "out")
    assert summary["events"] == 800
    std = summary["by_loss_type"]["structural"]["std_event_loss_per_rlz"]
    for model, mean in summary["avg_loss_per_rlz"].items():
        expected = analytic_expected_loss(model, case, tmp_path)
        se = std[model] / math.sqrt(400)
        assert abs(mean - expected) < 4 * se, (model, mean, expected, se)
    weighted = sum(0.5 * v for v in summary["avg_loss_per_rlz"].values())
    assert summary["total_avg_loss"] == pytest.approx(weighted, rel=1e-9)


def test_correlation_widens_the_spread_not_the_mean(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_job(tmp_path / "a", n_fields=300)
    write_job(tmp_path / "b", n_fields=300, corr=True)
    plain = run_oq_job(tmp_path / "a" / "job.ini", tmp_path / "a" / "out")
    corr = run_oq_job(tmp_path / "b" / "job.ini", tmp_path / "b" / "out")
    for model in plain["avg_loss_per_rlz"]:
        s0 = plain["by_loss_type"]["structural"]["std_event_loss_per_rlz"][model]
        s1 = corr["by_loss_type"]["structural"]["std_event_loss_per_rlz"][model]
        assert s1 > s0
        se = s1 / math.sqrt(300)
        assert abs(corr["avg_loss_per_rlz"][model] - plain["avg_loss_per_rlz"][model]) < 5 * se


def test_unsupported_job_keys_and_cli(tmp_path: Path) -> None:
    write_job(tmp_path, n_assets=60, n_sites=10, n_fields=5)
    args = [sys.executable, "-m", "kalkan", "eq", "run-oq", str(tmp_path / "job.ini"), "--out", str(tmp_path / "out")]
    proc = subprocess.run([*args, "--json"], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert set(summary["avg_loss_per_rlz"]) == {"AkkarEtAlRjb2014", "BooreEtAl2014"} and summary["events"] == 10
    assert (tmp_path / "out" / "event_losses.parquet").exists()
    text = (tmp_path / "job.ini").read_text() + "[x]\ninvestigation_time = 1\n"
    (tmp_path / "job.ini").write_text(text)
    with pytest.raises(InputError) as info:
        run_oq_job(tmp_path / "job.ini", tmp_path / "out2")
    expect_error(info, "input.unknown", "investigation_time")


def test_named_scenario_to_losses(tmp_path: Path) -> None:
    """Ashgabat 1948 on a city grid -> HazardSets -> the engine with GEM functions on two IMTs."""
    from kalkan.app.earthquake import run_scenario, scenario_rupture
    from kalkan.app.risk import run_assessment
    from kalkan.core.exposure.table import Exposure
    from kalkan.io.exposure import write_exposure

    rupture, info = scenario_rupture("ashgabat-1948")
    assert info["mw"] == 7.15 and info["mechanism_source"].startswith("assumed")
    assert 20 < info["length_km"] < 80
    lon = np.array([58.30, 58.38, 58.45])
    lat = np.array([37.92, 37.95, 37.97])
    summary = run_scenario(
        tmp_path / "sc", rupture=rupture, rupture_info=info, branches=[GmpeBranch("BooreEtAl2014", 1.0)],
        site_lon=lon, site_lat=lat, sites_source="test", imts=("PGA", "SA(0.3)"), n_fields=40, seed=1,
    )  # fmt: skip
    assert summary["events"] == 40
    assert summary["site_condition"]["vs30_m_s"] == 400.0 and summary["sites"]["vs30_m_s"] == 400.0
    exp = Exposure(
        id=np.array(["h1", "h2", "h3"], dtype=object), lon=lon, lat=lat,
        taxonomy=np.array(["MUR+ADO/LWAL+CDN/H:1/RES", "CR+CIP/LWAL+CDL/HBET:1-2/COM", "W/LWAL+CDL/H:1/COM"],
                          dtype=object),
        costs={"structural": np.array([5e4, 3e5, 2e4])}, site_id=np.array([0, 1, 2]), price_year=2021,
    )  # fmt: skip
    write_exposure(exp, tmp_path / "exposure.csv")
    result = run_assessment(
        [tmp_path / "sc" / "hazard_PGA.npz", tmp_path / "sc" / "hazard_SA_0.3.npz"], tmp_path / "exposure.csv",
        [Path("gem-central-asia")], tmp_path / "risk",
    ).as_dict()  # fmt: skip
    scen = result["scenario"]
    assert scen["average_event_loss"] == pytest.approx(result["aal"])
    assert 0 < result["aal"] < 3.7e5
    assert "per event" in result["units"]["aal"]


def test_scenario_inputs_are_checked() -> None:
    from kalkan.app.earthquake import scenario_rupture

    with pytest.raises(InputError, match="atlantis-2000") as info:
        scenario_rupture("atlantis-2000")
    expect_error(info, "input.unknown", "--scenario")
    with pytest.raises(InputError) as info:
        scenario_rupture(None, mag=6.5, lon=69.0, lat=38.5, depth_km=10.0, dip=45.0, rake=90.0)
    expect_error(info, "input.missing", "--strike")
    with pytest.raises(InputError) as info:
        scenario_rupture(None, mag=6.5, lon=69.0, lat=38.5, strike=10.0, dip=45.0, rake=90.0)
    expect_error(info, "input.missing", "--depth")
    with pytest.raises(InputError) as info:
        scenario_rupture(None, mag=6.5, lon=69.0, lat=38.5, depth_km=10.0, strike=10.0, dip=120.0, rake=90.0)
    expect_error(info, "input.range", "dip")


FRAGILITY = (
    """<?xml version="1.0" encoding="UTF-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5">
<fragilityModel id="f" assetCategory="buildings" lossCategory="structural">
  <description>illustrative</description>
  <limitStates>moderate complete</limitStates>
"""
    + "".join(
        f"""  <fragilityFunction id="{t}" format="continuous" shape="logncdf">
    <imls imt="PGA" minIML="0.0" maxIML="5.0"/>
    <params ls="moderate" mean="{th}" stddev="{th * 0.5}"/>
    <params ls="complete" mean="{th * 2}" stddev="{th}"/>
  </fragilityFunction>
"""
        for t, (th, _) in VULN.items()
    )
    + "</fragilityModel>\n</nrml>\n"
)


def test_scenario_damage_job(tmp_path: Path) -> None:
    write_job(tmp_path, n_assets=120, n_sites=20, n_fields=30)
    (tmp_path / "fragility.xml").write_text(FRAGILITY)
    text = (tmp_path / "job.ini").read_text()
    text = text.replace("calculation_mode = scenario_risk", "calculation_mode = scenario_damage")
    text = text.replace(
        "structural_vulnerability_file = vulnerability.xml", "structural_fragility_file = fragility.xml"
    )
    (tmp_path / "job.ini").write_text(text)
    summary = run_oq_job(tmp_path / "job.ini", tmp_path / "out")
    for dmg in summary["avg_damages_per_rlz"].values():
        assert sum(dmg.values()) == pytest.approx(120.0)
        assert dmg["complete"] > 0
    assert set(summary["total_avg_damages"]) == {"no_damage", "moderate", "complete"}


def test_verify_table_cli_passes_and_fails(tmp_path: Path) -> None:
    table = Path(__file__).resolve().parents[1] / "core" / "hazard" / "earthquake" / "data" / "AKBO10" / "AK10_MEAN.csv"
    base = [sys.executable, "-m", "kalkan", "eq", "verify-table", str(table), "--model", "AkkarBommer2010"]
    ok = subprocess.run([*base, "--json"], capture_output=True, text=True, check=False, timeout=300)
    report = json.loads(ok.stdout)
    assert ok.returncode == 0 and report["passed"] is True
    assert report["skipped_imts"] == ["SA(4.0)"]  # OpenQuake's SHARE extension, in neither paper (see the module)
    strict = subprocess.run(
        [*base, "--tolerance", "0.000001"], capture_output=True, text=True, check=False, timeout=300
    )
    assert strict.returncode == 1 and "FAIL" in strict.stdout
    bad = subprocess.run([*base[:-1], "AkkarBomer2010"], capture_output=True, text=True, check=False, timeout=300)
    assert bad.returncode == 2 and "Did you mean AkkarBommer2010" in bad.stderr
