# Prospecting — the two commands: `make run` and `make test`. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint migrate worker web clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# A local development .env with a random secret key and admin password (never committed).
.env:
	@$(PYTHON) -c "import secrets; print('DEBUG=1'); print('SECRET_KEY=' + secrets.token_urlsafe(50)); print('ADMIN_USERNAME=admin'); print('ADMIN_PASSWORD=' + secrets.token_urlsafe(12))" > .env
	@echo "Wrote .env (development settings)."

migrate: install .env
	$(PY) manage.py migrate --noinput

## Run the product: web server + background worker, with demo data and a printed admin login.
run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py ensure_admin --url http://$(HOST):$(PORT)/admin/
	@echo "API docs: http://$(HOST):$(PORT)/api/docs/  (log in to the admin first)"
	@$(PY) manage.py serve --host $(HOST) --port $(PORT)

## Run the whole test suite (DATABASE_URL selects PostgreSQL; SQLite otherwise).
test: install .env
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

worker: migrate
	$(PY) manage.py worker

web: migrate
	$(PY) manage.py serve --no-worker --host $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
