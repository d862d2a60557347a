# Kalkan developer commands. `make run` and `make test` are the two commands of the README.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv run test lint graph format check-lock lock clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## The main job on the embedded SQLite database: schema, the founding cities, the registry and summaries.
run: venv
	$(BIN)/kalkan db upgrade
	$(BIN)/kalkan cities list
	$(BIN)/kalkan city load --founding
	$(BIN)/kalkan cities summary

## Lint, type check and the whole test suite on SQLite and PostgreSQL (a throwaway local server).
test: venv
	bash scripts/test.sh

lint: venv
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

## The package graph of docs/architecture.md (which layer imports which), from the code as it is.
graph: venv
	$(BIN)/python scripts/package_graph.py

format: venv
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

## Re-pin constraints.txt from a fresh resolution of pyproject.toml's ranges.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade "pip>=24"
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable --exclude pip > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build src/*.egg-info
