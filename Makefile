# The README's commands. Everything runs inside .venv, created on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-postgres lint format bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# A local .env with a random SECRET_KEY and DEBUG on: for this machine only, never committed.
.env:
	printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@

run: install .env
	$(PY) manage.py migrate --no-input
	@# A few real seed files are rejected on purpose (one corrupt, three with no date): the
	@# import lists them and exits 1, and the site is served all the same.
	$(PY) manage.py import_seeds fixtures/seeds || echo "import_seeds: some seed files were rejected (listed above); serving the rest."
	$(PY) manage.py ensure_superuser
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

# Import rate against the YAML parse ceiling (README "Performance"); N=100000 for the memory target.
bench: install
	$(PY) bench/import_rate.py --files $${N:-10000}

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache
