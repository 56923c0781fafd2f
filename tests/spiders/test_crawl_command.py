"""`scrapy crawl reviews` as a user runs it: feed exports and exit status."""

from __future__ import annotations

import json

from reviewcrawler.items import REVIEW_FIELDS
from tests.conftest import FIXTURES, read_jsonl, scrapy_cmd, shell_pipeline

LEGACY = FIXTURES / "legacy"


def test_feed_export_gets_every_review_in_documented_field_order(tmp_path):
    out = tmp_path / "reviews.jsonl"
    pages = f"{LEGACY / 'pusher2-page1.html'},{LEGACY / 'pusher2-page2.html'}"
    done = scrapy_cmd("crawl", "reviews", "-a", f"path={pages}", "-O", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 44
    assert list(json.loads(lines[0])) == list(REVIEW_FIELDS)
    assert {json.loads(line)["review_id"] for line in lines} == {
        r["review_id"]
        for page in ("pusher2-page1", "pusher2-page2")
        for r in read_jsonl(LEGACY / f"{page}.jsonl")
    }


def test_missing_path_is_one_line_and_exit_2(tmp_path):
    done = scrapy_cmd("crawl", "reviews", "-a", f"path={tmp_path / 'nope.html'}")
    assert done.returncode == 2
    # Scrapy's start-up banner may come first; the reason is the last line.
    assert done.stderr.strip().splitlines()[-1] == (
        f"scrapy crawl reviews: error: path: path does not exist: {tmp_path / 'nope.html'}"
    )


def test_directory_without_pages_exit_2(tmp_path):
    done = scrapy_cmd("crawl", "reviews", "-a", f"path={tmp_path}")
    assert done.returncode == 2
    assert "no .html/.htm pages under" in done.stderr


def test_layout_drift_fails_the_run(tmp_path):
    page = LEGACY / "bad" / "layout-drift.html"
    done = scrapy_cmd("crawl", "reviews", "-a", f"path={page}", "-O", str(tmp_path / "o.jsonl"))
    assert done.returncode == 1
    assert "Layout drift" in done.stderr


def test_rejects_and_skips_do_not_fail_the_run(tmp_path):
    pages = ",".join(
        str(LEGACY / "bad" / f"{case}.html") for case in ("empty", "truncated", "empty-body")
    )
    done = scrapy_cmd("crawl", "reviews", "-a", f"path={pages}", "-O", str(tmp_path / "o.jsonl"))
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_malformed_graphql_hash_is_one_line_and_exit_2():
    done = scrapy_cmd("crawl", "reviews", "-a", "title=tt0396184", "-s", "IMDB_GRAPHQL_HASH=abc")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "scrapy crawl reviews: error: IMDB_GRAPHQL_HASH 'abc' is not a SHA-256 hash (64 hex digits)"
    )


def test_a_feed_on_stdout_whose_reader_leaves_is_one_line_and_the_run_goes_on(
    tmp_path, scrapy_client
):
    """``-O - | head -n 1``: the reader leaves at once; Scrapy alone logs a traceback
    per review. One line says so, and the archive gets every review."""
    archive = tmp_path / "archive"
    pages = f"{LEGACY / 'pusher2-page1.html'},{LEGACY / 'pusher2-page2.html'}"
    done = shell_pipeline(
        f"{scrapy_client} crawl reviews -a path={pages} "
        f"-O -:jsonlines -s ARCHIVE_DIR={archive} | head -n 1"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(json.loads(done.stdout)) == list(REVIEW_FIELDS)
    assert "Traceback" not in done.stderr
    (left,) = [line for line in done.stderr.splitlines() if "closed standard output" in line]
    assert "the run goes on" in left
    assert "finished: 44 new, 0 changed" in done.stderr
