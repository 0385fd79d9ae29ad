# Two commands matter: `make run` (see the daemon work, no keys needed) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test run lint typecheck pytest bench catalog clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check daemon tests scripts
	$(BIN)/ruff format --check daemon tests scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	bash scripts/install_editor_deps.sh
	$(BIN)/pytest -q

run: $(STAMP)
	$(BIN)/python scripts/demo_session.py

catalog: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[catalog]'
	$(BIN)/python scripts/generate_catalog.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
