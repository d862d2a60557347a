"""The AR6 table is read once per test session (about 1-2 s) and shared by the climate tests."""

from __future__ import annotations

import pytest

from kalkan.core.climate.scenarios import TasTable
from kalkan.io.ar6 import load_tas_table


@pytest.fixture(scope="module")
def table() -> TasTable:
    return load_tas_table()
