"""Which URLs are review pages, and which links a crawl may follow."""

from __future__ import annotations

import pytest

from reviewcrawler.crawl.graphql import ReviewsQuery
from reviewcrawler.urls import refusal, review_page_title

START = "www.imdb.com"


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://www.imdb.com/title/tt0396184/reviews", "tt0396184"),
        ("http://www.imdb.com/title/tt0396184/reviews/?ref_=tt_urv", "tt0396184"),
        ("https://www.imdb.com/title/tt0396184/reviews/_ajax?paginationKey=a", "tt0396184"),
        ("https://www.imdb.com/title/tt0396184/", None),
        ("https://www.imdb.com/title/tt0396184/reviews/extra", None),
        ("file:///title/tt0396184/reviews", None),
        ("data:text/html,/title/tt0396184/reviews", None),
    ],
)
def test_review_page_title(url, title):
    assert review_page_title(url) == title


def test_the_next_page_on_the_start_host_is_followed():
    url = "https://www.imdb.com/title/tt1/reviews/_ajax?ref_=undefined&paginationKey=k"
    assert refusal(url, netloc=START, title_id="tt1") is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme 'file' is not http(s)"),
        ("data:text/html,hello", "scheme 'data' is not http(s)"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("https://evil.example/title/tt1/reviews/_ajax", "is not the start host"),
        ("https://www.imdb.com:8443/title/tt1/reviews/_ajax", "is not the start host"),
        ("https://user@www.imdb.com/title/tt1/reviews/_ajax", "is not the start host"),
        ("https://www.imdb.com/title/tt2/reviews/_ajax", "not a review page of tt1"),
        ("https://www.imdb.com/registration/signin", "not a review page of tt1"),
    ],
)
def test_everything_else_is_refused_with_a_reason(url, reason):
    assert reason in (refusal(url, netloc=START, title_id="tt1") or "")


# The GraphQL endpoint: the configured host, the review query, the crawled title -------

GRAPHQL = ReviewsQuery.checked("https://caching.graphql.imdb.com/", "a" * 64, "https://x")


def test_the_review_query_for_the_title_is_followed_on_the_configured_endpoint():
    url = GRAPHQL.page_url("tt1", "cursor")
    assert refusal(url, netloc=START, title_id="tt1", endpoint=GRAPHQL) is None
    # Without the endpoint configured, it is just another host.
    assert refusal(url, netloc=START, title_id="tt1") == (
        "host 'caching.graphql.imdb.com' is not the start host 'www.imdb.com'"
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (GRAPHQL.page_url("tt2", "cursor"), "the review call asks for tt2, not tt1"),
        (
            GRAPHQL.page_url("tt1", "c").replace("TitleReviewsRefine", "TitleMainPage"),
            "not a review call of the API endpoint 'caching.graphql.imdb.com'",
        ),
        (
            GRAPHQL.page_url("tt1", "c").replace("caching.graphql", "api.graphql"),
            "host 'api.graphql.imdb.com' is not the start host 'www.imdb.com'",
        ),
        (
            GRAPHQL.page_url("tt1", "c").replace("https://", "file://"),
            "scheme 'file' is not http(s)",
        ),
    ],
    ids=["other-title", "other-operation", "other-host", "file"],
)
def test_nothing_else_on_or_off_the_endpoint_is(url, why):
    assert refusal(url, netloc=START, title_id="tt1", endpoint=GRAPHQL) == why


def test_an_endpoint_on_the_start_host_still_lets_review_pages_through():
    local = ReviewsQuery.checked("http://127.0.0.1:8000/", "a" * 64, "http://127.0.0.1:8000")
    page = "http://127.0.0.1:8000/title/tt1/reviews/_ajax?paginationKey=k"
    assert refusal(page, netloc="127.0.0.1:8000", title_id="tt1", endpoint=local) is None
    other = "http://127.0.0.1:8000/registration/signin"
    assert "is not a review page" in refusal(
        other, netloc="127.0.0.1:8000", title_id="tt1", endpoint=local
    )
