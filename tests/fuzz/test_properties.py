"""Property-based fuzzing of the text-format readers (CSV, JSON, XML, ini): for any input, a reader returns a
valid value or raises a KalkanError naming the file; it never raises anything else, and what it accepts keeps
within the plausibility bounds. Hypothesis is derandomised (the same examples in CI on every run).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kalkan.core.bounds import ASSET_OCCUPANTS, ASSET_VALUE, FACILITY_VALUE_USD
from kalkan.errors import CODES, KalkanError
from tests.fuzz import mutate
from tests.fuzz.corpus import DATA, POINT_SOURCE, RUPTURE_JSON, SOURCE_CSV

SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e308", "-1e308", "1e309", "nan", "NaN", "inf", "-0", "0x10", "1_000", "1,5", "", " ", "١٢"]),
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=8),
)
"""Cell values a numeric field may meet: any float's repr, overflows, locale forms, text."""


def _check(read: Callable[[Path], Any], path: Path, data: bytes) -> Any:
    """Write ``data`` to ``path`` and read it: a value, or a KalkanError that names the file and carries a code
    of :data:`kalkan.errors.CODES` (as each of its row problems does, when it lists some)."""
    path.write_bytes(data)
    try:
        return read(path)
    except KalkanError as exc:
        error = exc
    message = str(error)
    assert path.name in message or str(path.parent) in message, f"message does not name the file: {message}"
    assert error.code in CODES and all(e.code in CODES for e in getattr(error, "errors", ()))
    return None


def _cells_mutated(seed: bytes, row: int, values: dict[int, str]) -> bytes:
    rows = mutate.read_rows(seed)
    changed = [list(r) for r in rows]
    for col, value in values.items():
        if row < len(changed) and col < len(changed[row]):
            changed[row][col] = value
    return mutate.write_rows(changed)


# ------------------------------------------------------------------------------------------------ any bytes


def _readers() -> dict[str, tuple[str, Callable[[Path], Any]]]:
    from kalkan.app.station_data import read_station_file
    from kalkan.core.hazard.earthquake.rupture import read_rupture
    from kalkan.io.cities import read_application
    from kalkan.io.exposure import read_exposure
    from kalkan.io.facilities import read_facilities
    from kalkan.io.gsim_logic_tree import read_logic_tree
    from kalkan.io.gsim_table import read_table
    from kalkan.io.hazard_maps import read_manifest
    from kalkan.io.oq_job import read_job
    from kalkan.io.source_model import read_source_model
    from kalkan.io.vulnerability_csv import read_taxonomy_mapping, read_vulnerability_csv

    return {
        "exposure_csv": (".csv", read_exposure),
        "exposure_xml": (".xml", read_exposure),
        "facilities_csv": (".csv", read_facilities),
        "facilities_geojson": (".geojson", read_facilities),
        "accession": (".json", read_application),
        "job_ini": (".ini", read_job),
        "sources_xml": (".xml", read_source_model),
        "sources_csv": (".csv", read_source_model),
        "rupture_json": (".json", read_rupture),
        "rupture_xml": (".xml", read_rupture),
        "logic_tree_csv": (".csv", read_logic_tree),
        "logic_tree_xml": (".xml", read_logic_tree),
        "vulnerability_csv": (".csv", read_vulnerability_csv),
        "mapping_csv": (".csv", read_taxonomy_mapping),
        "station_csv": (".csv", lambda p: read_station_file(p, source="s", licence="l")),
        "verify_table": (".csv", read_table),
        "manifest": (".json", read_manifest),
    }


@pytest.mark.parametrize("name", sorted(_readers()))
@SETTINGS
@given(data=st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_read_or_refused(name: str, data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    suffix, read = _readers()[name]
    _check(read, tmp_path_factory.mktemp("any") / f"input{suffix}", data)


# ------------------------------------------------------------------------------------------------ CSV cells


@SETTINGS
@given(row=st.integers(1, 5), values=st.dictionaries(st.integers(0, 12), NUMBERS, min_size=1, max_size=4))
def test_exposure_csv_cells(row: int, values: dict[int, str], tmp_path_factory: pytest.TempPathFactory) -> None:
    from kalkan.io.exposure import read_exposure

    seed = (
        b"id,lon,lat,taxonomy,number,cost_structural,cost_nonstructural,cost_contents,occupants_day,occupants_night,"
        b"district,price_year\n"
        + b"".join(f"a{k},69.1{k},54.8{k},CR/LFINF/H:2,2,1e6,5e5,2e5,10,20,d{k},2021\n".encode() for k in range(6))
    )
    exposure = _check(read_exposure, tmp_path_factory.mktemp("x") / "e.csv", _cells_mutated(seed, row, values))
    if exposure is not None:
        for costs in exposure.costs.values():
            assert np.all(np.isfinite(costs)) and costs.max() <= ASSET_VALUE.hi
            assert math.isfinite(float(costs.sum()))
        for people in exposure.occupants.values():
            assert people.max() <= ASSET_OCCUPANTS.hi


@SETTINGS
@given(row=st.integers(1, 12), values=st.dictionaries(st.integers(0, 19), NUMBERS, min_size=1, max_size=4))
def test_facility_csv_cells(row: int, values: dict[int, str], tmp_path_factory: pytest.TempPathFactory) -> None:
    from kalkan.io.facilities import read_facilities

    seed = (DATA / "facilities" / "petropavl_illustrative.csv").read_bytes()
    result = _check(read_facilities, tmp_path_factory.mktemp("f") / "f.csv", _cells_mutated(seed, row, values))
    if result is not None:
        assert len(result.table) > 0
        assert float(np.max(result.table.replacement_cost_usd)) <= FACILITY_VALUE_USD.hi


@SETTINGS
@given(row=st.integers(1, 2), values=st.dictionaries(st.integers(0, 20), NUMBERS, min_size=1, max_size=3))
def test_source_csv_cells(row: int, values: dict[int, str], tmp_path_factory: pytest.TempPathFactory) -> None:
    from kalkan.io.source_model import read_source_model

    model = _check(read_source_model, tmp_path_factory.mktemp("s") / "s.csv",
                   _cells_mutated(SOURCE_CSV.encode(), row, values))  # fmt: skip
    if model is not None:
        ids = [s.source_id for s in model.sources]
        assert len(ids) == len(set(ids))
        for source in model.sources:
            mags, rates = source.mfd.magnitudes_and_rates()
            assert np.all((mags >= 0) & (mags <= 10)) and np.all(np.isfinite(rates)) and rates.sum() <= 1e7


# ------------------------------------------------------------------------------------------------ JSON


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=10,
)


@SETTINGS
@given(key=st.sampled_from(sorted(json.loads((EXAMPLES / "accession" / "bishkek.json").read_text()))), value=JSON)
def test_accession_fields(key: str, value: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    from kalkan.io.cities import read_application

    obj = {**json.loads((EXAMPLES / "accession" / "bishkek.json").read_text()), key: value}
    data = json.dumps(obj, allow_nan=True).encode()
    facts = _check(read_application, tmp_path_factory.mktemp("a") / "a.json", data)
    if facts is not None:
        assert -180 <= facts.lon <= 180 and -90 <= facts.lat <= 90 and facts.country_iso3 == "KGZ"


@SETTINGS
@given(key=st.sampled_from(sorted(RUPTURE_JSON)), value=JSON)
def test_rupture_json_fields(key: str, value: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    from kalkan.core.hazard.earthquake.rupture import read_rupture

    data = json.dumps({**RUPTURE_JSON, key: value}, allow_nan=True).encode()
    rupture = _check(read_rupture, tmp_path_factory.mktemp("r") / "r.json", data)
    if rupture is not None:
        assert 0 <= rupture.mag <= 10


# ------------------------------------------------------------------------------------------------ XML and ini


XML_ATTRIBUTES = ("aValue", "bValue", "minMag", "maxMag", "probability", "strike", "dip", "rake", "depth")


@SETTINGS
@given(attribute=st.sampled_from(XML_ATTRIBUTES), value=NUMBERS)
def test_source_model_attributes(attribute: str, value: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from xml.sax.saxutils import quoteattr

    from kalkan.io.source_model import read_source_model

    data = POINT_SOURCE.replace(f'{attribute}="', f'{attribute}={quoteattr(value)} x{attribute}="', 1)
    model = _check(read_source_model, tmp_path_factory.mktemp("n") / "s.xml", data.encode())
    if model is not None:
        for source in model.sources:
            mags, rates = source.mfd.magnitudes_and_rates()
            assert np.all((mags >= 0) & (mags <= 10)) and np.all(np.isfinite(rates))


JOB = (
    "[general]\ncalculation_mode = scenario_risk\nrandom_seed = 7\n[exposure]\nexposure_file = e.xml\n"
    "[rupture]\nrupture_model_file = r.xml\n[vulnerability]\nstructural_vulnerability_file = v.xml\n"
    "[hazard_calculation]\ngsim = BooreEtAl2014\ntruncation_level = 3\nnumber_of_ground_motion_fields = 10\n"
    "maximum_distance = 200\n"
)


@SETTINGS
@given(
    key=st.sampled_from(["random_seed", "truncation_level", "number_of_ground_motion_fields", "maximum_distance",
                         "reference_vs30_value", "ground_motion_correlation_params", "surprise"]),
    value=NUMBERS,
)  # fmt: skip
def test_job_ini_values(key: str, value: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from kalkan.io.oq_job import read_job

    folder = tmp_path_factory.mktemp("job")
    for name in ("e.xml", "r.xml", "v.xml"):
        (folder / name).write_text("<nrml/>")
    lines = [line for line in JOB.splitlines() if not line.startswith(f"{key} =")]
    text = "\n".join(lines) + f"\n{key} = {value}\n"
    job = _check(read_job, folder / "job.ini", text.encode())
    if job is not None:
        assert math.isfinite(job.truncation_level or 0.0) and job.n_fields >= 1 and 0 <= job.seed < 2**32
