"""job.ini and GMPE logic trees: the supported subset, and a clear error for everything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from kalkan.errors import InputError
from kalkan.io.gsim_logic_tree import read_logic_tree
from kalkan.io.oq_job import read_job
from tests.errors import expect_error

JOB = """[general]
description = test job
calculation_mode = scenario_risk
random_seed = 7
[exposure]
exposure_file = exposure.xml
[rupture]
rupture_model_file = rupture.xml
rupture_mesh_spacing = 2.0
[site_params]
reference_vs30_type = inferred
reference_vs30_value = 400
reference_depth_to_1pt0km_per_sec = 356
reference_depth_to_2pt5km_per_sec = 1.0
[vulnerability]
structural_vulnerability_file = vulnerability.xml
[hazard_calculation]
gsim_logic_tree_file = gsim_logic_tree.xml
truncation_level = 3
number_of_ground_motion_fields = 25
ground_motion_correlation_model = JB2009
ground_motion_correlation_params = {'vs30_clustering': True}
[risk_calculation]
ignore_covs = true
"""

LT = """<?xml version="1.0" encoding="UTF-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.4">
  <logicTree logicTreeID="lt1">
    <logicTreeBranchSet uncertaintyType="gmpeModel" branchSetID="bs1" applyToTectonicRegionType="Active Shallow Crust">
      <logicTreeBranch branchID="a"><uncertaintyModel>AkkarEtAlRjb2014</uncertaintyModel>
        <uncertaintyWeight>0.4</uncertaintyWeight></logicTreeBranch>
      <logicTreeBranch branchID="b"><uncertaintyModel>[BooreEtAl2014]
region = "JPN"</uncertaintyModel><uncertaintyWeight>0.6</uncertaintyWeight></logicTreeBranch>
    </logicTreeBranchSet>
  </logicTree>
</nrml>
"""


@pytest.fixture
def job_dir(tmp_path: Path) -> Path:
    for name in ("exposure.xml", "rupture.xml", "vulnerability.xml"):
        (tmp_path / name).write_text("<nrml/>")
    (tmp_path / "gsim_logic_tree.xml").write_text(LT)
    (tmp_path / "job.ini").write_text(JOB)
    return tmp_path


def test_supported_job(job_dir: Path) -> None:
    job = read_job(job_dir / "job.ini")
    assert job.calculation_mode == "scenario_risk" and job.seed == 7 and job.n_fields == 25
    assert job.correlation == "JB2009" and job.vs30_clustering is True
    assert job.vs30 == 400 and job.vs30_measured is False and job.z1pt0_m == 356 and job.z2pt5_km == 1.0
    assert job.vulnerability_files == {"structural": job_dir / "vulnerability.xml"}
    assert job.ignore_covs is True and job.truncation_level == 3
    assert "rupture_mesh_spacing" in job.ignored
    branches = read_logic_tree(job.gsim_logic_tree_file)  # type: ignore[arg-type]
    assert [(b.model, b.weight, b.options) for b in branches] == [
        ("AkkarEtAlRjb2014", 0.4, {}),
        ("BooreEtAl2014", 0.6, {"region": "JPN"}),
    ]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ("investigation_time = 50\n", "input.unknown", "investigation_time"),
        ("calculation_mode = event_based\n", "input.unsupported", "calculation_mode"),
        ("ground_motion_correlation_model = HM2018\n", "input.unsupported", "ground_motion_correlation_model"),
        ("number_of_ground_motion_fields = 2.5\n", "input.range", "number_of_ground_motion_fields"),
        ("reference_vs30_value = fast\n", "input.range", "reference_vs30_value"),
        ("gsim = BooreEtAl2014\n", "input.options", "gsim"),  # and a logic tree too
    ],
)
def test_bad_jobs(job_dir: Path, change: str, code: str, field: str) -> None:
    key = change.split("=")[0].strip()
    lines = [line for line in JOB.splitlines() if not line.startswith(key + " ")]
    (job_dir / "job.ini").write_text("\n".join(lines) + "\n[extra]\n" + change)
    with pytest.raises(InputError, match=r"job\.ini") as info:
        read_job(job_dir / "job.ini")
    expect_error(info, code, field)


def test_missing_file_is_named(job_dir: Path) -> None:
    (job_dir / "rupture.xml").unlink()
    with pytest.raises(InputError, match=r"rupture\.xml") as info:
        read_job(job_dir / "job.ini")
    expect_error(info, "input.not_found", "rupture_model_file")


def test_logic_tree_csv_and_weights(tmp_path: Path) -> None:
    (tmp_path / "lt.csv").write_text("model,weight\nBooreEtAl2014,0.5\nCauzziEtAl2014,0.5\n")
    assert [b.model for b in read_logic_tree(tmp_path / "lt.csv")] == ["BooreEtAl2014", "CauzziEtAl2014"]
    (tmp_path / "bad.csv").write_text("model,weight\nBooreEtAl2014,0.5\nCauzziEtAl2014,0.4\n")
    with pytest.raises(InputError, match=r"0\.900000") as info:  # the sum of the weights given
        read_logic_tree(tmp_path / "bad.csv")
    expect_error(info, "input.inconsistent", "weight")
    (tmp_path / "bad.xml").write_text(LT.replace("gmpeModel", "sourceModel"))
    with pytest.raises(InputError) as info:
        read_logic_tree(tmp_path / "bad.xml")
    expect_error(info, "input.unsupported", "uncertaintyType")
    (tmp_path / "unknown.csv").write_text("model,weight\nBooreEtAl2014,0.5\nBoore2014,0.5\n")
    with pytest.raises(InputError, match=r"unknown\.csv") as info:
        read_logic_tree(tmp_path / "unknown.csv")
    expect_error(info, "input.unknown", "model", row=3)
    (tmp_path / "option.csv").write_text('model,weight\n"[BooreEtAl2014]\nregion = ""EUR""",1\n')
    with pytest.raises(InputError) as info:
        read_logic_tree(tmp_path / "option.csv")
    expect_error(info, "input.unknown", "region", row=2)
