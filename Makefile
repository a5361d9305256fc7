# Cadenza: `make run` serves the demo catalog, `make test` runs every test (SQLite, then PostgreSQL).
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: install run test test-sqlite test-postgres test-browser test-others lint bench clean chromium s3-server java pgbouncer

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
# idle much of the time. Each part has its own temporary folder and log; each part's report is
# printed whole when all have ended; any part failing fails the run. (They are started by the
# shell, not by make -j3: make 4.3 with --output-sync sometimes never started one of the three.)
TEST_TMP ?= /tmp/cadenza-tests
PARTS := test-browser test-others test-postgres
test: install chromium java pgbouncer lint
	@mkdir -p $(TEST_TMP)
	@for part in $(PARTS); do \
	  ( $(MAKE) --no-print-directory $$part > $(TEST_TMP)/$$part.log 2>&1; \
	    echo $$? > $(TEST_TMP)/$$part.status ) & \
	done; wait; failed=0; \
	for part in $(PARTS); do \
	  echo "== $$part (exit $$(cat $(TEST_TMP)/$$part.status))"; cat $(TEST_TMP)/$$part.log; \
	  [ "$$(cat $(TEST_TMP)/$$part.status)" = 0 ] || failed=1; \
	done; exit $$failed

# The browser tests drive Debian's Chromium (never a browser Playwright downloads).
chromium:
	@test -x /usr/bin/chromium || apt-get install -y chromium || (apt-get update && apt-get install -y chromium)

# The Spark tests (tests/e2e/test_batch_engines.py) and `--engine spark` need a JRE: Debian's.
java:
	@command -v java >/dev/null || apt-get install -y default-jre-headless || (apt-get update && apt-get install -y default-jre-headless)

# The PgBouncer test (tests/e2e/test_pgbouncer.py) starts Debian's pgbouncer itself, in a
# temporary folder on a free port; the system service is not used.
pgbouncer:
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || apt-get install -y pgbouncer || (apt-get update && apt-get install -y pgbouncer)

# loadgroup would keep the browser tests on one worker, but xdist 3.8 cannot regroup pytest 9.2's
# node ids: each worker that runs some starts its own server (tests/browser/live.py locks the build).
test-sqlite: install chromium java pgbouncer
	CADENZA_TEST_DATABASE=sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

# The parts of `make test`: the browser tests (a file's tests on one worker, so a module's catalog
# is ingested once), and every other test on SQLite.
test-browser: install chromium
	@mkdir -p $(TEST_TMP)
	CADENZA_TEST_DATABASE=sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -q --durations=15 --basetemp=$(TEST_TMP)/browser tests/browser

test-others: install java pgbouncer
	@mkdir -p $(TEST_TMP)
	CADENZA_TEST_DATABASE=sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --durations=15 --basetemp=$(TEST_TMP)/sqlite --ignore=tests/browser

# Every test that touches the database again, on the real PostgreSQL server (a fresh database per run).
test-postgres: install java pgbouncer
	@mkdir -p $(TEST_TMP)
	CADENZA_TEST_DATABASE=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --durations=15 --basetemp=$(TEST_TMP)/postgres -m "database and not spark"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# An S3-compatible server to try CADENZA_BLOB_URL by hand (moto's, from the dev dependencies):
# CADENZA_BLOB_URL=s3://cadenza/blobs CADENZA_S3_ENDPOINT_URL=http://127.0.0.1:9000, any keys,
# after creating the bucket. The object-storage tests start their own on a free port.
S3_PORT ?= 9000
s3-server: install
	$(BIN)/moto_server -H 127.0.0.1 -p $(S3_PORT)

# Every bench/NAME.py (not the _helpers); each writes bench/results/NAME.json.
# bench/room_transport.py measures aiortc (WebRTC) beside the rooms' WebSocket. aiortc needs
# pyOpenSSL, whose newest release wants an older `cryptography` than the server pins, so it runs
# from a virtual environment of its own: the server's dependencies but that one, and aiortc.
RTC_VENV := .venv-rtc
RTC_STAMP := $(RTC_VENV)/.installed-stamp
$(RTC_STAMP): pyproject.toml
	$(PYTHON) -m venv $(RTC_VENV)
	$(RTC_VENV)/bin/pip install --quiet --upgrade pip
	$(RTC_VENV)/bin/python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print(chr(10).join(d for d in deps if not d.startswith('cryptography')))" > $(RTC_VENV)/requirements.txt
	$(RTC_VENV)/bin/pip install --quiet -r $(RTC_VENV)/requirements.txt 'aiortc==1.16.0'
	$(RTC_VENV)/bin/pip install --quiet --no-deps -e .
	touch $(RTC_STAMP)

bench: install $(RTC_STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; \
	  python=$(BIN)/python; [ $$script = bench/room_transport.py ] && python=$(RTC_VENV)/bin/python; \
	  $$python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(RTC_VENV) var .pytest_cache .mypy_cache .ruff_cache
