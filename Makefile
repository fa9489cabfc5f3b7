# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test build lint typecheck clean browser load bench

bench: $(VENV)/.installed-test
	$(BIN)/regen-kg bench run --studies $${STUDIES:-100,1000} --reference-limit $${REFERENCE_LIMIT:-100}

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/regen-kg build --out dist

build: run

browser:
	scripts/ensure-browser

test: $(VENV)/.installed-test browser
	$(BIN)/python -m pytest

load: $(VENV)/.installed-test
	$(BIN)/python scripts/load.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

clean:
	rm -rf dist .pytest_cache
