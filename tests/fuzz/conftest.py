"""The store every fuzz case runs against, built once per session: an upgraded SQLite database with a founding
city loaded (Petropavl: GEM exposure on a 5 km grid and its 12 illustrative facilities), and the seed files.

Cases must leave the store as it was; when one does not, the test restores the template copy so that the next
case starts from the same store.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fuzz.corpus import CITY, Seeds, build_seeds

TOTALS: dict[str, tuple[int, int]] = {}
"""importer -> (cases run, cases that failed), printed at the end of the session."""
CODES_SEEN: dict[str, Counter[str]] = {}
"""importer -> how many of its malformed cases gave each error code (``none``: no coded error), printed at
the end: a family of plausible damages that all give one generic code points at a missing or mislabelled check."""
CASE_CODES: dict[str, list[tuple[str, str]]] = {}
"""importer -> (case, code) of every case, printed with ``-v``."""


@dataclass
class FuzzStore:
    """The working database file, its pristine template, and the seeds."""

    db_path: Path
    template: Path
    seeds: Seeds

    @property
    def url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def restore(self) -> None:
        for suffix in ("-wal", "-shm"):
            Path(str(self.db_path) + suffix).unlink(missing_ok=True)
        shutil.copy(self.template, self.db_path)


@pytest.fixture(scope="session")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> FuzzStore:
    from kalkan.app.city_data import load_founding_city
    from kalkan.app.database import upgrade_database
    from kalkan.store.database import store_scope

    root = tmp_path_factory.mktemp("fuzz")
    template = root / "template.sqlite3"
    url = f"sqlite:///{template}"
    upgrade_database(url)
    with store_scope(url) as store, store.transaction() as session:
        load_founding_city(session, CITY, cell_km=5.0)
    db_path = root / "kalkan.sqlite3"
    shutil.copy(template, db_path)
    return FuzzStore(db_path, template, build_seeds(root, db_path))


@pytest.fixture
def fuzz_env(fuzz_store: FuzzStore, monkeypatch: pytest.MonkeyPatch) -> FuzzStore:
    """KALKAN_DATABASE_URL at the fuzz store, as a user's shell would set it."""
    monkeypatch.setenv("KALKAN_DATABASE_URL", fuzz_store.url)
    monkeypatch.delenv("KALKAN_DEBUG", raising=False)
    return fuzz_store


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TOTALS:
        return
    terminalreporter.section("fuzzing: malformed inputs per importer")
    width = max(len(k) for k in TOTALS)
    for importer, (n, failed) in sorted(TOTALS.items()):
        terminalreporter.write_line(f"{importer:<{width}}  {n:4d} cases  {failed:3d} not refused cleanly")
    n_all = sum(n for n, _ in TOTALS.values())
    failed_all = sum(f for _, f in TOTALS.values())
    terminalreporter.write_line(f"{'total':<{width}}  {n_all:4d} cases  {failed_all:3d} not refused cleanly")
    terminalreporter.section("fuzzing: error codes per importer (cases per code)")
    for importer, counts in sorted(CODES_SEEN.items()):
        shown = ", ".join(f"{code} {n}" for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        terminalreporter.write_line(f"{importer:<{width}}  {shown}")
    total: Counter[str] = sum(CODES_SEEN.values(), Counter())
    terminalreporter.write_line(f"{'total':<{width}}  " + ", ".join(f"{c} {n}" for c, n in total.most_common()))
    if terminalreporter.verbosity > 0:
        terminalreporter.section("fuzzing: error code of every case")
        for importer, pairs in sorted(CASE_CODES.items()):
            for case, code in pairs:
                terminalreporter.write_line(f"{importer} / {case}: {code}")
