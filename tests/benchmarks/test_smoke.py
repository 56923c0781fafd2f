"""Cheap checks that the benchmark still runs; no timing is asserted here.

The real benchmark is ``make bench`` (see benchmarks/README.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from benchmarks import corpus, floor
from tests.conftest import ROOT, read_jsonl, scrapy_cmd

PAGES = 3


def test_corpus_is_deterministic_with_unique_review_ids(tmp_path):
    first = corpus.generate(tmp_path / "one", PAGES)
    second = corpus.generate(tmp_path / "two", PAGES)
    assert first.digest == second.digest
    assert first.reviews == PAGES * corpus.REVIEWS_PER_PAGE
    ids = []
    for name in first.files:
        html = (first.pages_dir / name).read_text(encoding="utf-8")
        page_ids = re.findall(r'data-review-id="(rw\d+)"', html)
        assert len(page_ids) == corpus.REVIEWS_PER_PAGE
        # Every link of a review names its new id: vote URL, headline and Permalink.
        for review_id in page_ids:
            assert html.count(f"/review/{review_id}/") == 3
        assert "data-key=" not in html
        ids += page_ids
    assert len(set(ids)) == len(ids) == first.reviews
    assert ids[0] == first.first_review_id and ids[-1] == first.last_review_id


def test_floor_reads_every_review(tmp_path):
    pages = corpus.generate(tmp_path / "corpus", PAGES)
    output = tmp_path / "floor.jsonl"
    assert floor.run([pages.pages_dir], output) == (PAGES, pages.reviews)
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len({r["review_id"] for r in records}) == pages.reviews
    assert all(r["text"] and r["author_id"] and r["date"] for r in records)


def test_harness_runs_on_a_tiny_corpus(tmp_path):
    done = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.run", "--sizes", "2", "--repeat", "1",
            "--no-plot", "--no-archive-open", "--results", str(tmp_path),
            "--workdir", str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "targets (figures, not assertions):" in done.stdout
    results = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert {"machine", "versions", "project", "settings", "sizes", "archive_open", "checks"} <= set(
        results
    )
    (size,) = results["sizes"]
    assert size["pages"] == 2
    assert size["reviews"] == 2 * corpus.REVIEWS_PER_PAGE
    assert {run["variant"] for run in size["runs"]} == {"a", "b", "c", "s"}
    for run in size["runs"]:
        if run["variant"] in "ab":
            assert run["reviews_out"] == size["reviews"]
        assert run["exit_code"] == 0
    assert set(size["medians"]) == {"a", "b", "c", "s"}
    assert {"ratio_b_over_a", "c_time_over_b", "b_maxrss_mib", "b_ms_per_page"} <= set(
        size["figures"]
    )
    assert results["archive_open"] == {"skipped": "--no-archive-open"}
    assert all(check["status"] in {"PASS", "FAIL", "N/A"} for check in results["checks"])
    # The temporary corpus is gone; only the results remain.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json"]


def test_floor_extracts_what_the_crawler_does(tmp_path):
    """The floor is only a floor if it does the same work: same records, field by field.

    When the crawler's record changes on purpose, change `benchmarks.floor` to match.
    """
    pages = corpus.generate(tmp_path / "corpus", 1)
    crawled_path = tmp_path / "crawl.jsonl"
    done = scrapy_cmd(
        "crawl", "reviews", "-a", f"path={pages.pages_dir}", "-O", str(crawled_path),
        "-s", "LOG_LEVEL=WARNING",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
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
