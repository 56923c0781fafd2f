"""Crawling a title from a local imdb.com-shaped server: pagination, limits, safety."""

from __future__ import annotations

import logging

import pytest
import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.outcome import ExitStatus, exit_status
from tests.conftest import crawl, site_settings
from tests.legacypages import MOVIE_TITLE, MOVIE_YEAR, TITLE_ID, first_page, fragment
from tests.localsite import Reply

THREE_PAGES = [range(1, 4), range(4, 7), range(7, 9)]
TITLE_STATS = f"reviewcrawler/title/{TITLE_ID}"


def review_ids(numbers: range | list[int]) -> list[str]:
    return [f"rw{1_000_000 + n}" for n in numbers]


def scraped_ids(result) -> list[str]:
    return sorted(item.review_id for item in result.items)


@pytest_twisted.inlineCallbacks
def test_title_crawl_follows_the_load_more_widget_to_the_last_page(local_site):
    paths = local_site.serve_title(THREE_PAGES)
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert scraped_ids(result) == review_ids(range(1, 9))
    # Fragments do not show the title; it is carried over from page 1.
    assert {(item.movie_title, item.movie_year) for item in result.items} == {
        (MOVIE_TITLE, MOVIE_YEAR)
    }
    assert [len(local_site.hits_of(path)) for path in paths] == [1, 1, 1]
    # As the browser widget asks for a page: ref_=undefined, then the key.
    page_2 = next(item for item in result.items if item.review_id == review_ids([4])[0])
    assert page_2.source_url.endswith("/reviews/_ajax?ref_=undefined&paginationKey=key2")
    stats = result.stats
    assert stats[f"{TITLE_STATS}/pages"] == 3
    assert stats[f"{TITLE_STATS}/reviews"] == 8
    assert stats[f"{TITLE_STATS}/complete"] == 1
    assert stats["reviewcrawler/titles_incomplete"] == 0
    assert exit_status(stats) is ExitStatus.COMPLETE


@pytest_twisted.inlineCallbacks
def test_max_pages_stops_early_and_leaves_the_title_incomplete(local_site, caplog):
    paths = local_site.serve_title(THREE_PAGES)
    caplog.set_level(logging.INFO)
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID, max_pages="1")
    )
    assert scraped_ids(result) == review_ids(range(1, 4))
    assert local_site.hits_of(paths[1]) == []
    assert result.stats[f"{TITLE_STATS}/pages"] == 1
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert result.stats["reviewcrawler/titles_incomplete"] == 1
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert f"{TITLE_ID}: stopping after 1 page(s) (max_pages)" in caplog.text


@pytest_twisted.inlineCallbacks
def test_url_argument_starts_at_the_given_page_and_titles_are_counted_apart(local_site):
    local_site.serve_title(THREE_PAGES)
    local_site.serve_title([range(20, 22)], title_id="tt0000002")
    start = f"{local_site.url}/title/{TITLE_ID}/reviews/_ajax?paginationKey=key2&ref_=x"
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title="tt0000002", url=start)
    )
    assert scraped_ids(result) == review_ids([*range(4, 9), *range(20, 22)])
    assert result.stats[f"{TITLE_STATS}/pages"] == 2
    assert result.stats[f"{TITLE_STATS}/complete"] == 1
    assert result.stats["reviewcrawler/title/tt0000002/pages"] == 1
    assert result.stats["reviewcrawler/titles_incomplete"] == 0


@pytest_twisted.inlineCallbacks
def test_robots_txt_disallowing_reviews_stops_the_title_with_a_clear_message(local_site, caplog):
    paths = local_site.serve_title(THREE_PAGES)
    local_site.serve(
        "/robots.txt", Reply("User-agent: *\nDisallow: /title/\n", content_type="text/plain")
    )
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert result.items == []
    assert local_site.hits_of(paths[0]) == []
    assert result.stats["robotstxt/forbidden"] == 1
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert f"{TITLE_ID}: could not read {local_site.url}/title/{TITLE_ID}/reviews/ " in caplog.text
    assert "robots.txt forbids fetching it" in caplog.text


@pytest_twisted.inlineCallbacks
def test_a_page_that_cannot_be_had_leaves_its_title_incomplete(local_site, caplog):
    paths = local_site.serve_title(THREE_PAGES)
    local_site.serve(paths[1], Reply("gone", status=404))
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert scraped_ids(result) == review_ids(range(1, 4))
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert "(HTTP 404); title incomplete" in caplog.text


@pytest.mark.parametrize(
    "ajax_url",
    [
        "http://elsewhere.example/title/tt0396184/reviews/_ajax",
        "//127.0.0.2/title/tt0396184/reviews/_ajax",
        "file:///etc/passwd",
        "data:text/html,<div class='load-more-data' data-key='x'></div>",
        "javascript:alert(1)",
        "/title/tt0000001/reviews/_ajax",
        "/registration/signin",
    ],
)
@pytest_twisted.inlineCallbacks
def test_links_off_the_start_host_or_off_review_pages_are_never_followed(
    local_site, caplog, ajax_url
):
    hostile = first_page(range(1, 3), "key2", ajax_url=ajax_url).replace(
        "</body>",
        '<a href="file:///etc/passwd">x</a><a href="http://elsewhere.example/">y</a></body>',
    )
    local_site.serve(f"/title/{TITLE_ID}/reviews", Reply(hostile))
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert scraped_ids(result) == review_ids(range(1, 3))
    assert {hit.path for hit in local_site.hits} == {"/robots.txt", f"/title/{TITLE_ID}/reviews"}
    assert result.stats["reviewcrawler/links_refused"] == 1
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert f"{TITLE_ID}: refused to follow" in caplog.text


@pytest_twisted.inlineCallbacks
def test_saved_pages_are_read_without_fetching_what_they_link_to(local_site, tmp_path):
    saved = tmp_path / "page1.html"
    saved.write_text(
        first_page(
            range(1, 3), "key2", ajax_url=f"{local_site.url}/title/{TITLE_ID}/reviews/_ajax"
        ),
        encoding="utf-8",
    )
    result = yield deferred_from_coro(crawl(site_settings(local_site), path=str(saved)))
    assert scraped_ids(result) == review_ids(range(1, 3))
    assert local_site.hits == []
    assert "reviewcrawler/titles_incomplete" not in result.stats


@pytest_twisted.inlineCallbacks
def test_a_redirect_to_another_host_is_not_followed(local_site, caplog):
    paths = local_site.serve_title(THREE_PAGES)
    elsewhere = f"http://elsewhere.example/title/{TITLE_ID}/reviews/_ajax?paginationKey=key2"
    local_site.serve(paths[1], Reply(status=302, headers={"Location": elsewhere}))
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert scraped_ids(result) == review_ids(range(1, 4))
    assert result.stats["reviewcrawler/links_refused"] == 1
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert f"{TITLE_ID}: refused to follow {elsewhere!r}: host 'elsewhere.example'" in caplog.text


@pytest_twisted.inlineCallbacks
def test_a_next_page_that_loops_back_ends_the_title_incomplete(local_site, caplog):
    paths = local_site.serve_title(THREE_PAGES)
    looping = fragment(range(4, 7), "key2")  # page 2 names itself as the next page
    local_site.serve(paths[1], Reply(looping))
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert scraped_ids(result) == review_ids(range(1, 7))
    assert len(local_site.hits_of(paths[1])) == 1
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert "was already requested in this run (the pages loop)" in caplog.text
