# Both entry points create .venv and install the project when pyproject.toml changes.
# Python 3.11 or newer; python3.11 when the machine has it under that name.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: crawl test bench bench-quick clean redis-server

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,cluster]'
	touch $(STAMP)

# The main job: archive every review of the bundled fixtures into output/.
crawl: $(STAMP)
	$(BIN)/scrapy crawl reviews -a path=fixtures/legacy/pusher2-page1.html,fixtures/legacy/pusher2-page2.html -O output/reviews.jsonl

# The cluster tests need a real redis-server: installed here when we can (root with
# apt-get); otherwise those tests are skipped with one line saying how to get them.
redis-server:
	@command -v redis-server >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get install -y -qq redis-server >/dev/null; } || true

test: $(STAMP) redis-server
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

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
