# Cadenza: `make run` serves the demo catalog, `make test` runs every test (SQLite, then PostgreSQL).
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: install run test test-sqlite test-postgres lint bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/cadenza serve --demo

test: install chromium lint test-sqlite test-postgres

# The browser tests drive Debian's Chromium (never a browser Playwright downloads).
chromium:
	@test -x /usr/bin/chromium || apt-get install -y chromium || (apt-get update && apt-get install -y chromium)

# loadgroup would keep the browser tests on one worker, but xdist 3.8 cannot regroup pytest 9.2's
# node ids: each worker that runs some starts its own server (tests/browser/live.py locks the build).
test-sqlite: install chromium
	CADENZA_TEST_DATABASE=sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

# Every test that touches the database again, on the real PostgreSQL server (a fresh database per run).
test-postgres: install
	CADENZA_TEST_DATABASE=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q -m database

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Every bench/NAME.py (not the _helpers); each writes bench/results/NAME.json.
bench: install
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
