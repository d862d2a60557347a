"""The Kalkan exposure CSV: round trips, the column layout, and an exact error for every bad input."""

from __future__ import annotations

import contextlib
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from kalkan.core.bounds import ASSET_BUILDINGS, ASSET_OCCUPANTS, ASSET_VALUE
from kalkan.core.exposure.table import CRITICAL_TYPES, OCCUPANT_PERIODS, Exposure
from kalkan.errors import InputError
from kalkan.io.exposure import read_exposure, write_exposure
from kalkan.io.exposure_csv import read_exposure_csv, write_exposure_csv
from tests.errors import expect_error

HEADER = "id,lon,lat,taxonomy,number,cost_structural,cost_contents,occupants_night,district,critical_type,year_built"
ROWS = [
    "b1,74.59,42.87,CR+CIP/LFINF+CDL/HBET:1-3/RES,2,310000,155000,12,Oktyabrsky,,1975",
    "b2,74.60,42.88,MUR+ADO/LWAL+CDN/H:1/RES,1,45000,20000,5,Leninsky,school,",
    "b3,74.61,42.89,W/LWAL/H:1,3.5,12000.5,0,0,,hospital,2001",
]


def csv_file(directory: Path, header: str = HEADER, rows: list[str] | None = None, name: str = "e.csv") -> Path:
    path = directory / name
    path.write_text("\n".join([header, *(ROWS if rows is None else rows)]) + "\n", encoding="utf-8")
    return path


def strings(values: NDArray[Any] | None) -> list[str]:
    """A text field of an Exposure as a list (the constructor fills absent ones with "")."""
    assert values is not None
    return [str(v) for v in values]


def assert_same_exposure(a: Exposure, b: Exposure) -> None:
    """Every field equal; NaN equals NaN; numeric extras compared as float64."""
    for name in ("id", "taxonomy", "district", "occupancy", "critical_type"):
        assert list(getattr(a, name)) == list(getattr(b, name)), name
    for name in ("lon", "lat", "number"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert set(a.costs) == set(b.costs) and set(a.occupants) == set(b.occupants)
    for k in a.costs:
        np.testing.assert_array_equal(a.costs[k], b.costs[k], err_msg=k)
    for k in a.occupants:
        np.testing.assert_array_equal(a.occupants[k], b.occupants[k], err_msg=k)
    assert (a.site_id is None) == (b.site_id is None)
    if a.site_id is not None and b.site_id is not None:
        np.testing.assert_array_equal(a.site_id, b.site_id)
    assert list(a.extra) == list(b.extra)
    for k, va in a.extra.items():
        vb = b.extra[k]
        if np.asarray(va).dtype.kind in "biuf":
            assert vb.dtype == np.float64, k
            np.testing.assert_array_equal(np.asarray(va, dtype=np.float64), vb, err_msg=k)
        else:
            assert list(va) == list(vb), k
    assert (a.currency, a.price_year) == (b.currency, b.price_year)


# Text without surrogates or control characters, plus the characters CSV must quote.
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(',"\n\r ;'),
    max_size=10,
)
FLOATS = st.floats(0, ASSET_VALUE.hi, allow_nan=False, allow_infinity=False)


@st.composite
def exposures(draw: st.DrawFn, *, numeric_looking_text: bool = False) -> Exposure:
    """Random valid exposures; text extras start with a letter unless the format keeps types."""
    n = draw(st.integers(1, 8))
    ids = draw(st.lists(TEXT.filter(lambda s: bool(s.strip())), min_size=n, max_size=n, unique=True))

    def column(strategy: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(strategy, min_size=n, max_size=n))

    kinds = draw(st.sampled_from([("total",), ("structural",), ("structural", "nonstructural", "contents")]))
    periods = draw(st.lists(st.sampled_from(OCCUPANT_PERIODS), unique=True))
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["year_built"] = np.array(column(st.floats(allow_nan=True, allow_infinity=True)))
    if draw(st.booleans()):
        extra["storeys"] = np.array(column(st.integers(-(2**40), 2**40)))
    if draw(st.booleans()):
        text = TEXT if numeric_looking_text else TEXT.map(lambda s: "t" + s)
        extra["condition"] = np.array(column(text), dtype=object)
    return Exposure(
        id=np.array(ids, dtype=object),
        lon=np.array(column(st.floats(-180, 180))),
        lat=np.array(column(st.floats(-90, 90))),
        taxonomy=np.array(column(TEXT.filter(bool)), dtype=object),
        costs={k: np.array(column(FLOATS)) for k in kinds},
        number=np.array(column(st.floats(0, ASSET_BUILDINGS.hi))),
        occupants={p: np.array(column(st.floats(0, ASSET_OCCUPANTS.hi))) for p in periods},
        district=np.array(column(TEXT), dtype=object),
        occupancy=np.array(column(st.sampled_from(["", "Res", "Com", "Ind"])), dtype=object),
        critical_type=np.array(column(st.sampled_from(["", *CRITICAL_TYPES])), dtype=object),
        site_id=np.array(column(st.integers(0, 2**53 - 1)), dtype=np.int64) if draw(st.booleans()) else None,
        extra=extra,
        currency=draw(st.sampled_from(["USD", "KZT", "TJS"])),
        price_year=draw(st.none() | st.integers(1990, 2030)),
    )


def test_reads_the_documented_layout(tmp_path: Path) -> None:
    e = read_exposure_csv(csv_file(tmp_path))
    assert list(e.id) == ["b1", "b2", "b3"] and e.source == str(tmp_path / "e.csv")
    np.testing.assert_array_equal(e.lon, [74.59, 74.60, 74.61])
    np.testing.assert_array_equal(e.number, [2, 1, 3.5])
    assert set(e.costs) == {"structural", "contents"} and e.costs["structural"][2] == 12000.5
    assert list(e.occupants) == ["night"]
    assert strings(e.district) == ["Oktyabrsky", "Leninsky", ""] and strings(e.critical_type) == [
        "",
        "school",
        "hospital",
    ]
    assert strings(e.occupancy) == ["", "", ""] and e.site_id is None
    year = e.extra["year_built"]
    assert year.dtype == np.float64 and year[0] == 1975 and math.isnan(year[1])
    assert (e.currency, e.price_year) == ("USD", None)


def test_extra_text_columns_stay_text(tmp_path: Path) -> None:
    e = read_exposure_csv(csv_file(tmp_path, HEADER + ",condition", [r + ",good" for r in ROWS[:2]] + [ROWS[2] + ","]))
    assert list(e.extra["condition"]) == ["good", "good", ""]


def test_round_trip_with_awkward_text(tmp_path: Path) -> None:
    e = Exposure(
        id=np.array(["a,1", 'b"2', "c\n3", " d "], dtype=object),
        lon=np.array([74.5, -0.0, 1 / 3, 180.0]),
        lat=np.array([42.1, 0.0, -90.0, 5e-324]),
        taxonomy=np.array(["CR/LFINF", "W", "MUR+ADO", "ÜBER"], dtype=object),
        costs={"total": np.array([1.0, 2.5, 1e15, 0.0])},
        occupants={"day": np.array([1.0, 0, 3, 4])},
        district=np.array(["Алмалинский", "", "NA", "null"], dtype=object),
        site_id=np.array([0, 3, 2, 2**40]),
        extra={"note": np.array(["x", "", "y,z", "NaN-ish"], dtype=object), "f": np.array([np.nan, np.inf, -1.0, 2])},
        currency="KGS",
        price_year=2021,
    )
    path = write_exposure_csv(e, tmp_path / "out.csv")
    assert path == tmp_path / "out.csv"
    assert_same_exposure(e, read_exposure_csv(path))
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_header_only_is_an_empty_exposure(tmp_path: Path) -> None:
    e = read_exposure_csv(csv_file(tmp_path, rows=[]))
    assert len(e) == 0 and set(e.costs) == {"structural", "contents"}


def test_currency_and_price_year(tmp_path: Path) -> None:
    path = csv_file(tmp_path, HEADER + ",currency,price_year", [r + ",KZT,2021" for r in ROWS])
    e = read_exposure_csv(path)
    assert (e.currency, e.price_year) == ("KZT", 2021)
    assert read_exposure_csv(path, currency="KZT", price_year=2021).currency == "KZT"
    plain = read_exposure_csv(csv_file(tmp_path, name="plain.csv"), currency="UZS", price_year=2020)
    assert (plain.currency, plain.price_year) == ("UZS", 2020)
    with pytest.raises(InputError) as info:
        read_exposure_csv(path, currency="USD")
    assert "'KZT'" in expect_error(info, "input.inconsistent", "currency").message
    with pytest.raises(InputError) as info:
        read_exposure_csv(path, price_year=2015)
    assert "2015" in expect_error(info, "input.inconsistent", "price_year").message


def test_mixed_currencies_are_an_error(tmp_path: Path) -> None:
    rows = [ROWS[0] + ",USD", ROWS[1] + ",USD", ROWS[2] + ",KZT"]
    with pytest.raises(InputError) as info:
        read_exposure_csv(csv_file(tmp_path, HEADER + ",currency", rows))
    message = expect_error(info, "input.inconsistent", "currency", 3).message
    assert "e.csv" in message and "'KZT'" in message and "'USD'" in message


def _replace(row: int, field: str, value: str) -> list[str]:
    names = HEADER.split(",")
    rows = [r.split(",") for r in ROWS]
    rows[row - 1][names.index(field)] = value
    return [",".join(r) for r in rows]


@pytest.mark.parametrize(
    ("row", "field", "value", "code"),
    [
        (2, "cost_structural", "-5", "input.range"),
        (3, "cost_contents", "abc", "input.type"),
        (1, "cost_contents", '"1,5"', "input.type"),
        (1, "cost_structural", "nan", "input.range"),
        (3, "cost_structural", "inf", "input.range"),
        (2, "cost_structural", "", "input.missing"),
        (2, "number", "two", "input.type"),
        (1, "occupants_night", "-1", "input.range"),
        (2, "id", "", "input.missing"),
        (2, "id", '"  "', "input.missing"),
        (3, "id", "b1", "input.duplicate"),
        (2, "lon", "500000", "input.range"),
        (3, "lat", "-91", "input.range"),
        (1, "lat", "north", "input.type"),
        (2, "taxonomy", "", "input.missing"),
        (1, "critical_type", "church", "input.unknown"),
    ],
)
def test_bad_values_name_file_row_field_and_value(tmp_path: Path, row: int, field: str, value: str, code: str) -> None:
    path = csv_file(tmp_path, rows=_replace(row, field, value))
    with pytest.raises(InputError) as info:
        read_exposure_csv(path)
    message = expect_error(info, code, field, row).message
    assert message.startswith(f"{path}: "), message
    assert value.strip('" ') in message  # the offending value as the file gives it


def test_coordinate_errors_hint_at_the_crs(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_exposure_csv(csv_file(tmp_path, rows=_replace(2, "lon", "512345.6")))
    assert info.value.hint is not None and "EPSG:4326" in info.value.hint and "UTM" in info.value.hint


def test_decimal_comma_hint(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_exposure_csv(csv_file(tmp_path, rows=_replace(1, "cost_contents", '"1,5"')))
    assert info.value.hint is not None and "decimal separator" in info.value.hint


@pytest.mark.parametrize(("value", "code"), [("1.5", "input.type"), ("-1", "input.range")])
def test_bad_site_id(tmp_path: Path, value: str, code: str) -> None:
    rows = [ROWS[0] + ",0", ROWS[1] + f",{value}", ROWS[2] + ",1"]
    with pytest.raises(InputError) as info:
        read_exposure_csv(csv_file(tmp_path, HEADER + ",site_id", rows))
    assert f"'{value}'" in expect_error(info, code, "site_id", 2).message


def test_site_id_read(tmp_path: Path) -> None:
    e = read_exposure_csv(csv_file(tmp_path, HEADER + ",site_id", [r + f",{k}" for k, r in enumerate(ROWS)]))
    assert e.site_id is not None and e.site_id.dtype == np.int64 and list(e.site_id) == [0, 1, 2]


@pytest.mark.parametrize(
    ("header", "rows", "code", "field", "row"),
    [
        (HEADER, [ROWS[0], ROWS[1] + ",extra", ROWS[2]], "input.syntax", None, 2),
        (HEADER, [ROWS[0], "b2,74.6", ROWS[2]], "input.syntax", None, 2),
        (HEADER.replace("lat,", ""), [], "input.missing", "lat", None),
        (HEADER.replace("cost_structural,cost_contents,", ""), [], "input.missing", None, None),
        (HEADER.replace("cost_contents", "cost_content"), [], "input.unknown", "cost_content", None),
        (HEADER.replace("occupants_night", "occupants_evening"), [], "input.unknown", "occupants_evening", None),
        (HEADER.replace("district", "lon"), [], "input.duplicate", "lon", 1),
        (HEADER.replace("district", ""), [], "input.missing", None, None),
        (HEADER + ",cost_total", [r + ",1" for r in ROWS], "input.inconsistent", "cost_total", None),
        (HEADER + ",price_year", [ROWS[0] + ",2021", ROWS[1] + ",2020", ROWS[2] + ",2021"], "input.inconsistent",
         "price_year", 2),
        (HEADER + ",price_year", [r + ",21" for r in ROWS], "input.range", "price_year", 1),
        (HEADER + ",currency", [ROWS[0] + ",USD", ROWS[1] + ",", ROWS[2] + ",USD"], "input.missing", "currency", 2),
    ],
)  # fmt: skip
def test_bad_structure(
    tmp_path: Path, header: str, rows: list[str], code: str, field: str | None, row: int | None
) -> None:
    path = csv_file(tmp_path, header, rows)
    with pytest.raises(InputError) as info:
        read_exposure_csv(path)
    assert expect_error(info, code, field, row).message.startswith(f"{path}: "), str(info.value)


def test_file_level_errors(tmp_path: Path) -> None:
    (tmp_path / "nul.csv").write_bytes((HEADER + "\n" + ROWS[0] + "\n" + ROWS[1] + "\x00" * 8 + "\n").encode())
    for path, code, row in (
        (tmp_path / "missing.csv", "input.not_found", None),
        (tmp_path, "input.unreadable", None),  # a folder, not a file
        (tmp_path / "empty.csv", "input.empty", None),
        (tmp_path / "latin1.csv", "input.encoding", 3),
        (tmp_path / "nul.csv", "input.encoding", 3),  # a binary file, not text
    ):
        (tmp_path / "empty.csv").write_bytes(b"")
        (tmp_path / "latin1.csv").write_bytes(
            (HEADER + "\n" + ROWS[0] + "\n" + ROWS[1]).encode() + ",Ch\xe2teau\n".encode("latin-1")
        )
        with pytest.raises(InputError) as info:
            read_exposure_csv(path)
        assert str(path) in expect_error(info, code, None, row).message


def test_a_bom_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "\n" + ROWS[0] + "\n\n" + ROWS[1] + "\n").encode())
    assert list(read_exposure_csv(path).id) == ["b1", "b2"]


def test_writer_refuses_ambiguous_extra_names(tmp_path: Path) -> None:
    e = read_exposure_csv(csv_file(tmp_path))
    with pytest.raises(InputError) as info:
        Exposure(id=e.id, lon=e.lon, lat=e.lat, taxonomy=e.taxonomy, costs=e.costs, extra={"currency": np.zeros(3)})
    expect_error(info, "input.duplicate", "currency")
    for name in ("cost_bi", "occupants_avg", " "):
        bad = Exposure(id=e.id, lon=e.lon, lat=e.lat, taxonomy=e.taxonomy, costs=e.costs, extra={name: np.zeros(3)})
        with pytest.raises(InputError) as info:
            write_exposure_csv(bad, tmp_path / "bad.csv")
        expect_error(info, "input.unsupported", name)
    assert not (tmp_path / "bad.csv").exists()


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    e = read_exposure_csv(csv_file(tmp_path))
    target = tmp_path / "out.csv"
    target.write_text("old content", encoding="utf-8")

    def fail(table: pa.Table, where: Path, **_: Any) -> None:
        Path(where).write_text("half a fi", encoding="utf-8")
        raise pa.ArrowIOError("disk full")

    monkeypatch.setattr(pyarrow.csv, "write_csv", fail)
    with pytest.raises(InputError) as info:
        write_exposure_csv(e, target)
    assert "disk full" in expect_error(info, "output.unwritable").message  # the system's reason is passed on
    assert target.read_text(encoding="utf-8") == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "out.csv"]
    with pytest.raises(InputError) as info:
        write_exposure_csv(e, tmp_path / "no" / "out.csv")
    assert str(tmp_path / "no") in expect_error(info, "input.not_found").message


def test_read_and_write_by_suffix(tmp_path: Path) -> None:
    e = read_exposure(csv_file(tmp_path), currency="USD")
    for name in ("a.csv", "a.gpkg", "a.xml"):
        assert_same_exposure(e, read_exposure(write_exposure(e, tmp_path / name)))
    with pytest.raises(InputError) as info:
        read_exposure(tmp_path / "a.shp")
    assert "'.shp'" in expect_error(info, "input.unsupported").message
    with pytest.raises(InputError) as info:
        read_exposure(tmp_path / "a.csv", layer="x")
    expect_error(info, "input.options", "--layer")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exposure=exposures())
def test_random_tables_round_trip(exposure: Exposure) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_exposure_csv(exposure, Path(tmp) / "random.csv")
        assert_same_exposure(exposure, read_exposure_csv(path))


GARBAGE = st.text(max_size=40) | st.binary(max_size=40).map(lambda b: b.decode("latin-1"))


@settings(max_examples=150, deadline=None)
@given(garbage=GARBAGE, position=st.integers(0, len(ROWS)), as_bytes=st.booleans())
def test_garbage_rows_give_input_errors(garbage: str, position: int, as_bytes: bool) -> None:
    rows = [*ROWS]
    rows.insert(position, garbage)
    text = "\n".join([HEADER, *rows]) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "garbage.csv"
        path.write_bytes(text.encode("latin-1", "replace") if as_bytes else text.encode("utf-8", "surrogatepass"))
        with contextlib.suppress(InputError):
            read_exposure_csv(path)


@settings(max_examples=150, deadline=None)
@given(row=st.integers(0, len(ROWS) - 1), field=st.integers(0, 10), value=st.text(max_size=20))
def test_garbage_fields_give_input_errors(row: int, field: int, value: str) -> None:
    cells = [r.split(",") for r in ROWS]
    cells[row][field] = value
    text = "\n".join([HEADER, *(",".join(c) for c in cells)]) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "garbage.csv"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        with contextlib.suppress(InputError):
            read_exposure_csv(path)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=200))
def test_random_files_give_input_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.csv"
        path.write_bytes(data)
        with contextlib.suppress(InputError):
            read_exposure_csv(path)
