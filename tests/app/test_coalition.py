"""The accession workflow: apply, approve or reject, with who decided and when."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kalkan.app import coalition
from kalkan.errors import ConflictError, InputError, NotFoundError
from kalkan.io.cities import parse_city
from kalkan.store import registry
from kalkan.store.database import Store
from kalkan.store.models import AccessionApplication, City
from tests.errors import expect_error

BISHKEK = {
    "id": "bishkek",
    "name_en": "Bishkek",
    "name_ru": "Бишкек",
    "country_iso3": "KGZ",
    "lon": 74.59,
    "lat": 42.87,
    "population": 900000,
    "population_source": "GeoNames 1528675 (illustrative test value)",
    "ipcc_ar6_region": "WCA",
    "main_hazards": ["earthquake", "mudflow_debris_flow"],
}


def test_apply_then_approve(store: Store) -> None:
    facts = parse_city(BISHKEK, "test")
    with store.transaction() as session:
        app = coalition.apply(session, facts, applicant="Mayor's office of Bishkek")
        assert app.status == "pending"
    with store.transaction() as session:
        city = registry.get_city(session, "bishkek")
        assert city.membership_status == "applicant" and city.member_since is None
        assert city.currency == "KGS"
    when = dt.datetime(2026, 12, 1, 10, 30, tzinfo=dt.UTC)
    with store.transaction() as session:
        app = coalition.approve(session, "bishkek", by="A. Secretariat", reason="Meets criteria", when=when)
    with store.transaction() as session:
        city = registry.get_city(session, "bishkek")
        assert city.membership_status == "member"
        assert city.member_since == dt.date(2026, 12, 1)
        row = registry.application_row(city.applications[-1])
        assert row["status"] == "approved"
        assert row["decided_by"] == "A. Secretariat"
        assert row["decided_at"] == "2026-12-01T10:30:00+00:00"
        assert [c.id for c in registry.list_cities(session, status="member")] == ["bishkek"]


def test_reject_then_reapply(store: Store) -> None:
    facts = parse_city(BISHKEK, "test")
    with store.transaction() as session:
        coalition.apply(session, facts, applicant="Bishkek")
    with store.transaction() as session:
        coalition.reject(session, "bishkek", by="Secretariat", reason="Incomplete hazard data")
    with store.transaction() as session:
        city = registry.get_city(session, "bishkek")
        assert city.membership_status == "rejected"
        assert city.applications[-1].reason == "Incomplete hazard data"
        with pytest.raises(ConflictError) as info:
            coalition.approve(session, "bishkek", by="Secretariat")
        expect_error(info, "conflict.registry")
    with store.transaction() as session:
        coalition.apply(session, facts, applicant="Bishkek, second try")
    with store.transaction() as session:
        city = registry.get_city(session, "bishkek")
        assert [a.status for a in city.applications] == ["rejected", "pending"]


def _snapshot(store: Store) -> tuple[int, int]:
    with store.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(City)) or 0,
            session.scalar(select(func.count()).select_from(AccessionApplication)) or 0,
        )


def test_duplicate_city_is_refused_and_nothing_changes(store: Store) -> None:
    before = _snapshot(store)
    osh = {**BISHKEK, "id": "osh", "name_en": "Osh"}
    with pytest.raises(ConflictError, match="founding") as info, store.transaction() as s:  # names its status
        coalition.apply(s, parse_city(osh, "t"), applicant="x")
    expect_error(info, "conflict.registry")
    twin = {**BISHKEK, "id": "osh-city", "name_en": "OSH"}
    with pytest.raises(ConflictError, match="'osh'") as info, store.transaction() as s:  # names the registered twin
        coalition.apply(s, parse_city(twin, "t"), applicant="x")
    expect_error(info, "conflict.registry")
    assert _snapshot(store) == before


def test_pending_applicant_cannot_apply_twice(store: Store) -> None:
    facts = parse_city(BISHKEK, "test")
    with store.transaction() as session:
        coalition.apply(session, facts, applicant="x")
    with pytest.raises(ConflictError, match="applicant") as info, store.transaction() as session:  # its status
        coalition.apply(session, facts, applicant="x")
    expect_error(info, "conflict.registry")


def test_decisions_on_unknown_or_founding_cities(store: Store) -> None:
    before = _snapshot(store)
    with pytest.raises(NotFoundError, match="'atlantis'") as info, store.transaction() as s:
        coalition.approve(s, "atlantis", by="Secretariat")
    expect_error(info, "not_found.city", "city")
    assert info.value.hint is not None and "dushanbe" in info.value.hint  # the known ids
    with pytest.raises(ConflictError) as conflict, store.transaction() as s:
        coalition.reject(s, "osh", by="Secretariat", reason="no")
    expect_error(conflict, "conflict.registry")
    with pytest.raises(InputError) as no_reason, store.transaction() as s:
        coalition.reject(s, "osh", by="Secretariat", reason="  ")
    expect_error(no_reason, "input.missing", "--reason")
    with pytest.raises(InputError) as no_name, store.transaction() as s:
        coalition.approve(s, "osh", by=" ")
    expect_error(no_name, "input.type", "--by")
    assert _snapshot(store) == before


def test_city_detail_is_json_ready(store: Store) -> None:
    with store.transaction() as session:
        detail = registry.city_detail(registry.get_city(session, "dushanbe"))
    text = json.dumps(detail, ensure_ascii=False)
    assert "Душанбе" in text
    assert detail["ipcc_ar6_region_name"] == "W.C.Asia"
    assert {g["kind"] for g in detail["geometries"]} == {"admin_boundary", "urban_extent"}
    assert detail["districts"] == []


def test_example_application_file_is_valid(tmp_path: Path) -> None:
    from kalkan.io.cities import read_cities

    root = Path(__file__).resolve().parents[2]
    cities = read_cities(root / "examples" / "accession" / "bishkek.json")
    assert [c.id for c in cities] == ["bishkek"]
