# Everything installs into .venv/ at the versions pinned in constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test schema lock client-test chromium

# The install's build hook (hatch_build.py) fetches GraphiQL's pinned files as well.
$(STAMP): pyproject.toml constraints.txt hatch_build.py app/graphiql/assets.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/audience-stats serve

test: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# The browser test drives Debian's chromium: nothing downloads a browser build of its own.
# CI installs it first; elsewhere the test runs where chromium is installed.
chromium:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends chromium; }

schema: install
	$(BIN)/audience-stats export-schema > schema.graphql

# Re-pin every dependency to what is installed now (after changing pyproject.toml).
lock: install
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check > constraints.txt

# The generated TypeScript client: pinned install, codegen must match what is committed,
# strict type check, then live calls against a server on the demo data. Then graphql-http's
# GraphQL over HTTP server audits (pinned) against a server on the demo data: all must pass.
CLIENT := clients/typescript
AUDIT := clients/http-audit
client-test: install
	cd $(CLIENT) && npm ci --no-audit --no-fund
	cd $(CLIENT) && npm run codegen
	@test -z "$$(git status --porcelain -- $(CLIENT))" || { \
		git status --porcelain -- $(CLIENT); \
		echo "The generated client differs from the committed one: run 'npm run codegen' in $(CLIENT) and commit."; \
		exit 1; }
	cd $(CLIENT) && npm run typecheck && npm run lint
	cd $(CLIENT) && npm test
	cd $(AUDIT) && npm ci --no-audit --no-fund
	cd $(AUDIT) && npm test

# Benchmarks on SQLite and PostgreSQL (bench/); data and results are cached in bench/.data/.
# The writes case (h) drives PostgreSQL with pgbench (Debian's postgresql-client).
.PHONY: bench bench-large
bench: install
	@command -v wrk >/dev/null || { sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update && $$sudo apt-get install -y wrk; }
	@command -v pgbench >/dev/null || { sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update && $$sudo apt-get install -y postgresql-client; }
	$(BIN)/python -m bench.run

# Optional, not part of bench: case (g) with a campaign of 10,000,000 contacts (and 1,000,000,
# 100,000, 10,000) in a data set and PostgreSQL database of its own (audience_stats_bench_large).
# LARGE=200000 makes a smaller one, to try it.
LARGE ?= 10000000
bench-large: install
	$(BIN)/python -m bench.run --large --big-campaign $(LARGE)
