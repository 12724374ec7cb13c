# Rounds — `make run` chats with the bot locally; `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck unit bench content-check cards clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
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

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache rounds.db
