# The one front door, for people and for CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WORKSPACE ?= workspace

.PHONY: demo test test-spark lint typecheck install install-dev bench reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,spark]"

demo: install
	$(BIN)/turnaround --workspace $(WORKSPACE) demo

lint: install-dev
	$(BIN)/ruff check turnaround tests bench
	$(BIN)/ruff format --check turnaround tests bench

typecheck: install-dev
	$(BIN)/mypy

# Spark tests start a JVM, so they are opt-in locally: `make test SPARK=1` or `make test-spark`.
# CI sets SPARK=1.
test: install-dev lint typecheck
	$(BIN)/pytest
ifdef SPARK
	$(BIN)/pytest -m spark
endif

test-spark: install-dev
	$(BIN)/pytest -m spark

bench: install
	$(BIN)/python bench/synth_bench.py
	$(BIN)/python bench/load_bench.py
	$(BIN)/python bench/validate_bench.py
	$(BIN)/python bench/measures_bench.py
	$(BIN)/python bench/linkage_scale_bench.py
	$(BIN)/python bench/unknown_bench.py
	$(BIN)/python bench/forecast_bench.py

# The full agreement matrix with Data to Insight's validators (several minutes).
reference: install-dev
	$(BIN)/pytest -m reference tests/returns/test_reference_agreement.py

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache .mypy_cache .ruff_cache
