# Both entry points create .venv and install the project when pyproject.toml changes.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: crawl test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job: archive every review of the bundled fixtures into output/.
crawl: $(STAMP)
	$(BIN)/scrapy crawl reviews -a path=fixtures/legacy/pusher2-page1.html,fixtures/legacy/pusher2-page2.html -O output/reviews.jsonl

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
