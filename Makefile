# Everyday commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Stamps: pip runs again only when a requirements file changed.
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev

.PHONY: fuzz venv install install-dev run test test-sqlite lint format messages compilemessages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

venv: $(PY)

$(INSTALLED): requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(INSTALLED_DEV): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $@ $(INSTALLED)

install: $(INSTALLED)

install-dev: $(INSTALLED_DEV)

# The demo on the embedded SQLite database (var/portal.sqlite3) unless DATABASE_URL says otherwise.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@# Reminders without Redis: the scheduler runs in process beside the server and stops with it.
	@echo "Serving http://$(HOST):$(PORT)/ — log in with one of the demo logins above. Ctrl-C stops it."
	$(PY) manage.py run_reminders --loop --interval 60 --sync & REMINDERS=$$!; \
	trap 'kill $$REMINDERS 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite. Tests that need PostgreSQL, Redis or Chromium are skipped with the reason when
# the service is missing (a failure under CI=true). PYTEST_ARGS="-k healthz -x" narrows it.
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# The smoke tests on the embedded SQLite default (no DATABASE_URL).
test-sqlite: install-dev
	env -u DATABASE_URL $(PY) -m pytest -m sqlite $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext; the compiled .mo files are committed so a fresh machine does not.
messages:
	$(PY) manage.py makemessages -l zh_Hans -l ru --no-obsolete --ignore=.venv --ignore=staticfiles
	$(PY) manage.py makemessages -d djangojs -l zh_Hans -l ru --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=static/core/vendor

compilemessages:
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Fuzz every API operation with schemathesis against a scratch demo (any 5xx is a bug).
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) bash scripts/fuzz_api.sh
