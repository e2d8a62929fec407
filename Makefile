# The two commands of the README's Quickstart: `make demo` and `make test`.
# Both install what is missing (Debian packages via `ozgwiki localwiki up`, Python packages into .venv),
# start the local wiki on 127.0.0.1 and then do their job. Run as root or with sudo available.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-smw smw-record install wiki wiki-down lint bench clean

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
	$(BIN)/ruff format --check .

test: wiki lint
	$(BIN)/python -m pytest

# The suite against a real Semantic MediaWiki + Page Forms that this project does not install (no
# registry has them): $OZGWIKI_SMW_CONFIG names its config (tests/smw/conftest.py). `make test` leaves
# it out and says so in one line; `smw-record` also rewrites tests/data/smw/recording.json, which
# `make test` checks the live-query rendering against.
SMW_CONFIG_CHECK = @test -n "$$OZGWIKI_SMW_CONFIG" || { echo "$@: set OZGWIKI_SMW_CONFIG to the smw suite's config (see tests/smw/conftest.py)" >&2; exit 2; }

test-smw: install
	$(SMW_CONFIG_CHECK)
	$(BIN)/python -m pytest -m smw tests/smw

smw-record: install
	$(SMW_CONFIG_CHECK)
	OZGWIKI_SMW_RECORD=1 $(BIN)/python -m pytest -m smw tests/smw

# The guide's cycle on the local wiki: the bots deploy and import, an editor writes Steckbriefe (one key
# mistyped), the bots check the keys and regenerate the overviews. `ozgwiki run` exits 1 when it has
# findings -- the demo has some on purpose -- so only exit codes above 1 stop the demo.
demo: wiki
	@$(BIN)/ozgwiki run; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	$(BIN)/ozgwiki localwiki seed-demo
	@$(BIN)/ozgwiki run; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@$(BIN)/ozgwiki localwiki run-jobs
	@$(BIN)/ozgwiki localwiki urls

# The benchmarks of issue 13 (bench/run.py): their own environment, because pywikibot (a contender) must
# not enter .venv; their own wikis under $TMPDIR (never the demo wiki). BENCH_ARGS="--quick" for a short
# run, "--port N --dir PATH" to move them. Writes docs/benchmarks.md and docs/benchmarks.svg.
BENCH_VENV  ?= .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_ARGS  ?=

$(BENCH_STAMP): pyproject.toml
	@$(PYTHON) -m venv $(BENCH_VENV) 2>/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(BENCH_VENV); }
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[bench]'
	@touch $@

bench: $(BENCH_STAMP)
	OZGWIKI_BENCH_COMMAND='$(if $(OZGWIKI_SMW_CONFIG),OZGWIKI_SMW_CONFIG=$(OZGWIKI_SMW_CONFIG) )make bench$(if $(BENCH_ARGS), BENCH_ARGS="$(BENCH_ARGS)")' $(BENCH_VENV)/bin/python -m bench $(BENCH_ARGS)

clean:
	-$(BIN)/ozgwiki localwiki down
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .ruff_cache
