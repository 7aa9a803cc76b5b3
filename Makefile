# The two commands of README.md: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Only this machine by default; HOST=0.0.0.0 serves the network (see docs/drift.md first).
HOST ?= 127.0.0.1
# Boundary files: a path or URL; unset means the public default (the build goes on without it offline).
GEOJSON ?=
FYLKE_GEOJSON ?=
SHARED_GEO := ../shared/geo
# `make etl ARGS="export partnerships"` is `.venv/bin/python -m etl export partnerships`
ARGS ?= --help

.PHONY: run test build etl venv chromium nginx axe poppler lint bench clean

$(BIN)/.installed: pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

BUILD_ENV = $(if $(GEOJSON),KL_GEOJSON=$(GEOJSON)) $(if $(FYLKE_GEOJSON),KL_FYLKE_GEOJSON=$(FYLKE_GEOJSON))

# Real data (kept imports) if there is any, else demo data (made once); rebuilds only on changes.
run: venv
	$(strip $(BUILD_ENV) $(BIN)/python -m etl prepare)
	@case "$(HOST)" in 127.0.0.1|localhost|::1) ;; *) \
	  echo "ADVARSEL: dashbordet lytter på $(HOST):$(PORT) og kan nås fra nettverket. Det viser" \
	       "resultater fra undersøkelser; bruk en omvendt proxy med TLS og tilgangskontroll (docs/drift.md)." >&2 ;; \
	esac
	$(BIN)/streamlit run dashboard/app.py --server.address $(HOST) --server.port $(PORT)

# Always rebuild (same choice of real or demo data as `make run`).
build: venv
	$(strip $(BUILD_ENV) $(BIN)/python -m etl prepare --force)

etl: venv
	$(strip $(BUILD_ENV) $(BIN)/python -m etl $(ARGS))

# Debian's Chromium for the browser tests (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's nginx and openssl for the test of the sample reverse proxy in deploy/ (test_deploy.py).
nginx:
	@{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null && command -v openssl >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl; }

# axe-core for the accessibility tests, from the npm lockfile (Debian's nodejs/npm when missing).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

axe: node_modules/axe-core/axe.min.js

# Debian's poppler-utils: the report tests render the PDF's pages to PNG (pdftoppm)
poppler:
	@command -v pdftoppm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; }

# Without ../shared the tests use the fixtures in tests/fixtures/ (see tests/conftest.py).
test: venv chromium nginx axe poppler
	$(BIN)/ruff check etl dashboard benchmarks tests
	KL_TEST_GEO=$(SHARED_GEO) $(BIN)/python -m pytest -n 2 -q

lint: venv
	$(BIN)/ruff check etl dashboard tests benchmarks

bench: venv
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf data/warehouse.duckdb data/warehouse.duckdb.builds data/warehouse.duckdb.privat data/warehouse.duckdb.lock data/cache
