"""The floor (a plain lxml pass) does the crawl's work: the same records, field by field."""

from __future__ import annotations

import json

import pytest

from benchmarks import archive_open, corpus, floor
from tests.conftest import fixture_path, read_jsonl, scrapy_cmd

#: Two titles: one of each layout (titles alternate, 4 pages each).
MIXED_PAGES = 2 * corpus.PAGES_PER_TITLE


def test_floor_reads_every_review(tmp_path):
    pages = corpus.generate(tmp_path / "corpus", MIXED_PAGES)
    output = tmp_path / "floor.jsonl"
    assert floor.run([pages.pages_dir], output) == (MIXED_PAGES, pages.reviews)
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len({r["review_id"] for r in records}) == pages.reviews
    assert all(r["text"] and r["author_id"] and r["date"] for r in records)


@pytest.mark.parametrize("layout", ["legacy", "current"])
def test_floor_extracts_what_the_crawler_does(tmp_path, layout):
    """The floor is only a floor if it does the same work: same records, field by field.

    On current pages the floor reads the cards and fills in from ``__NEXT_DATA__``
    as the crawl does (see `benchmarks.floor.current_reviews` for what it leaves
    out); on the generated pages that gives the same records. When the crawler's
    record changes on purpose, change `benchmarks.floor` to match.
    """
    pages = corpus.generate(tmp_path / "corpus", 1, layouts=(layout,))
    crawled_path = tmp_path / "crawl.jsonl"
    archive = tmp_path / "archive"
    done = scrapy_cmd(
        "crawl", "reviews", "-a", f"path={pages.pages_dir}", "-O", str(crawled_path),
        "-s", "LOG_LEVEL=WARNING", "-s", f"ARCHIVE_DIR={archive}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The archive step's in-process timings still find the archive's index functions.
    timings = archive_open.index_timings(archive, 1)
    assert timings.get("entries") == pages.reviews, timings
    crawled = {record["review_id"]: record for record in read_jsonl(crawled_path)}
    output = tmp_path / "floor.jsonl"
    floor.run([pages.pages_dir], output)
    records = read_jsonl(output)
    assert len(records) == len(crawled) == pages.reviews
    for record in records:
        expected = crawled[record["review_id"]]
        assert list(record) == list(expected)
        for name in record.keys() - {"scraped_at"}:
            assert record[name] == expected[name], (record["review_id"], name)


@pytest.mark.parametrize("case", ["pusher-2025", "pusher2-2026", "pusher2-saved"])
def test_floor_reads_current_fixtures_as_their_golden_records(tmp_path, case):
    """Pages nobody generated: both JSON shapes, a browser's copy with more cards than JSON.

    Every field but ``source_url``/``scraped_at``; the fragment fixture is left
    out because it needs ``-a title=``, which the floor does not take.
    """
    output = tmp_path / "floor.jsonl"
    floor.run([fixture_path("current", f"{case}.html")], output)
    golden = read_jsonl(fixture_path("current", f"{case}.jsonl"))
    records = read_jsonl(output)
    assert [r["review_id"] for r in records] == [g["review_id"] for g in golden]
    for record, expected in zip(records, golden, strict=True):
        for name in expected:
            assert record[name] == expected[name], (record["review_id"], name)
