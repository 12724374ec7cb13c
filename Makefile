# Rounds — `make run` chats with the bot locally; `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

# The dependencies come from the lock files, every file checked against its hash; pip, and
# setuptools for the editable install of Rounds itself, come from them too
# (--no-build-isolation), so nothing is fetched outside the lock. `make lock` rewrites them.
# An egg-info left in the checkout by an older install would shadow the version: removed.
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK     := requirements/dev.txt
PIP_LOCKED   := $(BIN)/python -m pip install -q --require-hashes -r
PIP_ROUNDS   := rm -rf rounds.egg-info \
	&& $(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .

.PHONY: run test lint typecheck unit bench content-check cards lock audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(RUNTIME_LOCK) | $(BIN)/python
	$(PIP_LOCKED) $(RUNTIME_LOCK)
	$(PIP_ROUNDS)
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(PIP_LOCKED) $(DEV_LOCK)
	$(PIP_ROUNDS)
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/rounds console

test: $(VENV)/.installed-dev lint typecheck content-check unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

content-check: $(VENV)/.installed
	$(BIN)/rounds content check

unit: $(VENV)/.installed-dev
	$(BIN)/pytest -q

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

# Every card and Block Kit message of a fixture run as PNGs in build/cards/ (not part of
# `make test`). Needs node, npm and Chromium; `make cards CARDS=--docs` also refreshes the
# README's pictures in docs/cards/.
cards: $(VENV)/.installed-dev
	$(BIN)/python tools/cards/render.py $(CARDS)

# Rewrite the lock files from pyproject.toml and requirements/build.in, for Linux and CPython
# 3.11 (the container's), keeping every version already pinned that still fits. To move on:
# `make lock LOCK_FLAGS=--upgrade` (everything) or LOCK_FLAGS='--upgrade-package aiohttp'.
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml requirements/build.in --quiet \
	--generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	--custom-compile-command 'make lock' $(LOCK_FLAGS)

lock: $(VENV)/.installed-dev
	$(UV_COMPILE) -o $(RUNTIME_LOCK)
	$(UV_COMPILE) --extra dev -o $(DEV_LOCK)

# Known advisories against every locked version (pip-audit on PyPI's advisory data; needs
# pypi.org). Not part of `make test`: its answer changes whenever an advisory is published.
audit: $(VENV)/.installed-dev
	$(BIN)/uvx pip-audit==2.10.1 --strict --require-hashes --disable-pip -r $(DEV_LOCK)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache rounds.db rounds.egg-info
