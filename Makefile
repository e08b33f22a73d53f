# The two commands: `make run` and `make test`. Everything runs from .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: install run test lint unit browser bench screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	@echo
	@echo "Tracker is starting on http://127.0.0.1:5000"
	@echo "Demo logins (password learn-ml-2026): admin@example.com, ld@example.com,"
	@echo "  manager@example.com (manager of Payments), engineer@example.com (engineer on Payments)"
	@echo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" -q

browser: install
	$(BIN)/pytest -m browser -q

test: lint unit browser

bench: install
	$(BIN)/python -m bench.run

screenshots: install
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
