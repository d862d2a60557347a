"""The coalition registry's use cases: accession (apply, approve, reject) and corrections of registry fields with
their sources (``kalkan cities update``). Plain queries of the registry (list, get, rows) are in
:mod:`kalkan.store.registry`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kalkan.app.reference_data import apply_facts, facts_document, field_of, set_city_field
from kalkan.core.coalition.model import CityFacts
from kalkan.errors import ConflictError, InputError
from kalkan.io.cities import SOURCE_OF_FIELD, check_in_country, field_value, parse_assignment, parse_city
from kalkan.store.models import AccessionApplication, City, CityFieldChange, utcnow
from kalkan.store.registry import field_change_row, get_city, isoformat_utc


def _clean_person(value: str, what: str, option: str) -> str:
    """A person's or office's name, stripped; refused unless 1-200 characters (``option`` is the CLI's)."""
    value = value.strip()
    if not value or len(value) > 200:
        raise InputError(f"{what} must be a name of 1-200 characters.", code="input.type", field=option)
    return value


def apply(session: Session, facts: CityFacts, *, applicant: str, checked: bool = False) -> AccessionApplication:
    """Record a city's application to accede; the city enters the registry as an applicant.

    A city already in the registry (same id, or same English name in the same country) cannot apply
    again unless its last application was rejected. The city's point must lie in its declared country
    (:func:`kalkan.io.cities.check_in_country`; ``checked`` when the caller has already checked it).
    """
    applicant = _clean_person(applicant, "The applicant", "--applicant")
    if not checked:
        check_in_country(facts, f"The application of '{facts.id}'")
    city = session.get(City, facts.id)
    if city is None:
        twin = session.scalars(
            select(City).where(
                func.lower(City.name_en) == facts.name_en.lower(), City.country_iso3 == facts.country_iso3
            )
        ).first()
        if twin is not None:
            raise ConflictError(
                f"{facts.name_en} ({facts.country_iso3}) is already in the registry as '{twin.id}' "
                f"({twin.membership_status}).",
                code="conflict.registry",
            )
        city = City(id=facts.id, membership_status="applicant")
        session.add(city)
    elif city.membership_status != "rejected":
        raise ConflictError(
            f"City '{facts.id}' is already in the registry ({city.membership_status}); it cannot apply again.",
            hint="Only a city whose application was rejected may apply anew.",
            code="conflict.registry",
        )
    else:
        city.membership_status = "applicant"
    apply_facts(city, facts)
    app = AccessionApplication(applicant=applicant, status="pending")
    city.applications.append(app)
    session.flush()
    return app


def _pending(session: Session, city_id: str) -> tuple[City, AccessionApplication]:
    city = get_city(session, city_id)
    pending = [a for a in city.applications if a.status == "pending"]
    if not pending:
        last = city.applications[-1] if city.applications else None
        detail = (
            f"its last application was {last.status} by {last.decided_by} on {isoformat_utc(last.decided_at)}"
            if last is not None
            else f"it is a {city.membership_status} city and never applied"
        )
        raise ConflictError(f"City '{city_id}' has no pending application: {detail}.", code="conflict.registry")
    return city, pending[-1]


def approve(
    session: Session, city_id: str, *, by: str, reason: str | None = None, when: dt.datetime | None = None
) -> AccessionApplication:
    """The secretariat admits the city: it becomes a member from the decision's date."""
    by = _clean_person(by, "The deciding person (--by)", "--by")
    city, app = _pending(session, city_id)
    when = when or utcnow()
    app.status, app.decided_by, app.decided_at, app.reason = "approved", by, when, reason
    city.membership_status = "member"
    city.member_since = when.date()
    session.flush()
    return app


def reject(
    session: Session, city_id: str, *, by: str, reason: str, when: dt.datetime | None = None
) -> AccessionApplication:
    """The secretariat rejects the application; a reason is required and recorded."""
    by = _clean_person(by, "The deciding person (--by)", "--by")
    if not reason.strip():
        raise InputError("A rejection needs a reason (--reason).", code="input.missing", field="--reason")
    city, app = _pending(session, city_id)
    app.status, app.decided_by, app.decided_at, app.reason = "rejected", by, when or utcnow(), reason.strip()
    city.membership_status = "rejected"
    session.flush()
    return app


# --- corrections of registry fields --------------------------------------------------------------------------


def update_city(
    session: Session, city_id: str, assignments: Sequence[str], *, source: str, by: str | None = None
) -> list[dict[str, Any]]:
    """Correct registry fields of a city (``FIELD=VALUE`` each), with the source of the correction.

    The corrected facts are checked as a whole against the founding-cities schema
    (:func:`kalkan.io.cities.parse_city`: ranges, vocabularies, GDP with its year and source). A field whose
    source is a field of its own (``population`` -> ``population_source``, ``lon``/``lat`` ->
    ``coordinates_source``, ...) gets the correction's source unless that is corrected too. Each change is kept
    in ``city_field_changes`` (old and new value, source, who, when) and survives every refresh of the shipped
    reference data. Returns the changes made (none when every value is already as given)."""
    source = source.strip()
    if not source or len(source) > 2000:
        raise InputError(
            "A correction needs its source (--source): where the new value comes from.",
            code="input.missing",
            field="--source",
        )
    who = _clean_person(by, "The person making the correction (--by)", "--by") if by is not None else None
    if not assignments:
        raise InputError("Give at least one --set FIELD=VALUE.", code="input.missing", field="--set")
    city = get_city(session, city_id)
    values: dict[str, Any] = {}
    for text in assignments:
        field, value_text = parse_assignment(text)
        if field in values:
            raise InputError(f"--set {field}: given twice.", code="input.duplicate", field=field)
        values[field] = field_value(field, value_text)
    before = facts_document(city)

    def checked_with(given: dict[str, Any]) -> dict[str, Any]:
        after = {**before, **given}
        return facts_document_of(parse_city({k: v for k, v in after.items() if v is not None}, "kalkan cities update"))

    checked = checked_with(values)
    for field in [f for f in values if field_of(city, f) != checked.get(f)]:  # a changed value gets its source
        implied = SOURCE_OF_FIELD.get(field)
        if implied is not None and implied not in values:
            values[implied] = source
    checked = checked_with(values)
    changes = []
    now = utcnow()
    for field in values:
        old, new = field_of(city, field), checked.get(field)
        if old == new:
            continue
        set_city_field(city, field, new)
        change = CityFieldChange(city_id=city_id, field=field, old_value={"value": old}, new_value={"value": new},
                                 source=source, changed_by=who, changed_at=now)  # fmt: skip
        session.add(change)
        changes.append(change)
    session.flush()
    return [field_change_row(c) for c in changes]


def facts_document_of(facts: CityFacts) -> dict[str, Any]:
    """The checked value of every correctable field of parsed facts (normalised: stripped texts, floats)."""
    doc: dict[str, Any] = {name: getattr(facts, name) for name in (
        "name_en", "name_ru", "name_local", "admin1", "geonameid", "lon", "lat", "elevation_m",
        "gdp_per_capita_usd", "gdp_year", "gdp_source", "currency", "ipcc_ar6_region", "climate",
    )}  # fmt: skip
    doc.update({name: list(getattr(facts, name)) for name in ("main_hazards", "rivers", "national_agencies")})
    doc.update(population=facts.population.value, population_year=facts.population.year,
               population_source=facts.population.source)  # fmt: skip
    doc.update({k: v for k, v in facts.sources.items() if k not in doc})
    return doc
