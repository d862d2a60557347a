"""Recorded runs: lifecycle, progress bounds, failures recorded with their error."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from kalkan import __version__
from kalkan.app.summary import coalition_summary
from kalkan.errors import NotFoundError
from kalkan.store.database import Store
from kalkan.store.models import Run
from kalkan.store.runs import get_run, list_runs, recorded_run, run_row


def test_successful_run_is_recorded(store: Store) -> None:
    seen: list[tuple[int, str]] = []
    with recorded_run(
        store,
        "test",
        parameters={"cell_m": 500},
        input_digests={"x": "ab"},
        seed=42,
        city_id="osh",
        on_progress=lambda p, m: seen.append((p, m)),
    ) as run:
        run.progress(50, "half way")
        with store.transaction() as session:  # another reader sees the progress while the run goes on
            row = run_row(get_run(session, run.id))
            assert (row["status"], row["progress"], row["progress_message"]) == ("running", 50, "half way")
        run.summary = {"aal_usd_2021": 12.5}
    assert seen == [(50, "half way")]
    with store.transaction() as session:
        row = run_row(get_run(session, run.id[:8]))
    assert row["status"] == "succeeded" and row["progress"] == 100
    assert row["parameters"] == {"cell_m": 500} and row["seed"] == 42 and row["city_id"] == "osh"
    assert row["input_digests"] == {"x": "ab"} and row["code_version"] == __version__
    assert row["summary"] == {"aal_usd_2021": 12.5}
    assert row["duration_s"] is not None and row["duration_s"] >= 0


def test_failed_run_records_the_error(store: Store) -> None:
    with (  # noqa: PT012
        pytest.raises(ValueError, match="bad intensity"),
        recorded_run(store, "test", parameters={}, input_digests={}) as run,
    ):
        run.progress(10, "loading")
        raise ValueError("bad intensity")
    with store.transaction() as session:
        row = run_row(get_run(session, run.id))
    assert row["status"] == "failed" and row["error"] == "ValueError: bad intensity"
    assert row["progress"] == 10 and row["finished_at"] is not None


def test_progress_is_bounded(store: Store) -> None:
    with (
        recorded_run(store, "test", parameters={}, input_digests={}) as run,
        pytest.raises(ValueError, match="0-100"),
    ):
        run.progress(101, "too far")
    with pytest.raises(IntegrityError), store.transaction() as session:  # the database enforces it too
        session.add(Run(id="x" * 36, kind="t", code_version="0", progress=-1))


def test_list_and_lookup(store: Store) -> None:
    result = coalition_summary(store)
    with store.transaction() as session:
        runs = list_runs(session, kind="coalition-summary")
        assert [r.id for r in runs] == [result.run_id]
        assert list_runs(session, kind="nothing") == []
        with pytest.raises(NotFoundError):
            get_run(session, "ffffffff")


def test_coalition_summary(store: Store) -> None:
    result = coalition_summary(store)
    totals = result.totals
    assert totals["members"] == totals["founding_members"] == 5
    assert totals["member_population"] == 221100 + 333600 + 1228400 + 1030063 + 673800
    assert totals["countries"] == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    assert result.member_population == totals["member_population"]
    by_id = {c["id"]: c for c in result.cities}
    assert by_id["ashgabat"]["deadliest_disaster"]["year"] == 1948
    assert by_id["ashgabat"]["deadliest_disaster"]["deaths"] == 110000
    assert by_id["dushanbe"]["city_gdp_usd_estimate"] == 1341 * 1228400
    with store.transaction() as session:
        row = run_row(get_run(session, result.run_id))
    assert row["summary"]["totals"] == totals
    assert len(row["input_digests"]["registry"]) == 64
