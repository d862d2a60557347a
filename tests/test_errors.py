"""Error codes: every code documented, every user error built with an explicit code, and the error as data."""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import pytest

from kalkan.errors import CODES, ConflictError, InputError, KalkanError, NotFoundError, StoreError
from kalkan.io.row_errors import RowError, RowsError, code_of
from tests.errors import expect_error

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "kalkan"
DOC = ROOT / "docs" / "errors.md"
DOC_ROW = re.compile(r"^\| `([a-z_]+\.[a-z_]+)` \| ([^|]+) \| `([^`]+)` \|$", re.MULTILINE)
"""A row of the table of codes in docs/errors.md: code, meaning, example message."""


def test_every_code_is_documented_with_an_example() -> None:
    rows = {code: (meaning.strip(), example) for code, meaning, example in DOC_ROW.findall(DOC.read_text("utf-8"))}
    assert sorted(set(CODES) - set(rows)) == [], "codes without a row in docs/errors.md"
    assert sorted(set(rows) - set(CODES)) == [], "rows of docs/errors.md for codes that do not exist"
    for code, (meaning, example) in rows.items():
        assert meaning == CODES[code], f"{code}: the meaning in docs/errors.md differs from kalkan.errors.CODES"
        assert len(example) > 10, f"{code}: no example message"


def test_codes_are_namespaced_and_meaningful() -> None:
    for code, meaning in CODES.items():
        assert re.fullmatch(r"(input|output|not_found|conflict|store)\.[a-z_]+", code), code
        assert meaning and meaning == meaning.strip(), code
    for cls in (KalkanError, InputError, StoreError, NotFoundError, ConflictError):
        assert cls.default_code in CODES


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """KalkanError and every class of ``trees`` that derives from it (by base name, to a fixed point)."""
    names = {"KalkanError"}
    while True:
        found = {
            node.name
            for tree in trees.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any((b.id if isinstance(b, ast.Name) else getattr(b, "attr", None)) in names for b in node.bases)
        }
        if found <= names:
            return names
        names |= found


def uncoded_errors() -> list[str]:
    """``file:line`` of every construction of a KalkanError class in src/kalkan (``raise InputError(...)``, or
    one built and returned for the caller to raise) without an explicit ``code=`` keyword."""
    trees = {path: ast.parse(path.read_text("utf-8"), str(path)) for path in sorted(SRC.rglob("*.py"))}
    classes = _error_classes(trees)
    out = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in classes and not any(k.arg in ("code", None) for k in node.keywords):
                out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    return out


def test_the_walk_finds_what_it_must() -> None:
    """The walk sees subclasses defined in src and constructions outside ``raise`` (so the test below can fail)."""
    trees = {SRC / "io" / "row_errors.py": ast.parse((SRC / "io" / "row_errors.py").read_text("utf-8"))}
    assert {"KalkanError", "RowsError"} <= _error_classes({**trees, SRC / "errors.py": ast.parse(
        (SRC / "errors.py").read_text("utf-8"))})  # fmt: skip
    sample = ast.parse(
        "def f():\n    return InputError('x')\n\ndef g():\n    raise StoreError('y', code='store.busy')\n"
    )
    calls = [n for n in ast.walk(sample) if isinstance(n, ast.Call)]
    assert [any(k.arg == "code" for k in c.keywords) for c in calls] == [False, True]


@pytest.mark.xfail(
    strict=False,
    reason="other areas are being converted by other helpers; the lead removes the xfail at merge",
)
def test_every_user_error_has_an_explicit_code(capsys: pytest.CaptureFixture[str]) -> None:
    missing = uncoded_errors()
    with capsys.disabled():  # the count shows progress on every run, not only when the test fails
        print(f"\n{len(missing)} KalkanError constructions in src/kalkan lack an explicit code=")
    assert not missing, f"{len(missing)} without code=:\n" + "\n".join(missing)


def test_as_dict_gives_code_field_row_message_and_hint() -> None:
    error = InputError("e.csv: data row 3, field 'lon': got 'x'.", code="input.type", field="lon", row=3, hint="h")
    assert error.as_dict() == {
        "code": "input.type",
        "field": "lon",
        "row": 3,
        "message": "e.csv: data row 3, field 'lon': got 'x'.",
        "hint": "h",
    }
    assert str(error) == "e.csv: data row 3, field 'lon': got 'x'.\nHint: h"
    assert StoreError("down").as_dict() == {
        "code": "store.unreachable",
        "field": None,
        "row": None,
        "message": "down",
        "hint": None,
    }
    with pytest.raises(ValueError, match=r"input\.nonsense"):
        InputError("x", code="input.nonsense")


def test_rows_error_keeps_every_problem() -> None:
    problems = [
        RowError(2, "data row 2", "H1", "condition", "7", "a rating 1 to 5", "input.range"),
        RowError(4, "data row 4", "H3", "type", "castle", "one of hospital, ...", "input.unknown"),
    ]
    error = RowsError("f.csv: 2 error(s) in 2 of 4 row(s)", problems, code=code_of(problems))
    expect_error(error, "input.range", None, None)
    data = error.as_dict()
    assert data["code"] == "input.range" and data["field"] is None
    assert [(e["row"], e["field"], e["code"]) for e in data["errors"]] == [
        (2, "condition", "input.range"),
        (4, "type", "input.unknown"),
    ]
    assert code_of([]) == "input.empty"


def test_the_cli_prints_the_code_and_the_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`Error [code] (field name): message` on stderr, exit code 2, no traceback."""
    from kalkan.cli import main

    monkeypatch.delenv("KALKAN_DATABASE_URL", raising=False)
    monkeypatch.setenv("KALKAN_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "e.csv"
    path.write_text("id,lon,lat,taxonomy,cost_structural\na,74.6,42.9,CR,1e6\nb,74.6,42.9,CR,-5\n", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as info:
        main(["exposure", "convert", str(path), str(tmp_path / "out.gpkg")])
    text = err.getvalue()
    assert info.value.code == 2 and "Traceback" not in text
    assert "Error [input.range] (field cost_structural):" in text and "e.csv" in text
    assert not (tmp_path / "out.gpkg").exists()
