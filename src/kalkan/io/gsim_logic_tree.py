"""GMPE logic trees: OpenQuake's NRML ``gmpeModel`` branch sets, or a simple ``model,weight`` CSV.

A branch's model is an OpenQuake class name (``BooreEtAl2014``), optionally with TOML-style options as
OpenQuake writes them (``[BooreEtAl2014]\\nregion = "JPN"``). Weights must sum to 1. Branches are
:class:`~kalkan.core.hazard.earthquake.logic_tree.GmpeBranch` (the model is built, so an unknown model or
option is an error naming the file and the branch).
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kalkan.core.hazard.earthquake.logic_tree import WEIGHT_TOLERANCE, GmpeBranch
from kalkan.errors import InputError
from kalkan.io.text import read_text_file
from kalkan.io.xml import parse_with_lines, read_file_bytes

_TOML_HEADER = re.compile(r"^\s*\[([A-Za-z0-9_]+)\]\s*$")


@dataclass(frozen=True, slots=True)
class _Raw:
    """A branch as read, before its model is built: id, model, weight, options, tectonic region, and the field
    (column or element) and line of its model."""

    branch_id: str
    model: str
    weight: float
    options: dict[str, Any]
    tectonic_region: str
    field: str
    row: int | None


def _parse_model(text: str, where: str, field: str, row: int | None) -> tuple[str, dict[str, Any]]:
    text = text.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError(f"{where}: empty uncertaintyModel.", code="input.missing", field=field, row=row)
    m = _TOML_HEADER.match(lines[0])
    if m is None:
        if len(lines) > 1 or not re.fullmatch(r"[A-Za-z0-9_]+", lines[0].strip()):
            raise InputError(
                f"{where}: uncertaintyModel {text!r} is neither a model name nor [Model] with options.",
                code="input.syntax",
                field=field,
                row=row,
            )
        return lines[0].strip(), {}
    options: dict[str, Any] = {}
    try:
        parsed = tomllib.loads("\n".join(lines[1:]))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"{where}: options of {m.group(1)} are not valid TOML ({exc}).", code="input.syntax", field=field, row=row
        ) from exc
    options.update(parsed)
    return m.group(1), options


def read_logic_tree(path: Path) -> list[GmpeBranch]:
    """Read a GMPE logic tree (NRML .xml or model,weight .csv); weights are checked to sum to 1."""
    path = Path(path)
    raw = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xml(path)
    if not raw:
        raise InputError(f"{path}: no GMPE branch found.", code="input.empty")
    for b in raw:
        if not (math.isfinite(b.weight) and 0 < b.weight <= 1):
            raise InputError(
                f"{path}, branch {b.branch_id!r}: weight {b.weight!r}; expected a weight in (0, 1].",
                code="input.range",
                field="weight" if b.field == "model" else "uncertaintyWeight",
                row=b.row,
            )
    total = sum(b.weight for b in raw)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise InputError(
            f"{path}: branch weights sum to {total:.6f}; expected 1.",
            code="input.inconsistent",
            field="weight" if raw[0].field == "model" else "uncertaintyWeight",
        )
    out = []
    for b in raw:
        try:
            out.append(GmpeBranch(b.model, b.weight, b.options, b.branch_id, b.tectonic_region))
        except InputError as exc:
            raise InputError(
                f"{path}, branch {b.branch_id!r}: {exc.message}",
                hint=exc.hint,
                code=exc.code,
                field=b.field if exc.field in (None, "model") else exc.field,
                row=b.row,
            ) from exc
    return out


def _read_csv(path: Path) -> list[_Raw]:
    text = read_text_file(path, "GMPE logic tree CSV")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or sorted(f.strip() for f in reader.fieldnames) != ["model", "weight"]:
        raise InputError(
            f"{path}: header {reader.fieldnames!r}; expected the two columns model,weight.",
            code="input.missing",
            field="model" if "model" not in [f.strip() for f in reader.fieldnames or []] else "weight",
            row=1,
        )
    out = []
    for i, row in enumerate(reader, start=2):
        if None in row or None in row.values():
            raise InputError(f"{path}, line {i}: expected 2 fields (model,weight).", code="input.syntax", row=i)
        try:
            weight = float(row["weight"])
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"{path}, line {i}, field 'weight': {row['weight']!r}; expected a number.",
                code="input.type",
                field="weight",
                row=i,
            ) from exc
        if not 0 < weight <= 1:
            raise InputError(
                f"{path}, line {i}, field 'weight': {weight}; expected a weight in (0, 1].",
                code="input.range",
                field="weight",
                row=i,
            )
        name, options = _parse_model(row["model"] or "", f"{path}, line {i}", "model", i)
        out.append(_Raw(f"b{i - 1}", name, weight, options, "Active Shallow Crust", "model", i))
    return out


def _read_xml(path: Path) -> list[_Raw]:
    data, source = read_file_bytes(path)
    root, lines = parse_with_lines(data, source)

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    out: list[_Raw] = []
    for bset in root.iter():
        if local(bset.tag) != "logicTreeBranchSet":
            continue
        kind = bset.get("uncertaintyType")
        if kind != "gmpeModel":
            raise InputError(
                f"{path}: branch set {bset.get('branchSetID')!r} is {kind!r}; expected gmpeModel.",
                code="input.unsupported",
                field="uncertaintyType",
                row=lines.get(id(bset)),
            )
        trt = bset.get("applyToTectonicRegionType", "Active Shallow Crust")
        for branch in bset:
            if local(branch.tag) != "logicTreeBranch":
                continue
            bid = branch.get("branchID", f"b{len(out)}")
            line = lines.get(id(branch))
            model = weight = None
            for child in branch:
                if local(child.tag) == "uncertaintyModel":
                    model = child.text or ""
                elif local(child.tag) == "uncertaintyWeight":
                    weight = child.text
            where = f"{path}, branch {bid!r}"
            if model is None or weight is None:
                raise InputError(
                    f"{where}: needs uncertaintyModel and uncertaintyWeight.",
                    code="input.missing",
                    field="uncertaintyModel" if model is None else "uncertaintyWeight",
                    row=line,
                )
            try:
                w = float(weight)
            except ValueError as exc:
                raise InputError(
                    f"{where}: uncertaintyWeight {weight!r} is not a number.",
                    code="input.type",
                    field="uncertaintyWeight",
                    row=line,
                ) from exc
            name, options = _parse_model(model, where, "uncertaintyModel", line)
            out.append(_Raw(bid, name, w, options, trt, "uncertaintyModel", line))
    trts = {b.tectonic_region for b in out}
    if len(trts) > 1:
        raise InputError(
            f"{path}: branch sets for several tectonic regions ({', '.join(sorted(trts))}); a scenario uses one.",
            code="input.unsupported",
            field="applyToTectonicRegionType",
        )
    return out
