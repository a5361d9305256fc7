# Cadenza: `make run` serves the demo catalog, `make test` runs every test (SQLite, then PostgreSQL).
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: install run test test-sqlite test-postgres test-browser test-others lint bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/cadenza serve --demo

# The three parts run at once: the browser tests mostly wait (songs play in real time, pages
# answer) and the others wait on subprocesses and the database, so one part alone leaves the cores
# idle much of the time. Each part has its own temporary folder; --output-sync prints each part's
# report whole when it ends; any part failing fails the run.
TEST_TMP ?= /tmp/cadenza-tests
test: install chromium lint
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-browser test-others test-postgres

# The browser tests drive Debian's Chromium (never a browser Playwright downloads).
chromium:
	@test -x /usr/bin/chromium || apt-get install -y chromium || (apt-get update && apt-get install -y chromium)

# loadgroup would keep the browser tests on one worker, but xdist 3.8 cannot regroup pytest 9.2's
# node ids: each worker that runs some starts its own server (tests/browser/live.py locks the build).
test-sqlite: install chromium
	CADENZA_TEST_DATABASE=sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

# The parts of `make test`: the browser tests (a file's tests on one worker, so a module's catalog
# is ingested once), and every other test on SQLite.
test-browser: install chromium
	@mkdir -p $(TEST_TMP)
	CADENZA_TEST_DATABASE=sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -q --basetemp=$(TEST_TMP)/browser tests/browser

test-others: install
	@mkdir -p $(TEST_TMP)
	CADENZA_TEST_DATABASE=sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --basetemp=$(TEST_TMP)/sqlite --ignore=tests/browser

# Every test that touches the database again, on the real PostgreSQL server (a fresh database per run).
test-postgres: install
	@mkdir -p $(TEST_TMP)
	CADENZA_TEST_DATABASE=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --basetemp=$(TEST_TMP)/postgres -m database

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Every bench/NAME.py (not the _helpers); each writes bench/results/NAME.json.
bench: install
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
