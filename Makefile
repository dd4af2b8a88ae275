# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make run    virtual environment, install, migrate, load the board calendars, serve on 127.0.0.1
#   make test   the whole suite, on SQLite and on a PostgreSQL server it starts (and installs if missing)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed

.PHONY: run test bench setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

setup: $(STAMP)
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app schooldays load
	$(BIN)/flask --app app locals add etfo-avon-maitland "ETFO Avon Maitland Teachers' Local"
	$(BIN)/flask --app app demo load

run: setup
	$(BIN)/flask --app app run --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	scripts/test

bench: $(STAMP)
	$(BIN)/python -m benchmarks

.PHONY: screenshots
screenshots: $(STAMP)
	scripts/screenshots

clean:
	rm -rf $(VENV) instance/*.sqlite3* .pytest_cache .hypothesis
