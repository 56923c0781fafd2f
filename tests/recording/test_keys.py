"""Replay matches URLs canonically: what may differ between a recording and a replay."""

from __future__ import annotations

import pytest

from reviewcrawler.recording import canonical_url

PAGE_2 = "https://www.imdb.com/title/tt0396184/reviews/_ajax?ref_=undefined&paginationKey=abc"


@pytest.mark.parametrize(
    "variant",
    [
        PAGE_2,
        "http://www.imdb.com/title/tt0396184/reviews/_ajax?ref_=undefined&paginationKey=abc",
        "https://www.imdb.com/title/tt0396184/reviews/_ajax?paginationKey=abc",
        "https://www.imdb.com/title/tt0396184/reviews/_ajax?paginationKey=abc&ref_=tt_urv",
        "https://www.imdb.com/title/tt0396184/reviews/_ajax/?paginationKey=abc",
        "https://WWW.IMDB.COM/title/tt0396184/reviews/_ajax?paginationKey=abc#top",
    ],
)
def test_scheme_ref_parameters_order_and_trailing_slash_do_not_matter(variant):
    assert canonical_url(variant) == canonical_url(PAGE_2)


@pytest.mark.parametrize(
    "other",
    [
        "https://www.imdb.com/title/tt0396184/reviews/_ajax?paginationKey=abd",
        "https://www.imdb.com/title/tt0396184/reviews/_ajax",
        "https://www.imdb.com/title/tt0396185/reviews/_ajax?paginationKey=abc",
        "https://m.imdb.com/title/tt0396184/reviews/_ajax?paginationKey=abc",
        "https://www.imdb.com/title/tt0396184/reviews/_ajax?paginationKey=abc&sort=date",
    ],
)
def test_anything_else_is_another_page(other):
    assert canonical_url(other) != canonical_url(PAGE_2)


def test_first_page_with_and_without_slash_or_ref():
    assert canonical_url("https://www.imdb.com/title/tt0396184/reviews") == canonical_url(
        "http://www.imdb.com/title/tt0396184/reviews/?ref_=tt_urv"
    )
