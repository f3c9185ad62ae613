# The one front door, for people and for CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WORKSPACE ?= workspace

.PHONY: demo test lint typecheck install install-dev bench reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

demo: install
	$(BIN)/turnaround --workspace $(WORKSPACE) demo

lint: install-dev
	$(BIN)/ruff check turnaround tests bench
	$(BIN)/ruff format --check turnaround tests bench

typecheck: install-dev
	$(BIN)/mypy

test: install-dev lint typecheck
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/synth_bench.py
	$(BIN)/python bench/load_bench.py
	$(BIN)/python bench/validate_bench.py
	$(BIN)/python bench/measures_bench.py

# The full agreement matrix with Data to Insight's validators (several minutes).
reference: install-dev
	$(BIN)/pytest -m reference tests/returns/test_reference_agreement.py

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache .mypy_cache .ruff_cache
