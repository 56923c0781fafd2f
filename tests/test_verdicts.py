"""The end of a run: each title's summary and stats, and no silent zero."""

from __future__ import annotations

import logging

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from reviewcrawler.items import RejectedReview, Review
from reviewcrawler.parsers import ParsedPage
from reviewcrawler.progress import TitleProgress
from reviewcrawler.tally import RunTally
from reviewcrawler.verdicts import nothing_kept, report_saved_pages, report_titles

LOG = logging.getLogger("tests.verdicts")


def ours(caplog) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOG.name]


def stats() -> MemoryStatsCollector:
    return MemoryStatsCollector(get_crawler())


def test_each_title_gets_its_line_and_the_incomplete_ones_are_counted(caplog):
    done = TitleProgress("tt0000001", "www.imdb.com", pages=2, reviews=30, complete=True)
    short = TitleProgress("tt0000002", "www.imdb.com", pages=1, reviews=25)
    short.stop_short("stopped by max_pages=1; more pages remain")
    collector = stats()
    with caplog.at_level(logging.INFO):
        report_titles(collector, LOG, [done, short], RunTally().titles)
    assert ours(caplog) == [
        ("INFO", "tt0000001: complete, 2 page(s), 30 review(s)"),
        (
            "WARNING",
            "tt0000002: INCOMPLETE after 1 page(s), 25 review(s): "
            "stopped by max_pages=1; more pages remain",
        ),
    ]
    values = collector.get_stats()
    assert values["reviewcrawler/titles_incomplete"] == 1
    assert values["reviewcrawler/title/tt0000001/complete"] == 1
    assert values["reviewcrawler/title/tt0000002/pages"] == 1
    assert values["reviewcrawler/title/tt0000002/incomplete_because"] == short.shortfall
    assert "reviewcrawler/title/tt0000001/incomplete_because" not in values


def test_a_title_whose_reviews_were_all_rejected_is_incomplete():
    progress = TitleProgress("tt0000001", "www.imdb.com", pages=1, complete=True)
    tally = RunTally()
    for title_tally in tally.of("tt0000001"):
        title_tally.reject(["no text"])
    collector = stats()
    report_titles(collector, LOG, [progress], tally.titles)
    assert not progress.complete
    assert progress.shortfall == "all 1 review rejected: no text"
    assert collector.get_value("reviewcrawler/titles_incomplete") == 1


def test_a_cluster_worker_does_not_judge_titles_by_its_own_pages():
    progress = TitleProgress("tt0000001", "www.imdb.com", pages=1, complete=True)
    tally = RunTally()
    tally.of("tt0000001")[1].reject(["no text"])
    report_titles(stats(), LOG, [progress], None)
    assert progress.complete


def test_saved_pages_whose_reviews_were_all_rejected_fail_the_run(caplog):
    tally = RunTally()
    for reasons in (["no text"], ["no text", "bad date"], ["bad date", "no text"]):
        tally.run.reject(reasons)
    collector = stats()
    collector.set_value("reviewcrawler/pages_read", 1)
    with caplog.at_level(logging.ERROR):
        report_saved_pages(collector, LOG, tally)
    assert ours(caplog) == [("ERROR", "all 3 reviews rejected: no text")]
    assert collector.get_value("reviewcrawler/no_valid_review") == "all 3 reviews rejected: no text"


def test_a_run_whose_every_page_was_skipped_kept_nothing():
    tally = RunTally()
    tally.skipped.update(["not an IMDb review page"] * 2 + ["empty file"])
    assert nothing_kept(tally, 3) == "all 3 pages skipped: not an IMDb review page"
    assert nothing_kept(tally, 4) is None  # one page was read and held no review
    tally.run.keep()
    assert nothing_kept(tally, 3) is None


def test_a_run_that_kept_a_review_or_read_nothing_passes(caplog):
    tally = RunTally()
    assert nothing_kept(tally, 0) is None
    tally.run.keep()
    tally.run.reject(["no text"])
    collector = stats()
    report_saved_pages(collector, LOG, tally)
    assert collector.get_value("reviewcrawler/no_valid_review") is None
    assert ours(caplog) == []


def test_a_review_counts_in_the_run_and_its_title():
    tally = RunTally()
    for counted in tally.of("tt0000001"):
        counted.keep()
    for counted in tally.of(None):
        counted.keep()
    assert tally.run.kept == 2
    assert tally.titles["tt0000001"].kept == 1


def test_a_page_read_counts_in_its_title():
    progress = TitleProgress("tt0000001", "www.imdb.com")
    page = ParsedPage(
        "legacy",
        reviews=[Review(review_id="rw1"), Review(review_id="rw2")],
        rejected=[RejectedReview({"review_id": "rw3"}, ["no text"])],
        movie_title="Pusher II",
        movie_year=2004,
    )
    assert progress.read(page)
    assert (progress.pages, progress.reviews, progress.seen) == (1, 2, {"rw1", "rw2", "rw3"})
    assert (progress.movie_title, progress.movie_year, progress.layout) == (
        "Pusher II",
        2004,
        "legacy",
    )
    assert not progress.read(page)  # the same reviews again: nothing new
    assert progress.pages == 2
