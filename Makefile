# Two commands matter: `make demo` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
ASN_DATA_DIR ?= $(CURDIR)/data
export ASN_DATA_DIR
export DAGSTER_HOME ?= $(ASN_DATA_DIR)/dagster_home
DEMO_PEGAWAI ?= 50000
BENCH_PEGAWAI ?= 200000
INSTALLED := $(VENV)/.installed

.PHONY: help install browser postgres lock manifest demo run ui portal test lint format sqlfluff pytest bench docs clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(PY) -c requirements.lock -e '.[dev]'
	touch $@

install: $(INSTALLED) ## create .venv and install the locked dependencies

browser: ## Debian's chromium for the browser tests (Playwright drives it; no browser download)
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

postgres: ## Debian's PostgreSQL server binaries for the portability tests (they start their own)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

lock: ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile -q pyproject.toml --extra dev -o requirements.lock

manifest: $(INSTALLED) ## parse the dbt project once so Dagster loads a prepared manifest
	cd dbt && ../$(BIN)/dbt parse --quiet --profiles-dir .

demo: $(INSTALLED) manifest ## generate a national sample and run the whole pipeline through Dagster
	$(BIN)/asn demo --pegawai $(DEMO_PEGAWAI)

run: $(INSTALLED) manifest ## run the whole job over the landing area
	$(BIN)/asn run

ui: $(INSTALLED) manifest ## start the Dagster UI (and daemon: sensors, schedules) on localhost:3000
	$(BIN)/asn ui --port 3000

lint: $(INSTALLED) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## apply ruff formatting and fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

sqlfluff: $(INSTALLED) manifest ## lint the dbt models
	$(BIN)/sqlfluff lint dbt/models dbt/snapshots dbt/tests dbt/macros --processes 2

pytest: $(INSTALLED) manifest browser postgres ## run the Python test suite
	$(BIN)/pytest -q

test: lint sqlfluff pytest ## every check and test (what CI runs)

portal: $(INSTALLED) ## start the upload portal on http://127.0.0.1:8000
	$(BIN)/asn portal --host 127.0.0.1 --port 8000

bench: $(INSTALLED) manifest ## benchmark every phase against bare baselines
	$(BIN)/asn bench --pegawai $(BENCH_PEGAWAI)

DOCS_DIR = $(ASN_DATA_DIR)/published/docs
WAREHOUSE_LOCK = $(basename $(or $(DUCKDB_DATABASE),$(ASN_DATA_DIR)/warehouse.duckdb)).lock

docs: $(INSTALLED) manifest ## build dbt docs + GX Data Docs into published/docs, serve on 127.0.0.1:8081
	mkdir -p $(DOCS_DIR)
	cd dbt && flock $(WAREHOUSE_LOCK) ../$(BIN)/dbt docs generate --quiet --profiles-dir . --target-path $(DOCS_DIR)/dbt
	$(PY) -m ingestion.quality.docs
	@echo "docs on http://127.0.0.1:8081/"
	$(PY) -m http.server 8081 --bind 127.0.0.1 --directory $(DOCS_DIR)

clean: ## remove generated data and dbt artefacts (keeps .venv)
	rm -rf data dbt/target dbt/logs
