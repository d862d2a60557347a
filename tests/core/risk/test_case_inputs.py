"""Bad plain-file cases: each a clear error naming the file, row/element and field, before any computation,
and no output written."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from kalkan.app.risk import run_case
from kalkan.errors import ConflictError, InputError
from tests.errors import expect_error

GOLDEN = Path(__file__).parent / "data" / "climada_golden_5k_1k"


@pytest.fixture
def case(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    for name in ("hazard.npz", "exposures.csv", "impact_function.csv", "assignment.csv"):
        shutil.copy(GOLDEN / name, folder / name)
    return folder


def _rewrite_hazard(case: Path, **changes: np.ndarray) -> None:  # type: ignore[type-arg]
    with np.load(case / "hazard.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(changes)
    np.savez(case / "hazard.npz", **arrays)  # type: ignore[arg-type]


def _fails(
    case: Path, tmp_path: Path, pattern: str | None = None, *, code: str | None = None, field: str | None = None,
    row: int | None = None,
) -> None:  # fmt: skip
    """The run fails cleanly: with ``code`` (and ``field``, ``row``) when given, else a message matching ``pattern``
    (the readers of case files set their codes in another change), and writes nothing."""
    out = tmp_path / "out"
    with pytest.raises(InputError, match=pattern) as info:
        run_case(case, out)
    if code is not None:
        expect_error(info, code, field) if row is None else expect_error(info, code, field, row)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_nan_intensity(case: Path, tmp_path: Path) -> None:
    with np.load(case / "hazard.npz") as z:
        data = z["data"].copy()
    data[12345] = np.nan
    _rewrite_hazard(case, data=data)
    _fails(case, tmp_path, code="input.range", field="intensity", row=154)


def test_negative_frequency(case: Path, tmp_path: Path) -> None:
    with np.load(case / "hazard.npz") as z:
        freq = z["frequency"].copy()
    freq[3] = -1.0
    _rewrite_hazard(case, frequency=freq)
    _fails(case, tmp_path, code="input.range", field="frequency", row=3)


def test_empty_event_set(case: Path, tmp_path: Path) -> None:
    _rewrite_hazard(
        case,
        data=np.zeros(0),
        indices=np.zeros(0, dtype=np.int32),
        indptr=np.zeros(1, dtype=np.int64),
        shape=np.array([0, 400]),
        frequency=np.zeros(0),
        event_id=np.zeros(0, dtype=np.int64),
    )
    _fails(case, tmp_path, code="input.empty")


def test_negative_value(case: Path, tmp_path: Path) -> None:
    lines = (case / "exposures.csv").read_text().splitlines()
    parts = lines[8].split(",")
    parts[3] = "-5"
    lines[8] = ",".join(parts)
    (case / "exposures.csv").write_text("\n".join(lines) + "\n")
    _fails(case, tmp_path, r"exposures.csv, data row 8, field 'value': -5.0; expected a finite number >= 0 \(USD\)")


def test_non_numeric_value(case: Path, tmp_path: Path) -> None:
    text = (case / "exposures.csv").read_text().replace("\n3,", "\n3x,", 1)
    lines = text.splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0] + ",lots"
    (case / "exposures.csv").write_text("\n".join(lines) + "\n")
    _fails(case, tmp_path, r"exposures.csv: .*lots")


def test_non_monotone_impact_function(case: Path, tmp_path: Path) -> None:
    lines = (case / "impact_function.csv").read_text().splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    (case / "impact_function.csv").write_text("\n".join(lines) + "\n")
    _fails(case, tmp_path, r"impact_function.csv, data row 4, field 'intensity': intensities must increase")


def test_missing_file_and_bad_assignment(case: Path, tmp_path: Path) -> None:
    (case / "impact_function.csv").unlink()
    _fails(case, tmp_path, r"impact_function.csv: file not found")
    shutil.copy(GOLDEN / "impact_function.csv", case / "impact_function.csv")
    lines = (case / "assignment.csv").read_text().splitlines()
    lines[2] = lines[2].split(",")[0] + ",4000"
    (case / "assignment.csv").write_text("\n".join(lines) + "\n")
    _fails(case, tmp_path, code="input.range", field="site_id", row=2)


def test_without_assignment_the_nearest_site_is_used(case: Path, tmp_path: Path) -> None:
    (case / "assignment.csv").unlink()
    summary = run_case(case, tmp_path / "out", max_distance_km=0.5).as_dict()
    # Sites are about 2.3 km apart: a 0.5 km limit leaves some assets out, and they are reported by id.
    un = summary["unassigned"]
    assert un["count"] > 0 and len(un["ids"]) == min(un["count"], 1000)
    assert summary["sizes"]["assigned_assets"] + un["count"] == 5000


def test_output_folder_that_is_not_a_result_is_protected(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(ConflictError, match="mine") as info:  # the message names the folder
        run_case(case, out)
    expect_error(info, "conflict.exists")
    assert (out / "thesis.docx").read_text() == "precious"
    run_case(case, tmp_path / "result")
    with pytest.raises(ConflictError):  # a previous result is not replaced silently either
        run_case(case, tmp_path / "result")
