"""`-a path=` through the real spider and pipelines: mixed layouts, fragments that need
``-a title=``, drift, and pages IMDb withheld."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.items import GOLDEN_FIELDS, REVIEW_FIELDS, Review
from reviewcrawler.outcome import ExitStatus, exit_status
from reviewcrawler.pipelines.validate import MISSING_TITLE_ID
from tests.conftest import CrawlResult, crawl, fixture_path, read_jsonl, scrapy_cmd
from tests.parsers.test_detection import ROBOT_CHECK_PAGE, SIGN_IN_WALL_PAGE

#: A legacy page written for this test (Pusher III, two reviews), beside current pages.
LEGACY_PAGE = """<!DOCTYPE html>
<html><head><title>Pusher III (2005) - User Reviews - IMDb</title>
<link rel="canonical" href="https://www.imdb.com/title/tt0425379/reviews"></head><body>
<div class="subpage_title_block"><div class="parent"><h3 itemprop="name">
<a href="/title/tt0425379/?ref_=tt_ov_tt">Pusher III</a> <span class="nobr">(2005)</span>
</h3></div></div>
<div class="lister"><div class="header"><div><span>2 Reviews</span></div></div>
<div class="lister-list">
<div class="lister-item mode-detail imdb-user-review collapsable" data-review-id="rw7310001">
<div class="review-container"><div class="lister-item-content">
<div class="ipl-ratings-bar"><span class="rating-other-user-rating">
<span>7</span><span class="point-scale">/10</span></span></div>
<a href="/review/rw7310001/?ref_=tt_urv" class="title"> Milo&#39;s long night </a>
<div class="display-name-date"><span class="display-name-link">
<a href="/user/ur7310001/?ref_=tt_urv">kitchen_porter</a></span>
<span class="review-date">2 May 2006</span></div>
<div class="content"><div class="text show-more__control">One night, one wedding,
one kitchen.<br/><br/>Buric carries the whole film.</div>
<div class="actions text-muted">3 out of 4 found this helpful.
<a href="/review/rw7310001/?ref_=tt_urv">Permalink</a></div></div></div></div></div>
<div class="lister-item mode-detail imdb-user-review collapsable" data-review-id="rw7310002">
<div class="review-container"><div class="lister-item-content">
<a href="/review/rw7310002/?ref_=tt_urv" class="title"> Bleak &amp; brilliant </a>
<div class="display-name-date"><span class="display-name-link">
<a href="/user/ur7310002/?ref_=tt_urv">Østerbro_Anna</a></span>
<span class="review-date">19 November 2007</span></div>
<div class="content"><div class="text show-more__control">The end of the trilogy.</div>
<div class="actions text-muted">0 out of 0 found this helpful.
<a href="/review/rw7310002/?ref_=tt_urv">Permalink</a></div></div></div></div></div>
</div><div class="load-more-data" data-ajaxurl="/title/tt0425379/reviews/_ajax"></div>
</div></body></html>
"""
LEGACY_RECORDS = [
    {
        "review_id": "rw7310001",
        "title_id": "tt0425379",
        "movie_title": "Pusher III",
        "movie_year": 2005,
        "rating": 7,
        "headline": "Milo's long night",
        "author": "kitchen_porter",
        "author_id": "ur7310001",
        "date": "2006-05-02",
        "spoiler": False,
        "text": "One night, one wedding, one kitchen.\n\nBuric carries the whole film.",
        "helpful_yes": 3,
        "helpful_total": 4,
        "permalink": "https://www.imdb.com/review/rw7310001/",
    },
    {
        "review_id": "rw7310002",
        "title_id": "tt0425379",
        "movie_title": "Pusher III",
        "movie_year": 2005,
        "rating": None,
        "headline": "Bleak & brilliant",
        "author": "Østerbro_Anna",
        "author_id": "ur7310002",
        "date": "2007-11-19",
        "spoiler": False,
        "text": "The end of the trilogy.",
        "helpful_yes": 0,
        "helpful_total": 0,
        "permalink": "https://www.imdb.com/review/rw7310002/",
    },
]


async def _crawl(**spider_args: Any) -> CrawlResult:
    return await deferred_from_coro(crawl(**spider_args))


def _records(result: CrawlResult) -> dict[str, dict[str, Any]]:
    reviews = [item for item in result.items if isinstance(item, Review)]
    return {r.review_id: {f: getattr(r, f) for f in GOLDEN_FIELDS} for r in reviews}


def _golden(*parts: str) -> list[dict[str, Any]]:
    return read_jsonl(fixture_path(*parts).with_suffix(".jsonl"))


def _reasons(result: CrawlResult) -> list[str]:
    return ["; ".join(error.rejected.reasons) for _, error in result.dropped]


def mixed_directory(root: Path) -> Path:
    """Legacy and current pages side by side, plus one page that is not a review page."""
    (root / "current").mkdir(parents=True)
    (root / "legacy").mkdir()
    for name in ("pusher-2025.html", "pusher2-saved.html"):
        shutil.copy(fixture_path("current", name), root / "current" / name)
    (root / "legacy" / "pusher3.html").write_text(LEGACY_PAGE, encoding="utf-8")
    (root / "notes.htm").write_text("<html><body><p>my watch list</p></body></html>")
    return root


@pytest_twisted.ensureDeferred
async def test_mixed_directory_of_legacy_and_current_pages(tmp_path):
    result = await _crawl(path=str(mixed_directory(tmp_path / "pages")))
    expected = (
        _golden("current", "pusher-2025.html")
        + _golden("current", "pusher2-saved.html")
        + LEGACY_RECORDS
    )
    assert _records(result) == {g["review_id"]: g for g in expected}
    stats = result.stats
    assert stats["reviewcrawler/pages/current"] == 2
    assert stats["reviewcrawler/pages/legacy"] == 1
    assert stats["reviewcrawler/pages_skipped"] == 1  # notes.htm
    # The saved copy's collapsed spoiler, never in the page, is rejected with its reason.
    assert _reasons(result) == [
        "spoiler body not in page (collapsed when saved, not in __NEXT_DATA__)"
    ]
    assert stats["reviewcrawler/notes/json_html_disagreement"] == 1
    assert exit_status(stats) is ExitStatus.COMPLETE


@pytest_twisted.ensureDeferred
async def test_fragment_with_title_argument():
    result = await _crawl(
        path=str(fixture_path("current", "pusher2-fragment.html")), title="tt0396184"
    )
    assert _records(result) == {g["review_id"]: g for g in _golden("current", "pusher2-fragment")}
    assert result.dropped == []


@pytest_twisted.ensureDeferred
async def test_fragment_without_title_is_rejected_with_the_reason_not_guessed():
    result = await _crawl(path=str(fixture_path("current", "pusher2-fragment.html")))
    assert result.items == []
    assert _reasons(result) == [MISSING_TITLE_ID] * 4
    assert result.stats["reviewcrawler/rejected/missing_title_id"] == 4


@pytest_twisted.ensureDeferred
async def test_drifted_current_page_fails_the_run():
    result = await _crawl(path=str(fixture_path("current", "bad", "drift-cards-renamed.html")))
    assert result.stats["reviewcrawler/layout_drift"] == 1
    assert exit_status(result.stats) is ExitStatus.FAILED
    # What the JSON held is still archived.
    assert sorted(_records(result)) == ["rw1125162", "rw2010471"]


@pytest_twisted.ensureDeferred
async def test_robot_check_and_sign_in_wall_make_the_run_incomplete(tmp_path):
    (tmp_path / "robot.html").write_text(ROBOT_CHECK_PAGE)
    (tmp_path / "wall.html").write_text(SIGN_IN_WALL_PAGE)
    shutil.copy(fixture_path("current", "pusher-2025.html"), tmp_path / "good.html")
    result = await _crawl(path=str(tmp_path))
    assert len(_records(result)) == 4
    assert result.stats["reviewcrawler/pages_blocked"] == 2
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE


def test_scrapy_crawl_on_a_mixed_directory(tmp_path):
    pages = mixed_directory(tmp_path / "pages")
    out = tmp_path / "reviews.jsonl"
    run = scrapy_cmd("crawl", "reviews", "-a", f"path={pages}", "-O", str(out))
    assert run.returncode == ExitStatus.COMPLETE, run.stderr[-2000:]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4 + 8 + 2
    assert all(list(line) == list(REVIEW_FIELDS) for line in lines)
    assert "Skipped file://" in run.stderr and "not an IMDb review page" in run.stderr
