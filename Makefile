# CivicVoice: `make run` serves on the embedded defaults, `make test` runs every check.
# a comma, for inside $(if ...)
, := ,
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install lock docs run test test-deps lint typecheck pytest image image-base model \
	bench clean

# The venv gets exactly the versions in requirements-dev.txt (runtime and dev tools, every
# file checked against its hash), then the project itself, editable, without resolving
# again. `pip check` catches a lock that no longer covers pyproject.toml: run `make lock`.
install: $(STAMP)

LOCKED := $(VENV)/.locked

$(LOCKED): requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(LOCKED)

$(STAMP): pyproject.toml $(LOCKED)
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

lock: $(LOCKED)
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
# throwaway cluster from /usr/lib/postgresql/<version>/bin), and for the image test
# (tests/image) mmdebstrap, which makes its Debian base, and Buildah, which builds and runs
# the Containerfile with chroot isolation as root (its Depends bring uidmap; no container
# runtime, cgroups or fuse-overlayfs is used). Not root, or no apt-get: a warning, and the
# tests that need them say what to install. On CI (CI=true) a package still missing after
# that is an error, so no test there goes without it.
test-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } \
	    || missing="$$missing postgresql"; \
	command -v buildah >/dev/null 2>&1 || missing="$$missing buildah"; \
	command -v mmdebstrap >/dev/null 2>&1 || missing="$$missing mmdebstrap"; \
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

# The container image from Containerfile, with the first of docker (when its daemon
# answers), podman and buildah found here; CONTAINER_TOOL=... chooses. BASE=... builds on
# another base image (default: the official python:3.11-slim-bookworm, pulled). The CA
# bundle this host trusts is handed to the build as the secret ca-bundle, for a
# TLS-inspecting proxy (CA_BUNDLE= hands none). Buildah builds with chroot isolation,
# which needs no container runtime or cgroups (BUILDAH_ISOLATION=oci to change).
IMAGE ?= civicvoice:latest
CONTAINER_TOOL ?= $(shell if docker info >/dev/null 2>&1; then echo docker; \
	elif command -v podman >/dev/null 2>&1; then echo podman; \
	elif command -v buildah >/dev/null 2>&1; then echo buildah; fi)
CA_BUNDLE ?= $(firstword $(wildcard $(PIP_CERT) /etc/ssl/certs/ca-certificates.crt))
BUILDAH_ISOLATION ?= chroot

image:
	@test -n "$(CONTAINER_TOOL)" || { echo "make image needs docker, podman or buildah" \
	    "(Debian: apt-get install podman, or buildah)"; exit 1; }
	BUILDAH_ISOLATION=$(BUILDAH_ISOLATION) $(CONTAINER_TOOL) build -f Containerfile \
	    -t $(IMAGE) $(if $(BASE),--build-arg BASE=$(BASE)) \
	    $(if $(CA_BUNDLE),--secret id=ca-bundle$(,)src=$(CA_BUNDLE)) .

# A base image made from Debian's mirror instead of a registry's (air-gapped hosts; the image
# test builds on the same): bookworm minbase with python3, python3-venv and ca-certificates,
# by mmdebstrap (root), imported as localhost/civicvoice-base:bookworm. Then:
# make image BASE=localhost/civicvoice-base:bookworm
image-base:
	@test -n "$(CONTAINER_TOOL)" || { echo "make image-base needs docker, podman or buildah"; \
	    exit 1; }
	dir=$$(mktemp -d) && trap 'rm -rf $$dir' EXIT && tar=$$dir/base.tar && \
	mmdebstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm \
	    $$tar </dev/null && \
	if [ "$(CONTAINER_TOOL)" = buildah ]; then \
	    ctr=$$(buildah from scratch) && buildah add $$ctr $$tar / >/dev/null && \
	    buildah config --cmd '["python3"]' $$ctr && \
	    buildah commit --rm $$ctr localhost/civicvoice-base:bookworm; \
	else $(CONTAINER_TOOL) import --change 'CMD ["python3"]' $$tar \
	    localhost/civicvoice-base:bookworm; fi

# Rebuild the training table from ../shared/data and the bundled default model.
model: install
	$(PY) -m models.training.build_default

bench: install
	$(PY) bench/triage.py
	$(PY) bench/heldout.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
