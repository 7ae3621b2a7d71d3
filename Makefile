# The project's vocabulary: `make run`, `make test`, `make openapi`, `make lint`, `make bench`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PLUGINS := $(wildcard plugins/*)
STAMP := $(VENV)/.installed
SOURCES := $(wildcard service plugins tests bench)

.PHONY: install run test lint format openapi bench clean

$(STAMP): pyproject.toml $(wildcard plugins/*/pyproject.toml)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]' $(foreach p,$(PLUGINS),-e $(p))
	touch $@

install: $(STAMP)

## make run: set up, ingest seeds/, serve on 127.0.0.1:8000 (data in ./data or $CLAIMSCOPE_DATA_DIR)
run: install
	$(BIN)/claimscope ingest seeds/*.txt
	$(BIN)/claimscope serve

## make test: set up and run the linter and every test
test: install lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix $(SOURCES)
	$(BIN)/ruff format $(SOURCES)

openapi: install
	$(BIN)/claimscope openapi

bench: install
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/search_http.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/outbox.py

clean:
	rm -rf $(VENV) data
