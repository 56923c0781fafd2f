"""The real `reviews` spider through Scrapy's engine, on saved pages."""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.items import Review
from tests.conftest import FIXTURES, crawl, read_jsonl

LEGACY = FIXTURES / "legacy"
PUSHER_PAGES = [LEGACY / "pusher2-page1.html", LEGACY / "pusher2-page2.html"]


def run(**spider_args):
    return deferred_from_coro(crawl(**spider_args))


def records(items: list[Review]) -> list[dict[str, object]]:
    return [
        {k: v for k, v in asdict(item).items() if k not in ("source_url", "scraped_at")}
        for item in items
    ]


def golden(*pages: Path) -> list[dict[str, object]]:
    return [record for page in pages for record in read_jsonl(page.with_suffix(".jsonl"))]


@pytest_twisted.inlineCallbacks
def test_both_pusher_pages_give_all_44_reviews_field_by_field():
    result = yield run(path=",".join(str(p) for p in PUSHER_PAGES))
    by_id = {r["review_id"]: r for r in records(result.items)}
    expected = golden(*PUSHER_PAGES)
    assert len(expected) == 44
    assert sorted(by_id) == sorted(r["review_id"] for r in expected)
    for review in expected:
        assert by_id[review["review_id"]] == review
    assert result.stats["reviewcrawler/pages_read"] == 2
    assert result.stats["reviewcrawler/reviews_seen"] == 44
    assert not result.dropped


@pytest_twisted.inlineCallbacks
def test_per_run_fields():
    result = yield run(path=str(PUSHER_PAGES[0]))
    for item in result.items:
        assert item.source_url == PUSHER_PAGES[0].as_uri()
        scraped = datetime.fromisoformat(item.scraped_at)
        assert scraped.tzinfo is not None
        assert scraped.utcoffset() == UTC.utcoffset(None)


@pytest_twisted.inlineCallbacks
def test_same_page_saved_twice_is_read_once(tmp_path):
    for name in ("a.html", "nested/b.htm"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(PUSHER_PAGES[0], tmp_path / name)
    result = yield run(path=str(tmp_path))
    assert len(result.items) == 25
    assert len({item.review_id for item in result.items}) == 25
    assert result.stats["reviewcrawler/duplicates_in_run"] == 25


# case → (stat that must be counted, text the log line must carry, level)
BAD_INPUT = {
    "binary-junk": ("reviewcrawler/pages_skipped", "binary content, not HTML", logging.WARNING),
    "empty": ("reviewcrawler/pages_skipped", "empty file", logging.WARNING),
    "not-review-page": ("reviewcrawler/pages_skipped", "not an IMDb review page", logging.WARNING),
    "layout-drift": ("reviewcrawler/layout_drift", "Layout drift", logging.ERROR),
    "truncated": ("reviewcrawler/pages_truncated", "truncated download", logging.WARNING),
    "empty-body": ("reviewcrawler/rejected/missing text", "missing text", logging.WARNING),
    "cp1252": ("reviewcrawler/pages/legacy", None, None),
    "cp1252-undeclared": ("reviewcrawler/pages/legacy", None, None),
    "utf16-bom": ("reviewcrawler/pages/legacy", None, None),
    "crlf": ("reviewcrawler/pages/legacy", None, None),
    "localized-counts": ("reviewcrawler/pages/legacy", None, None),
    "odd-whitespace": ("reviewcrawler/pages/legacy", None, None),
    "c1-punctuation": ("reviewcrawler/pages/legacy", None, None),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
@pytest_twisted.inlineCallbacks
def test_bad_input(case, caplog):
    page = LEGACY / "bad" / f"{case}.html"
    stat, message, level = BAD_INPUT[case]
    with caplog.at_level(logging.INFO):
        result = yield run(path=str(page))
    assert records(result.items) == golden(page)
    assert result.stats.get(stat) == 1
    if message is None:
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    else:
        lines = [r.getMessage() for r in caplog.records if r.levelno == level]
        assert any(message in line and page.name in line for line in lines), lines


@pytest_twisted.inlineCallbacks
def test_truncated_block_is_rejected_with_its_reason():
    page = LEGACY / "bad" / "truncated.html"
    result = yield run(path=str(page))
    [(rejected, exception)] = result.dropped
    assert "cut off" in str(exception)
    assert rejected.record["review_id"] not in {r["review_id"] for r in golden(page)}


@pytest_twisted.inlineCallbacks
def test_mixed_directory_keeps_every_good_review():
    result = yield run(path=str(LEGACY))
    ids = {item.review_id for item in result.items}
    expected = golden(*sorted(LEGACY.rglob("*.html")))
    assert ids == {r["review_id"] for r in expected}
    assert result.stats["reviewcrawler/pages_skipped"] == 3
