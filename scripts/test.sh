#!/usr/bin/env bash
# The whole test suite: lint, format check, type check, then pytest on SQLite and PostgreSQL.
# PostgreSQL: KALKAN_TEST_POSTGRES_URL if set (a server you run), else a throwaway server on loopback,
# installed from Debian when this runs as root. KALKAN_REQUIRE_POSTGRES=1 (CI) makes its absence fatal.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== ruff"
$BIN/ruff check src tests
$BIN/ruff format --check src tests
echo "== mypy"
$BIN/mypy
echo "== import-linter (the layer rule: docs/architecture.md)"
$BIN/lint-imports

if [ -z "${KALKAN_TEST_POSTGRES_URL:-}" ]; then
    if bash scripts/install-system-deps.sh; then
        eval "$(bash scripts/pg-test-server.sh start)"
        trap 'bash scripts/pg-test-server.sh stop "$KALKAN_PG_TEST_DIR"' EXIT
        echo "== PostgreSQL test server at ${KALKAN_TEST_POSTGRES_URL}"
    elif [ "${KALKAN_REQUIRE_POSTGRES:-0}" = "1" ]; then
        echo "KALKAN_REQUIRE_POSTGRES=1 but no PostgreSQL server could be installed or started." >&2
        exit 1
    else
        echo "== PostgreSQL not available: the PostgreSQL half of the store tests will be skipped." >&2
    fi
fi

echo "== pytest"
$BIN/python -m pytest "$@"
