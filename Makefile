# Development commands. `make install` once, then `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

# Where the tests find PostgreSQL and RabbitMQ. Empty them (`make test TEST_POSTGRES_DSN=
# TEST_AMQP_URL=`) to have testcontainers start both in Docker instead.
TEST_POSTGRES_DSN ?= postgresql://postgres@127.0.0.1:5432/postgres
TEST_AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/
export TEST_POSTGRES_DSN TEST_AMQP_URL

.PHONY: install lint test fuzz run-local bench

install:
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# The portal's design system (@gouvfr/dsfr) and axe-core, from the committed lock file.
	cd services/portal && npm ci --no-audit --no-fund --loglevel=error

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# Schemathesis with many examples per operation against every service, as each identity
# (a few minutes per service; tests/test_fuzz.py is the bounded run of the suite).
FUZZ_EXAMPLES ?= 300
FUZZ_MAX_TIME ?= 50
fuzz:
	$(BIN)/python -m tests.fuzzing --examples $(FUZZ_EXAMPLES) --max-time $(FUZZ_MAX_TIME)

run-local:
	$(BIN)/python deploy/run_local.py

bench:
	$(BIN)/python benchmarks/bus.py
