"""A run that read reviews but kept none never passes for a success (issue: no silent zero),
and a run that does not exit 0 ends with one line saying why."""

from __future__ import annotations

import json
import logging
import re

import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.outcome import ExitStatus, exit_reason, exit_status
from reviewcrawler.pipelines.validate import MISSING_TITLE_ID
from tests.conftest import FIXTURES, crawl, read_jsonl, scrapy_cmd, site_settings
from tests.localsite import Reply

TITLE_LESS = FIXTURES / "current" / "pusher2-fragment.html"
HEADER_ONLY = FIXTURES / "current" / "pusher2-section-header.html"
ALL_REJECTED = f"all 4 reviews rejected: {MISSING_TITLE_ID}"


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.search(r"\] (ERROR|CRITICAL): ", line)]


def test_a_fragment_naming_no_title_fails_with_one_error_line(tmp_path):
    out = tmp_path / "reviews.jsonl"
    done = scrapy_cmd("crawl", "reviews", "-a", f"path={TITLE_LESS}", "-O", str(out))
    assert done.returncode == ExitStatus.FAILED, done.stderr[-2000:]
    [error] = error_lines(done.stderr)
    assert error.endswith(f"ERROR: {ALL_REJECTED}")
    assert done.stderr.strip().splitlines()[-1] == f"exit 1: {ALL_REJECTED}"
    assert out.read_text(encoding="utf-8") == ""


def test_the_same_fragment_with_its_title_keeps_every_review(tmp_path):
    out = tmp_path / "reviews.jsonl"
    done = scrapy_cmd(
        "crawl", "reviews", "-a", f"path={TITLE_LESS}", "-a", "title=tt0396184", "-O", str(out)
    )
    assert done.returncode == ExitStatus.COMPLETE, done.stderr[-2000:]
    assert error_lines(done.stderr) == []
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    golden = read_jsonl(TITLE_LESS.with_suffix(".jsonl"))
    assert [r["review_id"] for r in got] == [g["review_id"] for g in golden]
    assert {r["title_id"] for r in got} == {"tt0396184"}
    # A run that exits 0 says nothing more about it.
    assert not done.stderr.strip().splitlines()[-1].startswith("exit ")


def test_a_section_titled_by_its_header_needs_no_title_argument(tmp_path):
    out = tmp_path / "reviews.jsonl"
    done = scrapy_cmd("crawl", "reviews", "-a", f"path={HEADER_ONLY}", "-O", str(out))
    assert done.returncode == ExitStatus.COMPLETE, done.stderr[-2000:]
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert got and {(r["title_id"], r["movie_title"], r["movie_year"]) for r in got} == {
        ("tt0396184", "Pusher II", 2004)
    }


@pytest_twisted.ensureDeferred
async def test_some_rejected_among_kept_reviews_is_still_complete(tmp_path):
    # Today's behaviour for partial rejections: warnings and counts, exit 0.
    page = FIXTURES / "legacy" / "bad" / "empty-body.html"
    result = await deferred_from_coro(crawl(path=str(page)))
    assert len(result.items) == 2
    assert result.stats["reviewcrawler/rejected"] == 1
    assert exit_status(result.stats) is ExitStatus.COMPLETE
    assert "reviewcrawler/no_valid_review" not in result.stats


@pytest_twisted.ensureDeferred
async def test_rejections_from_two_pages_name_the_commonest_reason(tmp_path, caplog):
    (tmp_path / "a.html").write_bytes(TITLE_LESS.read_bytes())
    # 25 reviews made invalid otherwise: dates no parser can read.
    text = (FIXTURES / "legacy" / "pusher2-page1.html").read_text(encoding="utf-8")
    (tmp_path / "b.html").write_text(
        re.sub(r'(<span class="review-date">)[^<]*', r"\1someday", text), encoding="utf-8"
    )
    with caplog.at_level(logging.WARNING):
        result = await deferred_from_coro(crawl(path=str(tmp_path)))
    assert result.items == []
    why = result.stats["reviewcrawler/no_valid_review"]
    assert why == "all 29 reviews rejected: missing date"
    assert exit_status(result.stats) is ExitStatus.FAILED
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [why]
    assert exit_reason(result.stats) == f"exit 1: {why}"


@pytest_twisted.ensureDeferred
async def test_every_page_skipped_is_no_success(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "other.html").write_text("<html><body><p>Not reviews</p></body></html>")
    (tmp_path / "also.htm").write_text("<html><body><p>Nor this</p></body></html>")
    result = await deferred_from_coro(crawl(path=str(tmp_path)))
    assert result.stats["reviewcrawler/no_valid_review"] == (
        "all 3 pages skipped: not an IMDb review page"
    )
    assert exit_status(result.stats) is ExitStatus.FAILED


# title= crawls ----------------------------------------------------------------------


@pytest_twisted.inlineCallbacks
def test_a_title_whose_reviews_were_all_rejected_is_incomplete(local_site, caplog):
    # A served page that names its title, but whose every review lacks a date.
    html = (FIXTURES / "legacy" / "bad" / "empty-body.html").read_text(encoding="utf-8")
    html = re.sub(r'(<span class="review-date">)[^<]*', r"\1someday", html)
    local_site.serve("/title/tt0396184/reviews/", Reply(html))
    with caplog.at_level(logging.INFO):
        result = yield deferred_from_coro(crawl(site_settings(local_site), title="tt0396184"))
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert result.stats["reviewcrawler/titles_incomplete"] == 1
    summaries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("tt0")]
    assert "tt0396184: INCOMPLETE after 1 page(s), 3 review(s): all 3 reviews rejected: " in (
        "\n".join(summaries)
    )
    assert exit_reason(result.stats) == (
        "exit 3: 1 title(s) incomplete: tt0396184 (all 3 reviews rejected: missing date)"
    )
    # Incomplete, not failed: the title's own summary line says why.
    assert "reviewcrawler/no_valid_review" not in result.stats
