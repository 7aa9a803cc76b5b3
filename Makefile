# The two commands of README.md: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Boundary files: a path or URL; unset means the public default (the build goes on without it offline).
GEOJSON ?=
FYLKE_GEOJSON ?=
SHARED_GEO := ../shared/geo

.PHONY: run test build venv chromium axe poppler lint bench clean

$(BIN)/.installed: pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

# Generates the synthetic demo data and builds the warehouse with it (real imports are kept too).
BUILD_ENV = $(if $(GEOJSON),KL_GEOJSON=$(GEOJSON)) $(if $(FYLKE_GEOJSON),KL_FYLKE_GEOJSON=$(FYLKE_GEOJSON))

build: venv
	$(strip $(BUILD_ENV) $(BIN)/python -m etl demo)

run: build
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

# Debian's Chromium for the browser tests (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# axe-core for the accessibility tests, from the npm lockfile (Debian's nodejs/npm when missing).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

axe: node_modules/axe-core/axe.min.js

# Debian's poppler-utils: the report tests render the PDF's pages to PNG (pdftoppm)
poppler:
	@command -v pdftoppm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; }

test: venv chromium axe poppler
	$(BIN)/ruff check etl dashboard benchmarks tests
	KL_TEST_GEO=$(SHARED_GEO) $(BIN)/python -m pytest -n 2 -q

lint: venv
	$(BIN)/ruff check etl dashboard tests benchmarks

bench: venv
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf data/warehouse.duckdb data/warehouse.duckdb.builds data/cache
