"""Bounded work: detection linear in the page, runaway pagination ends the title."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

import pytest_twisted
from scrapy.http import HtmlResponse
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.outcome import ExitStatus, exit_status
from reviewcrawler.parsers import looks_truncated, parser_for, why_not_html, why_unreadable
from tests.conftest import crawl, fixture_path, site_settings
from tests.legacypages import TITLE_ID, first_page, fragment
from tests.localsite import Reply
from tests.pages import render_page, review

SMALL, LARGE = 500, 5_000


def current_page(cards: int) -> str:
    """A current-layout page of `cards` review cards (the fixture's, repeated)."""
    html = fixture_path("current", "pusher2-2026.html").read_text(encoding="utf-8")
    found = re.findall(r"<article.*?</article>", html, re.S)
    head, tail = html.split(found[0], 1)[0], html.rsplit(found[-1], 1)[1]
    return head + "".join(found[n % len(found)] for n in range(cards)) + tail


def unknown_page(blocks: int) -> str:
    """No review page, but with review links throughout: every check runs in full."""
    links = "<div class='x'><a href='/review/rw1/'>a review</a><p>text</p></div>" * blocks
    return f"<html><head><title>t</title></head><body>{links}</body></html>"


def legacy_page(reviews: int) -> str:
    return render_page([review(n) for n in range(reviews)])


def parsed(html: str) -> HtmlResponse:
    """A response to `html`, its markup parsed already: what detection gets from Scrapy."""
    response = HtmlResponse("file:///page.html", body=html.encode("utf-8"), encoding="utf-8")
    assert response.selector is not None
    return response


def detection_seconds(response: HtmlResponse) -> float:
    """What the spider does to a page before a parser reads it, in CPU seconds (this
    process's: other processes on a loaded machine do not count)."""
    page = response.selector
    started = time.process_time()
    assert why_not_html(response) is None
    looks_truncated(response.text)
    if parser_for(page) is None:
        why_unreadable(page)
    return time.process_time() - started


def test_layout_detection_grows_linearly_with_the_page():
    for make in (current_page, unknown_page, legacy_page):
        small_page, large_page = parsed(make(SMALL)), parsed(make(LARGE))
        # The fastest of a few tries: a ratio of costs, not of a busy machine's delays.
        small = min(detection_seconds(small_page) for _ in range(3))
        large = min(detection_seconds(large_page) for _ in range(2))
        # Linear: about 10 times; the quadratic merge it replaced took over 100 times.
        assert large < 30 * max(small, 0.005), (make.__name__, small, large)


def serve_endless(site, reviews: Callable[[int], range]) -> None:
    """Page 1 and 60 further pages, each naming a next one; `reviews(n)` on page n."""
    site.serve(f"/title/{TITLE_ID}/reviews", Reply(first_page(reviews(1), "key2")))
    for number in range(2, 62):
        site.serve(
            f"/title/{TITLE_ID}/reviews/_ajax?paginationKey=key{number}",
            Reply(fragment(reviews(number), f"key{number + 1}")),
        )


@pytest_twisted.inlineCallbacks
def test_pagination_that_brings_nothing_new_ends_the_title(local_site, caplog):
    # New keys for ever, the same reviews every time.
    serve_endless(local_site, lambda number: range(1, 4))
    caplog.set_level(logging.INFO)
    result = yield deferred_from_coro(crawl(site_settings(local_site), title=TITLE_ID))
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert result.stats[f"reviewcrawler/title/{TITLE_ID}/pages"] == 2
    assert len(result.items) == 3  # nothing valid lost
    (summary,) = [line for line in caplog.text.splitlines() if "INCOMPLETE" in line]
    assert summary.endswith(
        f"{TITLE_ID}: INCOMPLETE after 2 page(s), 6 review(s): pagination brought nothing new"
    )
    assert "Traceback" not in caplog.text


@pytest_twisted.inlineCallbacks
def test_max_pages_per_title_ends_runaway_pagination(local_site, caplog):
    # New keys and new reviews for ever.
    serve_endless(local_site, lambda number: range(number * 10, number * 10 + 2))
    caplog.set_level(logging.INFO)
    result = yield deferred_from_coro(
        crawl(site_settings(local_site, MAX_PAGES_PER_TITLE=5), title=TITLE_ID)
    )
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert result.stats[f"reviewcrawler/title/{TITLE_ID}/pages"] == 5
    assert len(result.items) == 10
    assert "stopped by MAX_PAGES_PER_TITLE=5; more pages offered" in caplog.text
