"""Which URLs are review pages, and which links a crawl may follow."""

from __future__ import annotations

import pytest

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
