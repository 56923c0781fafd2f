# Both entry points create .venv and install the project when pyproject.toml changes.
# Python 3.11 or newer; python3.11 when the machine has it under that name.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: crawl test recordings report chromium redis-server bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,cluster]'
	touch $(STAMP)

# The main job, offline: every saved page at the top of fixtures/<layout>/ (both layouts;
# the faulty pages under fixtures/*/bad/ are left out) into the archive in output/, and every
# valid review of the run, once, into output/reviews.jsonl. One of the pages does not name its
# title (a <section> copied out of a browser), so the run names it with -a title=.
comma := ,
space := $() $()
FIXTURE_PAGES := $(subst $(space),$(comma),$(sort $(wildcard fixtures/*/*.html)))

crawl: $(STAMP)
	$(BIN)/scrapy crawl reviews -a path=$(FIXTURE_PAGES) -a title=tt0396184 -O output/reviews.jsonl

# --dist loadfile: a module's tests on one worker, so a module-scoped fixture (the docs
# pages' one run of every command, an archive several tests read) is built once, not
# once per worker; --no-loadscope-reorder: modules are handed out in collection order,
# where the conftest puts the slow ones first (xdist would order them by test count,
# leaving a 15 s module of 4 tests for last). Four workers on two cores: part of the
# suite waits on purpose (cluster leases, slow servers, signals), and the workers beyond
# two fill that time (four kept the cores ~92 % busy, three ~86 %; a fifth costs as much
# collecting the tests as it gains). PYTHONDONTWRITEBYTECODE emptied: the suite's
# processes keep what they compile (pytest's rewritten test modules too) in __pycache__/
# rather than compile it again in each of them. While mypy checks types on one core, the
# other collects the tests once, so that the workers find the rewritten modules compiled
# instead of each rewriting them all (~1.7 s a worker on a fresh clone); should
# collecting fail, the run after it says why.
test: $(STAMP) chromium redis-server
	$(BIN)/ruff check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --collect-only -q -p no:cacheprovider \
		>/dev/null 2>&1 & $(BIN)/mypy; status=$$?; wait; exit $$status
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 4 --dist loadfile --no-loadscope-reorder

# The cluster tests need a real redis-server: installed here when we can (root with
# apt-get); otherwise those tests are skipped with one line saying how to get them.
redis-server:
	@command -v redis-server >/dev/null || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -q redis-server >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q redis-server >/dev/null 2>&1; }; }; } || true

# Debian's headless Chromium renders the report in tests. Installed when we can
# (root with apt-get); otherwise those tests skip, saying so in one line.
chromium:
	@command -v chromium-headless-shell >/dev/null || command -v chromium >/dev/null || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -q chromium-headless-shell >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium-headless-shell >/dev/null 2>&1; }; }; } || \
	echo "chromium-headless-shell not installed: the report's browser tests will skip"

# The report of the bundled fixtures' archive (make crawl), and its screenshot in docs/.
report: crawl chromium
	$(BIN)/scrapy archive report -o output/report.html
	$(BIN)/python -m reviewcrawler.report.browser output/report.html docs/report.png

# Rebuild the bundled recordings (recordings/) from the fixtures they are made of.
recordings: $(STAMP)
	$(BIN)/python recordings/build.py

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# The benchmark of issue 7 (benchmarks/README.md): 40, 400 and 4,000 pages; bench-quick: 40, 400.
# Extra options: make bench BENCH_ARGS='--repeat 5'
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
