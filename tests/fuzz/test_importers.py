"""Every importer refuses every malformed input of the corpus cleanly: exit code 2 with one message naming the
file and carrying an error code of :data:`kalkan.errors.CODES` (no traceback), the store unchanged, within a
time limit (memory-prone cases in a subprocess under an address-space limit). See :mod:`tests.fuzz.harness` for
the verdict and :mod:`tests.fuzz.corpus` for the cases.
"""

from __future__ import annotations

import resource
from collections import Counter

import pytest

from tests.fuzz.conftest import CASE_CODES, CODES_SEEN, TOTALS, FuzzStore
from tests.fuzz.corpus import IMPORTERS
from tests.fuzz.harness import run_case

PEAK_RSS_LIMIT_KIB = 4 << 20
"""The pytest process's peak resident memory after any importer's cases (4 GiB, in KiB as getrusage gives it)."""


@pytest.mark.parametrize("group", sorted(IMPORTERS))
def test_malformed_inputs_are_refused_cleanly(group: str, fuzz_env: FuzzStore) -> None:
    cases = IMPORTERS[group](fuzz_env.seeds)
    assert cases, f"no case for {group}"
    failures = []
    per_importer: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for case in cases:
        verdict = run_case(case, fuzz_env.db_path)
        per_importer[case.importer] += 1
        code = verdict.code or "none"
        CODES_SEEN.setdefault(case.importer, Counter())[code] += 1
        CASE_CODES.setdefault(case.importer, []).append((case.name, code))
        if verdict.problems:
            failures.append(verdict)
            failed[case.importer] += 1
            fuzz_env.restore()
    for importer, n in per_importer.items():
        TOTALS[importer] = (n, failed[importer])
    assert not failures, f"{len(failures)} of {len(cases)} cases not refused cleanly:\n" + "\n".join(
        str(v) for v in failures
    )
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < PEAK_RSS_LIMIT_KIB


def test_every_seed_is_accepted(fuzz_env: FuzzStore) -> None:
    """The unmutated seeds import cleanly (exit 0): the malformed cases fail for their damage alone."""
    from tests.fuzz.corpus import seed_commands
    from tests.fuzz.harness import run_in_process

    failed = []
    for name, argv in seed_commands(fuzz_env.seeds).items():
        outcome = run_in_process(argv)
        if outcome.code != 0:
            failed.append(f"{name}: exit {outcome.code}\n{outcome.traceback or outcome.stderr}")
        fuzz_env.restore()
    assert not failed, "\n".join(failed)
