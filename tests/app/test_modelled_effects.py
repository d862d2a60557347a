"""Honest labels: what a modelled death toll includes, and the toll history recorded, with its source."""

from __future__ import annotations

import json
from pathlib import Path

from kalkan.app.earthquake import named_scenarios
from kalkan.app.modelled_effects import EARTHQUAKE_MODELLED_EFFECTS, NO_RECORD, recorded_toll
from tests.core.exposure.test_build_exposure_cli import kalkan

DATA = Path(__file__).resolve().parents[2] / "src/kalkan/data"
CITIES = {c["id"]: c for c in json.loads((DATA / "cities/founding_cities.json").read_text())}


def test_every_link_resolves_to_the_citys_record() -> None:
    """Recorded tolls are the founding-cities file's own numbers (read here with plain json), never made up."""
    scenarios = json.loads((DATA / "scenarios/earthquake_scenarios.json").read_text())["scenarios"]
    linked = [s for s in scenarios if "recorded_toll" in s]
    assert {s["id"] for s in linked} == {"ashgabat-1948", "dushanbe-gissar-1989", "dushanbe-khait-1949",
                                         "osh-fergana-2011"}  # fmt: skip
    by_id = {s["id"]: s for s in named_scenarios()}
    for s in linked:
        link = s["recorded_toll"]
        record = next(d for d in CITIES[link["city"]]["notable_disasters"]
                      if d["year"] == link["year"] and d.get("date") == link["date"])  # fmt: skip
        toll = recorded_toll(by_id[s["id"]])
        assert toll["available"] and toll["deaths"] == record["deaths"] and toll["source"] == record["source"]
    gissar = recorded_toll(by_id["dushanbe-gissar-1989"])
    assert gissar["deaths"] == 274 and "Sharora" in gissar["where"] and "outside the city" in gissar["where"]
    assert "Ishihara" in gissar["where_source"]


def test_no_record_says_so_and_hypothetical_has_none() -> None:
    by_id = {s["id"]: s for s in named_scenarios()}
    for sid in ("osh-1924", "namangan-1927", "namangan-chatkal-1946", "dushanbe-karatag-1907"):
        toll = recorded_toll(by_id[sid])
        assert not toll["available"] and toll["deaths"] is None and toll["text"] == NO_RECORD
    hypothetical = recorded_toll(by_id["petropavlovsk-hypothetical-m55"])
    assert not hypothetical["available"] and "HYPOTHETICAL" in hypothetical["text"]


def test_a_catalogue_event_finds_the_record_of_its_day() -> None:
    """ISC-GEM gives UTC (1989-01-22 23:02); the record gives the local date (1989-01-23): within a day."""
    toll = recorded_toll({"city": "dushanbe", "origin_time_utc": "1989-01-22 23:02:07"})
    assert toll["available"] and toll["deaths"] == 274
    assert recorded_toll({"city": "dushanbe", "origin_time_utc": "1989-01-26 00:00:00"})["text"] == NO_RECORD


def test_eq_scenarios_table_and_json() -> None:
    text = kalkan("eq", "scenarios")
    assert text.returncode == 0, text.stderr
    assert "recorded deaths" in text.stdout and "ground shaking only" in text.stdout
    assert "274" in text.stdout and "none on file" in text.stdout and "Sharora" in text.stdout
    rows = json.loads(kalkan("eq", "scenarios", "--json").stdout)
    assert all(r["modelled_effects"] == EARTHQUAKE_MODELLED_EFFECTS for r in rows)
    gissar = next(r for r in rows if r["id"] == "dushanbe-gissar-1989")
    assert gissar["recorded"]["deaths"] == 274
