# MTA: the two commands that matter are `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install lock demo test lint typecheck migrate bench clean

$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock: $(STAMP)  ## pin every dependency with hashes after a change to pyproject.toml (the Dockerfile uses requirements.lock)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 --quiet -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --generate-hashes --python-version 3.11 --quiet -o requirements-dev.lock

install: $(STAMP)

demo: $(STAMP)  ## the whole farm on embedded defaults: SQLite, a private Redis, the portal replica
	bash launch/machine.sh demo
	$(PY) -m launch.demo

test: $(STAMP)  ## lint, types, then every test (brings Redis, PostgreSQL and Chromium where root can)
	bash launch/machine.sh test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

migrate: $(STAMP)  ## bring the database of MTA_DATABASE_URL to the newest schema
	$(VENV)/bin/alembic upgrade head

bench: $(STAMP)  ## benchmarks; figures go to bench/results.json
	$(PY) -m bench

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
