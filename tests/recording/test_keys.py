"""Replay matches URLs canonically: what may differ between a recording and a replay."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from reviewcrawler.parsers import ReviewsQuery
from reviewcrawler.recording import canonical_url
from reviewcrawler.recording.keys import without_host

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


# GraphQL GETs: the current layout's further pages -------------------------------------

GRAPHQL = ReviewsQuery.checked("https://caching.graphql.imdb.com/", "a" * 64, "https://x")
CALL = GRAPHQL.page_url("tt0396184", "g4xcursor2")


def _call(variables: dict, extensions: str = '{"persistedQuery":{"sha256Hash":"b","version":1}}'):
    query = urlencode(
        {"variables": json.dumps(variables), "operationName": "TitleReviewsRefine", "ref_": "x"}
    )
    return f"http://caching.graphql.imdb.com/?{query}&extensions={quote(extensions)}"


VARIABLES = {
    "sort": {"order": "DESC", "by": "HELPFULNESS_SCORE"},
    "locale": "en-US",
    "first": 25,
    "filter": {},
    "const": "tt0396184",
    "after": "g4xcursor2",
}


def test_a_graphql_call_matches_with_its_json_written_another_way_and_another_hash():
    # Keys in another order, spaces after separators, parameters reordered, another
    # persisted-query hash (it rotates; recordings must replay after it has).
    assert canonical_url(_call(VARIABLES)) == canonical_url(CALL)


@pytest.mark.parametrize(
    "change",
    [
        {"after": "g4xcursor3"},
        {"after": None},
        {"const": "tt0117407"},
        {"locale": "de-DE"},
        {"sort": {"by": "SUBMISSION_DATE", "order": "DESC"}},
    ],
    ids=["other-cursor", "no-cursor", "other-title", "other-locale", "other-sort"],
)
def test_a_graphql_call_for_anything_else_is_another_page(change):
    assert canonical_url(_call({**VARIABLES, **change})) != canonical_url(CALL)


def test_other_operations_are_other_pages():
    other = CALL.replace("TitleReviewsRefine", "TitleMainPage")
    assert canonical_url(other) != canonical_url(CALL)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://127.0.0.1:8000/title/tt1/reviews/?ref_=x", "/title/tt1/reviews"),
        (
            "http://127.0.0.1:8000/?operationName=Q&variables=%7B%7D",
            "/?operationName=Q&variables=%7B%7D",
        ),
        ("https://caching.graphql.imdb.com/", "/"),
    ],
)
def test_without_host_keeps_path_and_query_even_at_the_root(url, path):
    assert without_host(canonical_url(url)) == path


def test_the_order_a_page_was_read_in_is_part_of_its_key():
    """A recording made newest first never answers a helpfulness-order request, nor back."""
    from reviewcrawler.urls import in_order

    page = "https://www.imdb.com/title/tt0396184/reviews/"
    newest, helpful = in_order(page, newest=True), in_order(page, newest=False)
    assert canonical_url(newest) != canonical_url(helpful)
    assert canonical_url(in_order(page, newest=True, layout="current")) != canonical_url(helpful)
    digest = "0" * 64
    queries = [
        ReviewsQuery.checked("https://caching.graphql.imdb.com/", digest, page, order)
        for order in ("newest", "helpful")
    ]
    first, second = (query.page_url("tt0396184", "cursor") for query in queries)
    for url, sort in ((first, "SUBMISSION_DATE"), (second, "HELPFULNESS_SCORE")):
        variables = json.loads(parse_qs(urlsplit(url).query)["variables"][0])
        assert variables["sort"] == {"by": sort, "order": "DESC"}
    assert canonical_url(first) != canonical_url(second)
