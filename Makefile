# Two commands matter: `make run` (see the daemon work, no keys needed) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test run install uninstall lint typecheck pytest bench catalog clean

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

# `provider-runtime` on PATH: its own virtualenv under $(PREFIX)/share, a link in $(PREFIX)/bin.
PREFIX ?= $(HOME)/.local
install:
	PREFIX="$(PREFIX)" PYTHON="$(PYTHON)" bash scripts/install.sh

uninstall:
	PREFIX="$(PREFIX)" bash scripts/install.sh --uninstall

BENCH_VENV := benchmarks/.venv
BENCH_DAEMON_VENV := benchmarks/.venv-daemon

# Peers (openai, anthropic, litellm, any-llm) live in their own venv; the daemon's start-up and
# memory are measured on an install holding only the runtime and its uvloop extra (as make install).
$(BENCH_VENV)/.installed: pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[bench,uvloop]'
	touch $@

$(BENCH_DAEMON_VENV)/.installed: pyproject.toml
	test -x $(BENCH_DAEMON_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_DAEMON_VENV)
	$(BENCH_DAEMON_VENV)/bin/python -m pip install --quiet -e '.[uvloop]'
	touch $@

bench: $(BENCH_VENV)/.installed $(BENCH_DAEMON_VENV)/.installed
	$(BENCH_VENV)/bin/python -m benchmarks --daemon-python $(BENCH_DAEMON_VENV)/bin/python $(BENCH_ARGS)

catalog: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[catalog]'
	$(BIN)/python scripts/generate_catalog.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(BENCH_DAEMON_VENV) .pytest_cache .mypy_cache .ruff_cache
