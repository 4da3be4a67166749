# `make run` and `make test` bootstrap .venv themselves on a machine with only python3.11 + pip.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING

.PHONY: run test lint bench bench-scale ui venv browser clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[scale,test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/etl run --input seeds/articles --warehouse warehouse

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src flows tests bench

# Browser checks need Debian's chromium; install it when missing (root, Debian).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser checks will be skipped"

bench: $(STAMP)
	$(BIN)/python bench/run.py

# N = 1 000 … 20 000 against a served Prefect API (longer than `make bench`); its own section of bench/RESULTS.md
bench-scale: $(STAMP)
	$(BIN)/python bench/run.py --scale-only --scale 1000 4000 16000 20000

ui: $(STAMP)
	$(BIN)/python -m etl.ui

clean:
	rm -rf warehouse/*.duckdb warehouse/tables warehouse/bronze warehouse/gx warehouse/state
