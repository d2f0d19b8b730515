# CivicVoice: `make run` serves on the embedded defaults, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install lock docs run test test-deps lint typecheck pytest model bench clean

# The venv gets exactly the versions in requirements-dev.txt (runtime and dev tools, every
# file checked against its hash), then the project itself, editable, without resolving
# again. `pip check` catches a lock that no longer covers pyproject.toml: run `make lock`.
install: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check >/dev/null || { $(PY) -m pip check; \
	    echo "the venv does not satisfy pyproject.toml: run 'make lock' if you changed it"; \
	    exit 1; }
	touch $(STAMP)

# Recompile both lock files from pyproject.toml with uv: universal (every platform, Python
# 3.11 and newer), with hashes. requirements.txt (what an operator's install and the image
# get) is constrained to the versions in requirements-dev.txt, so both agree. Pins that still
# fit are kept; LOCK_ARGS=--upgrade takes the newest allowed versions,
# LOCK_ARGS="--upgrade-package fastapi" one package's.
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --quiet --universal \
	--python-version 3.11 --generate-hashes --custom-compile-command "make lock"

lock: install
	$(UV_COMPILE) --extra dev $(LOCK_ARGS) -o requirements-dev.txt
	$(UV_COMPILE) --constraints requirements-dev.txt -o requirements.txt

# The README's configuration table, made from the Settings class (bot/settings_table.py).
docs: install
	$(PY) -m bot.settings_table --write README.md

run: install
	$(VENV)/bin/civicvoice serve

test: install test-deps lint typecheck pytest

lint:
	$(PY) -m ruff check .

typecheck:
	$(PY) -m mypy

pytest: test-deps
	$(PY) -m pytest

# Debian packages the tests need, installed only when missing: Chromium for the browser
# tests, a PostgreSQL server for the storage contract (tests/support/postgres.py starts a
# throwaway cluster from /usr/lib/postgresql/<version>/bin). Not root, or no apt-get: a
# warning, and the tests that need them say what to install. On CI (CI=true) a package
# still missing after that is an error, so no test there goes without it.
test-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } \
	    || missing="$$missing postgresql"; \
	[ -n "$$missing" ] || exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages for the tests:$$missing"; log=$$(mktemp); \
	    apt-get update -qq >$$log 2>&1 || tail -n 5 $$log; \
	    for deb in $$missing; do \
	        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$deb >$$log 2>&1 \
	            || { tail -n 20 $$log; echo "warning: apt-get install $$deb failed"; \
	                 [ "$${CI:-}" != true ] || { rm -f $$log; exit 1; }; }; \
	    done; rm -f $$log; \
	else \
	    echo "warning: missing Debian packages:$$missing; install them as root with" \
	         "'make test-deps' or 'apt-get install$$missing' (the tests that need them cannot run)"; \
	    [ "$${CI:-}" != true ] || exit 1; \
	fi

# Rebuild the training table from ../shared/data and the bundled default model.
model: install
	$(PY) -m models.training.build_default

bench: install
	$(PY) bench/triage.py
	$(PY) bench/heldout.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
