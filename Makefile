# The two commands of the README's Quickstart: `make demo` and `make test`.
# Both install what is missing (Debian packages via `ozgwiki localwiki up`, Python packages into .venv),
# start the local wiki on 127.0.0.1 and then do their job. Run as root or with sudo available.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install wiki wiki-down lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

install: $(STAMP)

wiki: install
	$(BIN)/ozgwiki localwiki up

wiki-down: install
	$(BIN)/ozgwiki localwiki down

lint: install
	$(BIN)/ruff check .

test: wiki lint
	$(BIN)/python -m pytest

demo: wiki
	$(BIN)/ozgwiki localwiki status

bench: install
	$(BIN)/python -m bench

clean:
	-$(BIN)/ozgwiki localwiki down
	rm -rf $(VENV) .pytest_cache .ruff_cache
