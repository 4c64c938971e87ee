# TechMarket — two commands: `make run` (the product) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install system-packages python-packages assets run test migrate demo clean

install: system-packages python-packages assets

system-packages:
	@bash scripts/install-system-packages.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

python-packages: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test,bench]"
	@touch $@

assets: node_modules/.installed
node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

migrate: install
	$(BIN)/techmarket migrate --noinput

demo: migrate
	TECHMARKET_DEMO=1 $(BIN)/techmarket demo

# The web server, the background worker and the scheduler, all stopped by Ctrl-C.
run: demo
	TECHMARKET_DEMO=1 DEBUG=$${DEBUG:-1} $(BIN)/techmarket serve --port $(PORT)

test: install
	$(BIN)/pytest -n 2 -q --ds=techmarket.settings.test $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules var
