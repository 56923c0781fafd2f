"""Crawling a title on the current site: page 1, then IMDb's GraphQL pages, and the
ways IMDb withholds a page (a rotated hash, a robot check, a sign-in wall)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.outcome import ExitStatus, exit_status
from reviewcrawler.parsers import ReviewsQuery
from tests import currentpages
from tests.conftest import crawl, site_settings
from tests.currentpages import CURSORS, PAGE_1_PATH, TITLE_ID
from tests.localsite import JSON, Reply
from tests.parsers.test_detection import ROBOT_CHECK_PAGE, SIGN_IN_WALL_PAGE

TITLE_STATS = f"reviewcrawler/title/{TITLE_ID}"
HASH = "0123456789abcdef" * 4
CHALLENGE = {"x-amzn-waf-action": "challenge"}


def records(result) -> list[dict]:
    per_run = ("source_url", "scraped_at")
    return [{k: v for k, v in asdict(item).items() if k not in per_run} for item in result.items]


def incomplete_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().endswith("title incomplete")]


@pytest_twisted.inlineCallbacks
def test_a_current_title_is_read_through_its_graphql_pages_to_the_last(local_site):
    targets = currentpages.serve(local_site)
    settings = site_settings(local_site, IMDB_GRAPHQL_HASH=HASH)
    result = yield deferred_from_coro(crawl(settings, order="helpful", title=TITLE_ID))
    assert sorted(records(result), key=lambda r: r["review_id"]) == sorted(
        currentpages.expected(), key=lambda r: r["review_id"]
    )
    assert [len(local_site.hits_of(target)) for target in targets] == [1, 1, 1]
    for hit in local_site.graphql_hits():
        assert hit.headers["Content-Type"] == "application/json"
        assert hit.headers["Origin"] == local_site.url
        assert hit.headers["Referer"] == f"{local_site.url}/title/{TITLE_ID}/reviews/"
    sent = next(item.source_url for item in result.items if item.review_id == "rw2013560")
    query = {name: values[0] for name, values in parse_qs(urlsplit(sent).query).items()}
    variables, extensions = json.loads(query["variables"]), json.loads(query["extensions"])
    assert query["operationName"] == "TitleReviewsRefine"
    assert variables["after"] == CURSORS[1]
    assert variables["const"] == TITLE_ID
    assert extensions["persistedQuery"]["sha256Hash"] == HASH
    stats = result.stats
    assert stats[f"{TITLE_STATS}/pages"] == 3
    assert stats[f"{TITLE_STATS}/reviews"] == 11
    assert stats[f"{TITLE_STATS}/complete"] == 1
    assert stats["reviewcrawler/pages/graphql"] == 2
    assert exit_status(stats) is ExitStatus.COMPLETE


@pytest_twisted.inlineCallbacks
def test_max_pages_counts_graphql_pages(local_site, caplog):
    targets = currentpages.serve(local_site)
    caplog.set_level(logging.INFO)
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID, max_pages="2")
    )
    assert len(result.items) == 6 + 3
    assert local_site.hits_of(targets[2]) == []
    assert result.stats[f"{TITLE_STATS}/pages"] == 2
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert f"{TITLE_ID}: stopping after 2 page(s) (max_pages)" in caplog.text


HASH_UNKNOWN = json.dumps(
    {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(HASH_UNKNOWN, content_type=JSON),
        Reply(HASH_UNKNOWN, status=400, content_type=JSON),
        Reply("Not Found", status=404, content_type="text/plain"),
    ],
    ids=["persisted-query-not-found", "http-400", "http-404"],
)
@pytest_twisted.inlineCallbacks
def test_a_rejected_hash_stops_the_title_saying_to_update_the_setting(local_site, caplog, reply):
    targets = currentpages.serve(local_site)
    local_site.serve(targets[1], reply)
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert len(result.items) == 6  # page 1 is kept
    assert len(local_site.hits_of(targets[1])) == 1  # no retries
    assert local_site.hits_of(targets[2]) == []
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    [line] = incomplete_lines(caplog)
    assert line.startswith(f"{TITLE_ID}: ")
    assert "IMDb's GraphQL endpoint rejected the review query" in line
    assert "set IMDB_GRAPHQL_HASH to the current one" in line


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply("", status=202, headers=CHALLENGE), "AWS WAF challenge, HTTP 202"),
        (Reply(ROBOT_CHECK_PAGE, status=202, headers=CHALLENGE), "AWS WAF challenge, HTTP 202"),
        (Reply("", status=202), "HTTP 202 and no page"),
        (Reply(ROBOT_CHECK_PAGE), "robot check (AWS WAF challenge) instead of the page"),
        (Reply("", status=405, headers={"x-amzn-waf-action": "captcha"}), "AWS WAF captcha"),
        (Reply(SIGN_IN_WALL_PAGE), "IMDb's sign-in wall"),
    ],
    ids=["202-header", "202-gokuprops", "202-bare", "gokuprops-200", "405-captcha", "sign-in"],
)
@pytest_twisted.inlineCallbacks
def test_a_withheld_first_page_stops_the_title_incomplete_with_why(
    local_site, caplog, reply, words
):
    currentpages.serve(local_site)
    local_site.serve(PAGE_1_PATH, reply)
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert result.items == []
    assert len(local_site.hits_of(PAGE_1_PATH)) == 1  # neither retried nor read as a page
    assert local_site.graphql_hits() == []
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    [line] = incomplete_lines(caplog)
    assert line.startswith(f"{TITLE_ID}: ")
    assert words in line


@pytest_twisted.inlineCallbacks
def test_a_robot_check_on_a_graphql_page_keeps_what_was_read(local_site, caplog):
    targets = currentpages.serve(local_site)
    local_site.serve(targets[2], Reply("", status=202, headers=CHALLENGE))
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID)
    )
    assert len(result.items) == 6 + 3
    assert result.stats["reviewcrawler/pages_blocked"] == 1
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    [line] = incomplete_lines(caplog)
    assert "robot check (AWS WAF challenge, HTTP 202)" in line


@pytest_twisted.inlineCallbacks
def test_the_graphql_endpoint_may_be_its_own_host_but_no_other_host_is_called(local_site, caplog):
    targets = currentpages.serve(local_site)
    # "localhost" is another host than the start host 127.0.0.1 (the same server).
    endpoint = local_site.graphql_url.replace("127.0.0.1", "localhost")
    elsewhere = ReviewsQuery.checked("http://elsewhere.example/", HASH, local_site.url).page_url(
        TITLE_ID, CURSORS[1]
    )
    local_site.serve(targets[2], Reply(status=302, headers={"Location": elsewhere}))
    settings = site_settings(local_site, IMDB_GRAPHQL_URL=endpoint)
    result = yield deferred_from_coro(crawl(settings, order="helpful", title=TITLE_ID))
    assert len(result.items) == 6 + 3
    assert [hit.headers["Host"].split(":")[0] for hit in local_site.graphql_hits()] == [
        "localhost",
        "localhost",
    ]
    assert result.stats["reviewcrawler/links_refused"] == 1
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert f"{TITLE_ID}: refused to follow {elsewhere!r}: host 'elsewhere.example'" in caplog.text
