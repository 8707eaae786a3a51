# The whole set-up is `make run` or `make test`; every target installs what it needs first.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
PORT   ?= 5000

.PHONY: install test-deps run test test-postgres lint format bench clean known-questions

install: $(VENV)/.installed

# Re-installs only when the project's dependencies change; a no-op otherwise.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,voice]'
	touch $@

# Some tests drive real programs from Debian's packages: Chromium for the browser tests (never a
# downloaded browser), a Redis server for the task queue, a PostgreSQL server, espeak-ng to speak
# the spoken answers the tests transcribe, nginx in front of gunicorn, and a Docker daemon with
# debootstrap to build and run the Dockerfile's image. Each entry is package:program, the program
# telling whether the package is there; missing ones are installed.
TEST_PACKAGES := chromium:chromium redis-server:redis-server espeak-ng:espeak-ng nginx:nginx \
                 postgresql:/usr/lib/postgresql/*/bin/initdb docker.io:dockerd \
                 debootstrap:debootstrap

test-deps:
	@missing=""; for entry in $(TEST_PACKAGES); do \
	  command -v $${entry#*:} >/dev/null 2>&1 || missing="$$missing $${entry%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "The tests need:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; fi

run: install
	$(BIN)/coach init
	$(BIN)/coach run --host 127.0.0.1 --port $(PORT)

# The answer page's ES modules are unit-tested with Node's own test runner (Node 20 or newer);
# `npm ci` installs what package-lock.json pins (nothing so far, so it only checks the lock).
test: install test-deps
	test -d node_modules || npm ci --no-audit --no-fund
	npm test
	$(BIN)/pytest -q

# The same suite on PostgreSQL: the server COACH_TEST_DATABASE_URL names, or else a throwaway one
# (Debian's postgresql, on a free port) that the tests start and remove.
test-postgres: install test-deps
	$(BIN)/pytest -q --postgres

# After an edit to the shipped question bank: the questions' meaning, which `coach score` would
# otherwise make afresh on every start (tests/scoring checks that the kept file is current).
known-questions: install
	$(BIN)/python -c "from pm_scoring.rubric import save_known_questions; save_known_questions()"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# wrk drives the load; valgrind's callgrind counts the instructions of each request (with a C
# compiler for its client-request helper), which the machine's load does not change.
bench: install
	@command -v wrk >/dev/null 2>&1 && command -v valgrind >/dev/null 2>&1 \
	  && test -f /usr/include/valgrind/callgrind.h || { apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk valgrind gcc; }
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance .pytest_cache
