# The one front door, for people and for CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WORKSPACE ?= workspace
# Web assets from npm (GOV.UK Frontend, htmx, axe-core for tests), copied into the package's
# git-ignored static/vendor folder. The stamp makes a second install a no-op.
NPM_DIR := build/npm
NPM_PACKAGES := govuk-frontend@5 htmx.org@2 axe-core@4
VENDOR := turnaround/web/static/vendor
ASSETS_STAMP := $(VENDOR)/.installed

.PHONY: assets demo test test-spark lint typecheck install install-dev bench reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python $(ASSETS_STAMP)
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python $(ASSETS_STAMP)
	$(BIN)/pip install --quiet -e ".[dev,spark]"

assets: $(ASSETS_STAMP)

# The precompiled CSS asks for /assets/...; the app serves everything under /static, so the
# copied stylesheet points there instead.
$(ASSETS_STAMP): Makefile
	npm install --silent --no-audit --no-fund --prefix $(NPM_DIR) $(NPM_PACKAGES)
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/govuk
	cp -R $(NPM_DIR)/node_modules/govuk-frontend/dist/govuk/assets $(VENDOR)/govuk/assets
	sed 's#url(/assets/#url(/static/vendor/govuk/assets/#g' \
		$(NPM_DIR)/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
		> $(VENDOR)/govuk/govuk-frontend.min.css
	cp $(NPM_DIR)/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/govuk/
	cp $(NPM_DIR)/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp $(NPM_DIR)/node_modules/axe-core/axe.min.js $(VENDOR)/
	touch $@

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
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	# WeasyPrint warns (an error under pytest) without HarfBuzz's subsetting library.
	ldconfig -p | grep -q libharfbuzz-subset || (apt-get update && apt-get install -y libharfbuzz-subset0)
	$(BIN)/pytest
ifdef SPARK
	$(BIN)/pytest -m spark
endif

test-spark: install-dev
	$(BIN)/pytest -m spark

bench: install
	$(BIN)/python bench/cli_startup_bench.py
	$(BIN)/python bench/synth_bench.py
	$(BIN)/python bench/synth_strict_bench.py
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
