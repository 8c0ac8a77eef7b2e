# graphsvc: `make serve` runs the service on demo data, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup serve test lint typecheck unit bench bench-large clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(STAMP)  ## create .venv and install graphsvc with its development tools

serve: setup  ## run the service on 127.0.0.1:8000 (an empty store gets the demo data)
	$(BIN)/graphsvc serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest

test: lint typecheck unit  ## everything CI runs

bench: setup  ## run the benchmarks under benchmarks/ and write docs/benchmarks.md
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/run.py

bench-large: setup  ## the same, plus the --scale 100 load (tens of minutes, ~12 GiB)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/run.py --large

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
