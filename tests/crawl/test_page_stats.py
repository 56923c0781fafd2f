"""A page's outcome as stats and log lines, counted without an engine."""

from __future__ import annotations

import logging

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from reviewcrawler.crawl.page_stats import count_outcome
from reviewcrawler.items import RejectedReview, Review
from reviewcrawler.parsers import NOT_A_REVIEW_PAGE, SIGN_IN_WALL, ParsedPage
from reviewcrawler.parsers.base import PageNote

URL = "https://www.imdb.com/title/tt0396184/reviews/"
LOG = logging.getLogger("tests.page_stats")


def ours(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOG.name]


def counted(outcome: object) -> dict[str, object]:
    stats = MemoryStatsCollector(get_crawler())
    count_outcome(stats, LOG, URL, outcome)
    return stats.get_stats()


def test_a_page_of_reviews_counts_its_layout_and_every_review_seen(caplog):
    page = ParsedPage(
        "current",
        reviews=[Review(review_id="rw1"), Review(review_id="rw2")],
        rejected=[RejectedReview({"review_id": "rw3"}, ["no text"])],
    )
    with caplog.at_level(logging.DEBUG):
        stats = counted(page)
    assert stats == {"reviewcrawler/pages/current": 1, "reviewcrawler/reviews_seen": 3}
    assert ours(caplog) == []


def test_a_skipped_page_is_counted_under_its_code():
    assert counted(NOT_A_REVIEW_PAGE) == {
        "reviewcrawler/pages_skipped": 1,
        "reviewcrawler/skipped/not-a-review-page": 1,
    }


def test_a_withheld_page_makes_the_run_incomplete():
    assert counted(SIGN_IN_WALL) == {
        "reviewcrawler/pages_blocked": 1,
        "reviewcrawler/titles_incomplete": 1,
        "reviewcrawler/pages_skipped": 1,
        "reviewcrawler/skipped/sign-in-wall": 1,
    }


def test_notes_and_a_cut_off_page_are_one_warning_each(caplog):
    page = ParsedPage(
        "legacy",
        truncated=True,
        notes=[PageNote("nul_characters", "2 NUL characters removed")],
    )
    with caplog.at_level(logging.WARNING):
        stats = counted(page)
    assert stats["reviewcrawler/pages_truncated"] == 1
    assert stats["reviewcrawler/notes/nul_characters"] == 1
    assert [r.getMessage() for r in ours(caplog)] == [
        f"Page cut off (truncated download): {URL}",
        f"{URL}: 2 NUL characters removed",
    ]


def test_layout_drift_is_an_error_and_the_first_drifted_url_is_kept(caplog):
    stats = MemoryStatsCollector(get_crawler())
    drifted = ParsedPage("legacy", declared_total=44, blocks_found=0)
    with caplog.at_level(logging.ERROR):
        count_outcome(stats, LOG, URL, drifted)
        count_outcome(stats, LOG, f"{URL}?page=2", drifted)
    assert stats.get_value("reviewcrawler/layout_drift") == 2
    assert stats.get_value("reviewcrawler/layout_drift_first_url") == URL
    assert [r.levelname for r in ours(caplog)] == ["ERROR", "ERROR"]
    assert "announces 44 reviews" in ours(caplog)[0].getMessage()
