"""Why a request got no response, in words, from Scrapy's failures."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from reviewcrawler.crawl.failures import failure_reason, title_page_failure_reason
from reviewcrawler.crawl.graphql import ReviewsQuery

SITE = "https://www.imdb.com"
PAGE_URL = f"{SITE}/title/tt0396184/reviews/"
GRAPHQL = ReviewsQuery.checked("https://caching.graphql.imdb.com/", "a" * 64, SITE)


def http_error(url: str, status: int, headers: dict[str, str] | None = None) -> Failure:
    response = HtmlResponse(url, status=status, headers=headers, request=Request(url))
    return Failure(HttpError(response, "Ignoring non-200 response"))


def test_an_http_error_is_its_status():
    assert failure_reason(http_error(PAGE_URL, 503)) == "HTTP 503"
    assert title_page_failure_reason(http_error(PAGE_URL, 404), GRAPHQL) == "HTTP 404"


def test_robots_txt_is_named_in_words():
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    assert failure_reason(failure) == "the site's robots.txt forbids fetching it"


def test_another_failure_is_its_message_or_its_type():
    assert failure_reason(Failure(IgnoreRequest("no replay"))) == "no replay"
    assert failure_reason(Failure(IgnoreRequest())) == "IgnoreRequest"
    assert "Connection was refused" in failure_reason(Failure(ConnectionRefusedError()))


def test_a_robot_check_status_is_told_as_one():
    failure = http_error(PAGE_URL, 405, {"x-amzn-waf-action": "challenge"})
    reason = title_page_failure_reason(failure, GRAPHQL)
    assert reason.startswith("robot check (AWS WAF challenge, HTTP 405)")


def test_a_4xx_from_the_graphql_endpoint_is_a_rejected_query():
    url = GRAPHQL.page_url("tt0396184", None)
    reason = title_page_failure_reason(http_error(url, 400), GRAPHQL)
    assert reason != "HTTP 400" and "HTTP 400" in reason
    # A rate limit is no rejection of the query, and a review page's 4xx is its status.
    assert title_page_failure_reason(http_error(url, 429), GRAPHQL) == "HTTP 429"
    assert title_page_failure_reason(http_error(url, 400), None) == "HTTP 400"
