# CivicVoice: `make run` serves on the embedded defaults, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck pytest model bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	$(VENV)/bin/civicvoice serve

test: install lint typecheck pytest

lint:
	$(PY) -m ruff check .

typecheck:
	$(PY) -m mypy

pytest:
	$(PY) -m pytest

# Rebuild the training table from ../shared/data and the bundled default model.
model: install
	$(PY) -m models.training.build_default

bench: install
	$(PY) bench/triage.py
	$(PY) bench/heldout.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
