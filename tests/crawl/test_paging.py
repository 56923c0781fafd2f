"""What follows a title's page, decided without an engine: plain pages, plain state."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from reviewcrawler.archive.index import TitleState
from reviewcrawler.crawl.graphql import ReviewsQuery
from reviewcrawler.crawl.paging import LINKS_REFUSED_KEY, Paging, fresh_reviews
from reviewcrawler.items import Review, as_record
from reviewcrawler.parsers import Cursor, ParsedPage
from reviewcrawler.parsers.base import LoadMore
from reviewcrawler.progress import TitleProgress

TITLE = "tt0396184"
SITE = "https://www.imdb.com"
PAGE_URL = f"{SITE}/title/{TITLE}/reviews/"
GRAPHQL = ReviewsQuery.checked("https://caching.graphql.imdb.com/", "a" * 64, SITE, "newest")
LOG = logging.getLogger("tests.paging")


def paging(order: str = "helpful", **limits: object) -> Paging:
    settings: dict[str, object] = {
        "order": order,
        "full": False,
        "max_pages": None,
        "page_cap": 5000,
        "graphql": GRAPHQL,
    }
    settings.update(limits)
    return Paging(**settings, stats=MemoryStatsCollector(get_crawler()), log=LOG)


def ours(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOG.name]


def page(*dates: str, next_page: object = None, layout: str = "legacy", **fields: object):
    reviews = [
        Review(review_id=f"rw{index}", title_id=TITLE, date=date)
        for index, date in enumerate(dates, 1)
    ]
    return ParsedPage(layout, reviews=reviews, next_page=next_page, **fields)


LOAD_MORE = LoadMore(f"/title/{TITLE}/reviews/_ajax", "key-2")


def title() -> TitleProgress:
    return TitleProgress(TITLE, "www.imdb.com")


def test_a_load_more_widget_leads_to_its_fragment_in_the_page_order():
    progress, parsed = title(), page("2024-01-02", next_page=LOAD_MORE)
    brought_new = progress.read(parsed)
    url = paging().after(
        parsed,
        f"{PAGE_URL}?sort=submissionDate&dir=desc",
        progress,
        fresh=1,
        brought_new=brought_new,
    )
    assert url is not None
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("www.imdb.com", f"/title/{TITLE}/reviews/_ajax")
    query = parse_qs(parts.query)
    assert query["paginationKey"] == ["key-2"]
    assert query["sort"] == ["submissionDate"] and query["dir"] == ["desc"]
    assert not progress.complete and progress.shortfall is None


def test_a_cursor_leads_to_the_graphql_call_after_it():
    progress, parsed = title(), page("2024-01-02", next_page=Cursor(TITLE, "abc"))
    url = paging().after(parsed, PAGE_URL, progress, fresh=1, brought_new=progress.read(parsed))
    assert url is not None
    assert GRAPHQL.title_of(url) == TITLE
    assert '"after":"abc"' in parse_qs(urlsplit(url).query)["variables"][0]


def test_the_last_page_completes_the_title():
    progress, parsed = title(), page("2024-01-02")
    assert paging().after(parsed, PAGE_URL, progress, fresh=1, brought_new=True) is None
    assert progress.complete and progress.shortfall is None


def test_a_cut_off_page_stops_the_title_short_even_with_a_next_page():
    progress, parsed = title(), page("2024-01-02", next_page=LOAD_MORE, truncated=True)
    assert paging().after(parsed, PAGE_URL, progress, fresh=1, brought_new=True) is None
    assert not progress.complete
    assert progress.shortfall == "a page was cut off, so whether more pages follow is unknown"


def test_a_later_page_with_nothing_new_stops_the_title(caplog):
    progress, parsed = title(), page("2024-01-02", next_page=LOAD_MORE)
    progress.pages = 1
    progress.saw(["rw1"])
    with caplog.at_level(logging.WARNING):
        url = paging().after(parsed, PAGE_URL, progress, fresh=0, brought_new=progress.read(parsed))
    assert url is None
    assert progress.shortfall == "pagination brought nothing new"
    assert "page 2 brought no review not already seen" in caplog.text


@pytest.mark.parametrize(
    ("limits", "shortfall", "level"),
    [
        ({"page_cap": 2}, "stopped by MAX_PAGES_PER_TITLE=2; more pages offered", "WARNING"),
        ({"max_pages": 2}, "stopped by max_pages=2; more pages remain", "INFO"),
    ],
)
def test_a_title_stops_at_its_page_limit(caplog, limits, shortfall, level):
    rules = paging(**limits)
    progress = title()
    urls = []
    with caplog.at_level(logging.INFO):
        for number in (1, 2):
            parsed = page(f"2024-01-0{3 - number}", next_page=LOAD_MORE)
            parsed.reviews[0].review_id = f"rw{number}"
            new = progress.read(parsed)
            urls.append(rules.after(parsed, PAGE_URL, progress, fresh=1, brought_new=new))
    assert urls[0] is not None and urls[1] is None
    assert progress.shortfall == shortfall
    assert [r.levelname for r in ours(caplog)] == [level]


def test_a_next_page_on_another_host_is_refused_and_counted(caplog):
    rules = paging()
    progress = title()
    parsed = page("2024-01-02", next_page=LoadMore("https://evil.example/x/_ajax", "k"))
    with caplog.at_level(logging.WARNING):
        url = rules.after(parsed, PAGE_URL, progress, fresh=1, brought_new=progress.read(parsed))
    assert url is None
    assert rules.stats.get_value(LINKS_REFUSED_KEY) == 1
    assert progress.shortfall is not None
    assert progress.shortfall.startswith("refused to follow 'https://evil.example/x/_ajax")
    assert "refused to follow" in caplog.text


def test_a_review_page_of_the_title_is_not_refused():
    rules = paging()
    assert rules.refuses(f"{PAGE_URL}?sort=submissionDate", title()) is None
    assert rules.stats.get_value(LINKS_REFUSED_KEY) is None


def test_newest_first_stops_at_a_page_that_brings_nothing_new():
    progress = title()
    progress.may_stop_when_caught_up = True
    parsed = page("2024-01-03", "2024-01-02", next_page=LOAD_MORE)
    url = paging("newest").after(
        parsed, PAGE_URL, progress, fresh=0, brought_new=progress.read(parsed)
    )
    assert url is None
    assert progress.caught_up and progress.complete
    assert progress.newest_date == "2024-01-03"


def test_a_page_with_a_fresh_review_goes_on():
    progress = title()
    progress.may_stop_when_caught_up = True
    parsed = page("2024-01-03", next_page=LOAD_MORE)
    url = paging("newest").after(
        parsed, PAGE_URL, progress, fresh=1, brought_new=progress.read(parsed)
    )
    assert url is not None and not progress.caught_up


def test_a_page_out_of_newest_order_reads_the_title_to_its_end(caplog):
    progress = title()
    progress.may_stop_when_caught_up = True
    parsed = page("2024-01-02", "2024-01-03", next_page=LOAD_MORE)
    with caplog.at_level(logging.WARNING):
        url = paging("newest").after(
            parsed, PAGE_URL, progress, fresh=0, brought_new=progress.read(parsed)
        )
    assert url is not None
    assert not progress.may_stop_when_caught_up and not progress.caught_up
    assert "page 1 is not newest first; reading the title to its end" in caplog.text


def test_a_current_first_page_out_of_order_is_read_again_from_the_query():
    progress = title()
    parsed = page("2024-01-02", "2024-01-03", layout="current", next_page=Cursor(TITLE, "c1"))
    url = paging("newest").after(
        parsed, PAGE_URL, progress, fresh=2, brought_new=progress.read(parsed)
    )
    assert url is not None and GRAPHQL.title_of(url) == TITLE
    assert "after" not in parse_qs(urlsplit(url).query)["variables"][0]
    assert progress.seen == set() and progress.last_date is None


@pytest.mark.parametrize(
    ("order", "full", "state", "may_stop"),
    [
        ("newest", False, TitleState(TITLE, "r1", True, "r1", "newest"), True),
        ("newest", True, TitleState(TITLE, "r1", True, "r1", "newest"), False),
        ("newest", False, TitleState(TITLE, "r1", False, None, "newest"), False),
        ("newest", False, None, False),
        ("helpful", False, TitleState(TITLE, "r1", True, "r1", "newest"), False),
    ],
)
def test_only_a_title_archived_whole_may_stop_when_caught_up(order, full, state, may_stop):
    progress = title()
    paging(order, full=full).first_url(PAGE_URL, progress, state)
    assert progress.may_stop_when_caught_up is may_stop


def test_the_first_page_is_asked_in_the_layout_the_archive_saw():
    rules = paging("newest")
    current = TitleState(TITLE, "r1", True, "r1", "newest", layout="current")
    legacy = parse_qs(urlsplit(rules.first_url(PAGE_URL, title(), None)).query)
    assert legacy["sort"] == ["submissionDate"] and legacy["dir"] == ["desc"]
    assert parse_qs(urlsplit(rules.first_url(PAGE_URL, title(), current)).query) == {
        "sort": ["submission_date,desc"]
    }
    assert rules.first_url(PAGE_URL, title(), None) != PAGE_URL
    assert paging("helpful").first_url(PAGE_URL, title(), None) == PAGE_URL


class Archive:
    def __init__(self, *held: Review) -> None:
        self.held = [as_record(review) for review in held]

    def holds(self, record):
        return record in self.held

    def title_state(self, title_id):
        return None


def test_fresh_reviews_are_those_the_archive_does_not_hold_as_they_are():
    parsed = page("2024-01-03", "2024-01-02")
    progress = title()
    archive = Archive(parsed.reviews[0])
    assert fresh_reviews(parsed.reviews, progress, archive) == 2  # not asked: may not stop
    progress.may_stop_when_caught_up = True
    assert fresh_reviews(parsed.reviews, progress, archive) == 1
    assert fresh_reviews(parsed.reviews, progress, None) == 2


@pytest.mark.parametrize(
    ("stop", "line", "shortfall"),
    [
        (
            "unreadable",
            f"{TITLE}: {PAGE_URL}: no reviews; title incomplete",
            f"{PAGE_URL}: no reviews",
        ),
        (
            "unfetched",
            f"{TITLE}: could not read {PAGE_URL} (no reviews); title incomplete",
            f"could not read {PAGE_URL} (no reviews)",
        ),
    ],
)
def test_a_page_without_reviews_stops_its_title_with_one_line(caplog, stop, line, shortfall):
    progress = title()
    with caplog.at_level(logging.WARNING):
        getattr(paging(), stop)(progress, PAGE_URL, "no reviews")
    assert [r.getMessage() for r in ours(caplog)] == [line]
    assert progress.shortfall == shortfall and not progress.complete


def test_a_graphql_call_is_named_by_its_cursor_when_the_pages_loop(caplog):
    progress = title()
    url = GRAPHQL.page_url(TITLE, "cursor")
    with caplog.at_level(logging.WARNING):
        paging().looped(progress, url)
    assert url not in caplog.text
    assert f"for {TITLE} after cursor" in caplog.text
    assert progress.shortfall is not None
    assert progress.shortfall.endswith("was already requested (the pages loop)")
