"""Mutations of valid files into malformed ones: code, not stored blobs, so the corpus is reproducible.

Each function takes the bytes (or parsed rows) of a valid seed file and yields ``(name, bytes)`` pairs, one
per kind of damage the issue lists: empty, header-only, truncated, wrong columns, NaN/inf/1e308, swapped or
out-of-range coordinates, duplicates, non-UTF-8, XXE, entity expansion, external DTD, deep nesting.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator, Sequence
from typing import Any

Mutation = tuple[str, bytes]

BAD_NUMBERS = ("nan", "inf", "-inf", "1e308", "-1", "abc")
PER_COLUMN = 4
"""How many of the bad values each numeric column is tried with (rotating through them column by column)."""
"""Values no numeric field of any importer may accept (``-1``: every counted or priced quantity is >= 0)."""
FAR_AWAY = {"sydney": (151.21, -33.87), "lon_minus_70": (-70.0, 54.87), "null_island": (0.0, 0.0)}
"""Coordinates far from every founding city (the issue's facility at longitude -70, a Kyrgyz city at Sydney)."""


def read_rows(data: bytes) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]


def write_rows(rows: Sequence[Sequence[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def generic(data: bytes, seed: int = 7) -> Iterator[Mutation]:
    """Damage any file can suffer: empty, truncated, bytes that are not UTF-8, NUL bytes, random garbage."""
    rng = random.Random(seed)  # noqa: S311 - reproducible garbage, not secrets
    yield "empty", b""
    yield "truncated_half", data[: len(data) // 2]
    yield "truncated_3_bytes", data[:3]
    cut = data.find(b"\n", len(data) // 3)
    lines = data.split(b"\n")
    if len(lines) > 3:
        yield "non_utf8_line3", b"\n".join([*lines[:2], lines[2] + b"\xff\xfe\xc3", *lines[3:]])
    yield "non_utf8_first_byte", b"\xff" + data
    yield "utf16", data.decode("utf-8", "replace").encode("utf-16")
    yield "nul_bytes", data[: max(cut, 1)] + b"\x00" * 64 + data[max(cut, 1) :]
    yield "binary_garbage", bytes(rng.randrange(256) for _ in range(2048))


def csv_table(
    data: bytes,
    *,
    numeric: Sequence[str] = (),
    required: Sequence[str] = (),
    key: str | None = None,
    lonlat: tuple[str, str] | None = None,
    row: int = 1,
    bad: Sequence[str] = BAD_NUMBERS,
    optional: Sequence[str] = (),
    far_away: bool = True,
) -> Iterator[Mutation]:
    """A CSV with a header: structure, values of the ``numeric`` columns, ids (``key``) and coordinates.

    ``bad`` are the values tried in each numeric column (plus an empty cell unless the column is ``optional``,
    and a decimal comma); coordinates (``lonlat``) get ``-1`` left out (it is a valid coordinate), and points
    far from every founding city only when ``far_away`` (for importers that know the city)."""
    rows = read_rows(data)
    header, body = rows[0], rows[1:]
    yield "header_only", write_rows([header])
    yield "header_and_blank_lines", write_rows([header]) + b"\n\n\n"
    yield "no_header_rows_only", write_rows(body[:3])
    yield "semicolon_separated", data.decode("utf-8-sig").replace(",", ";").encode()
    yield "unknown_column", write_rows([[*header, "surprise"], *([*r, "1"] for r in body)])
    yield "misspelt_column", write_rows([[h + "_x" if i == len(header) - 1 else h for i, h in enumerate(header)],
                                         *body])  # fmt: skip
    yield "duplicate_column", write_rows([[*header, header[0]], *([*r, r[0]] for r in body)])
    for name in required:
        if name in header:
            k = header.index(name)
            yield f"missing_{name}", write_rows([[c for i, c in enumerate(r) if i != k] for r in rows])
    yield "short_row", write_rows([header, *body[:row], body[row][:-2], *body[row + 1 :]])
    yield "long_row", write_rows([header, *body[:row], [*body[row], "x", "y"], *body[row + 1 :]])
    for c, name in enumerate(numeric):
        if name not in header:
            continue
        k = header.index(name)
        values = [v for v in (*bad, "", "1,5") if not (lonlat and name in lonlat and v == "-1")]
        values = [v for v in values if not (v == "" and name in optional)]
        # Each column gets PER_COLUMN of the values, rotating, so that the columns together try every value.
        picked = [values[(c * PER_COLUMN + j) % len(values)] for j in range(min(PER_COLUMN, len(values)))]
        for value in picked:
            changed = [list(r) for r in body]
            changed[row][k] = value
            yield f"{name}={value or 'empty'}", write_rows([header, *changed])
    if key is not None and key in header:
        yield "duplicate_id", write_rows([header, *body, body[row]])
        k = header.index(key)
        blank = [list(r) for r in body]
        blank[row][k] = ""
        yield "empty_id", write_rows([header, *blank])
    if lonlat is not None and all(c in header for c in lonlat):
        i, j = header.index(lonlat[0]), header.index(lonlat[1])
        swapped = [list(r) for r in body]
        for r in swapped:
            r[i], r[j] = r[j], r[i]
        if far_away:
            yield "lon_lat_swapped", write_rows([header, *swapped])
        places = {**(FAR_AWAY if far_away else {}), "lon_181": (181.0, 10.0), "lat_95": (10.0, 95.0)}
        for label, (x, y) in places.items():
            moved = [list(r) for r in body]
            moved[row][i], moved[row][j] = str(x), str(y)
            yield f"coordinates_{label}", write_rows([header, *moved])
        utm = [list(r) for r in body]
        utm[row][i], utm[row][j] = "412345.6", "6078901.2"
        yield "coordinates_utm_metres", write_rows([header, *utm])
        if not far_away:
            return


def json_document(data: bytes) -> Iterator[Mutation]:
    """JSON-level damage: syntax, nesting, wrong root, non-standard numbers, size."""
    text = data.decode("utf-8")
    yield "not_json", b"{this is not json"
    yield "trailing_comma", text.rstrip().rstrip("}").rstrip().encode() + b",}"
    yield "root_is_number", b"42"
    yield "root_is_string", b'"a city"'
    yield "root_is_null", b"null"
    yield "empty_object", b"{}"
    yield "empty_list", b"[]"
    yield "deep_nesting_100k", b"[" * 100_000 + b"]" * 100_000
    yield "deep_nesting_objects", b'{"a":' * 5000 + b"1" + b"}" * 5000
    yield "nan_literal", text.replace("1", "NaN", 1).encode() if "1" in text else b"NaN"
    yield "huge_number_literal", b"1" + b"0" * 400


def json_fields(obj: dict[str, Any], numeric: Sequence[str], required: Sequence[str]) -> Iterator[Mutation]:
    """Field-level damage of one JSON object: unknown, missing and mistyped fields, bad numbers (``null`` only
    in the ``required`` fields)."""

    def dump(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, allow_nan=True).encode()

    yield "unknown_field", dump({**obj, "surprise_field": 1})
    last = list(obj)[-1]
    yield "misspelt_field", dump({(k + "_x" if k == last else k): v for k, v in obj.items()})
    for name in required:
        yield f"missing_{name}", dump({k: v for k, v in obj.items() if k != name})
    for name in numeric:
        for value in (
            float("nan"),
            float("inf"),
            1e308,
            True,
            [1],
            {"value": 1},
            *([None] if name in required else []),
        ):
            yield f"{name}={value!r}", dump({**obj, name: value})


def xml_document(data: bytes, root: str = "nrml") -> Iterator[Mutation]:
    """XML-level damage: well-formedness, entities, DTDs, nesting, encoding."""
    text = data.decode("utf-8")
    body = text.split("?>", 1)[1] if text.lstrip().startswith("<?xml") else text
    decl = '<?xml version="1.0" encoding="utf-8"?>\n'
    yield "not_xml", b"this is not xml"
    yield "unclosed_root", (decl + body.rsplit("</", 1)[0]).encode()
    yield "wrong_root", (decl + "<html><body/></html>").encode()
    yield (
        "xxe_file",
        (decl + f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<{root}>&xxe;</{root}>').encode(),
    )
    yield (
        "xxe_http",
        (decl + f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>\n<{root}>&xxe;</{root}>').encode(),
    )
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    yield "billion_laughs", (decl + f'<!DOCTYPE {root} [<!ENTITY l0 "lol">{laughs}]>\n<{root}>&l9;</{root}>').encode()
    yield "internal_entity", (decl + f'<!DOCTYPE {root} [<!ENTITY e "7.0">]>\n' + body).encode()
    yield "external_dtd", (decl + f'<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/nrml.dtd">\n' + body).encode()
    yield (
        "external_parameter_entity",
        (decl + f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n' + body).encode(),
    )
    yield "deep_nesting", (decl + "<a>" * 50_000 + "</a>" * 50_000).encode()
    yield "latin1_declared_utf8", (decl + body).encode("utf-8").replace(b"<", b"<\xe9", 1)
