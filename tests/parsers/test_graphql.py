"""The current layout's pagination: the page's cursor, the GraphQL call it leads
to, and the answers (their records are checked field by field by test_goldens)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse, JsonResponse, Response

from reviewcrawler import settings
from reviewcrawler.parsers import (
    NOT_A_REVIEW_PAGE,
    CurrentReviewPage,
    GraphqlReviewPage,
    PageContext,
    ParsedPage,
    ReviewsQuery,
    parser_for,
    why_unreadable,
    why_withheld,
)
from tests.conftest import fixture_path

TITLE_ID = "tt0396184"
QUERY = ReviewsQuery.checked(
    settings.IMDB_GRAPHQL_URL, settings.IMDB_GRAPHQL_HASH, settings.IMDB_BASE_URL
)
PAGE_1 = fixture_path("current", "pusher2-2026.html")
PAGE_2 = fixture_path("current", "graphql", "pusher2-page2.json")
PAGE_3 = fixture_path("current", "graphql", "pusher2-page3.json")
PAGE_1_CURSOR = (
    "g4xAqZ3bN7kW2pV9sT1mR8cY5hL0dF6jE4uO2iK7nB3vX9zQ1wP5tG8yH2aS6rD0fJ3lC7eM4oU9qI1bN5kT2xW8zA6vR3"
)
PAGE_2_CURSOR = json.loads(PAGE_2.read_text(encoding="utf-8"))["data"]["title"]["reviews"][
    "pageInfo"
]["endCursor"]


def context(url: str, **values) -> PageContext:
    return PageContext(url=url, scraped_at="2026-01-01T00:00:00+00:00", **values)


def answer(body: dict | bytes, url: str | None = None) -> JsonResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return JsonResponse(url=url or QUERY.page_url(TITLE_ID, PAGE_1_CURSOR), body=raw)


def parse_answer(body: dict | bytes, **values) -> ParsedPage:
    response = answer(body)
    values.setdefault("title_id", TITLE_ID)
    return GraphqlReviewPage.parse(response.selector, context(response.url, **values))


def query_of(url: str) -> dict[str, object]:
    params = parse_qs(urlsplit(url).query)
    assert set(params) == {"operationName", "variables", "extensions"}
    return {name: values[0] for name, values in params.items()}


# The call ------------------------------------------------------------------------------


def test_a_page_url_is_the_browser_get_of_the_persisted_query():
    url = QUERY.page_url(TITLE_ID, "g4xcursor/with+odd=chars")
    assert url.startswith("https://caching.graphql.imdb.com/?operationName=TitleReviewsRefine&")
    params = query_of(url)
    assert json.loads(params["variables"]) == {
        "after": "g4xcursor/with+odd=chars",
        "const": TITLE_ID,
        "filter": {},
        "first": 25,
        "locale": "en-US",
        "sort": {"by": "HELPFULNESS_SCORE", "order": "DESC"},
    }
    # Compact, keys sorted: the form the page's own script sends.
    assert params["variables"].startswith('{"after":"g4xcursor/with+odd=chars","const":')
    assert json.loads(params["extensions"]) == {
        "persistedQuery": {"sha256Hash": settings.IMDB_GRAPHQL_HASH, "version": 1}
    }
    assert QUERY.title_of(url) == TITLE_ID


def test_the_call_says_it_sends_json_from_the_title_page():
    headers = QUERY.headers(TITLE_ID)
    assert headers["Content-Type"] == "application/json"
    assert headers["Origin"] == "https://www.imdb.com"
    assert headers["Referer"] == f"https://www.imdb.com/title/{TITLE_ID}/reviews/"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.imdb.com/title/{TITLE_ID}/reviews/",
        QUERY.page_url(TITLE_ID, "c").replace("caching.graphql", "api.graphql"),
        QUERY.page_url(TITLE_ID, "c").replace(".com/?", ".com/other?"),
        QUERY.page_url(TITLE_ID, "c").replace("TitleReviewsRefine", "TitleMainPage"),
        QUERY.page_url(TITLE_ID, "c").replace("%22const%22%3A%22tt", "%22const%22%3A%22nm"),
        "https://caching.graphql.imdb.com/?operationName=TitleReviewsRefine&variables=%7Bnot",
    ],
    ids=["review-page", "other-host", "other-path", "other-operation", "not-a-title", "bad-json"],
)
def test_anything_but_the_review_query_at_the_endpoint_is_not_it(url):
    assert QUERY.title_of(url) is None


@pytest.mark.parametrize(
    ("url", "digest", "wrong"),
    [
        ("https://caching.graphql.imdb.com/", "abc", "IMDB_GRAPHQL_HASH 'abc' is not"),
        ("ftp://caching.graphql.imdb.com/", "a" * 64, "IMDB_GRAPHQL_URL 'ftp://"),
        ("https://caching.graphql.imdb.com/?x=1", "a" * 64, "IMDB_GRAPHQL_URL"),
    ],
)
def test_unusable_settings_are_named(url, digest, wrong):
    with pytest.raises(ValueError, match="^" + wrong.replace("?", r"\?")):
        ReviewsQuery.checked(url, digest, "https://www.imdb.com")


def test_a_hash_pasted_in_capitals_or_with_spaces_is_taken():
    query = ReviewsQuery.checked(settings.IMDB_GRAPHQL_URL, " " + "AB" * 32 + "\n", "https://x")
    assert query.sha256_hash == "ab" * 32


# The first page names the call -------------------------------------------------------


def first_page(pager: ReviewsQuery | None) -> ParsedPage:
    url = f"https://www.imdb.com/title/{TITLE_ID}/reviews/"
    response = HtmlResponse(url=url, body=PAGE_1.read_bytes())
    return CurrentReviewPage.parse(response.selector, context(response.url, pager=pager))


def test_a_crawled_first_page_names_the_call_after_its_end_cursor():
    page = first_page(QUERY)
    assert page.next_page == QUERY.page_url(TITLE_ID, PAGE_1_CURSOR)
    assert (page.movie_title, page.movie_year) == ("Pusher II", 2004)


def test_a_saved_page_names_no_next_page():
    assert first_page(None).next_page is None


# The answers -------------------------------------------------------------------------


def test_an_answer_names_the_next_call_and_carries_the_title_from_page_1():
    body = PAGE_2.read_bytes()
    page = parse_answer(body, pager=QUERY, movie_title="Pusher II", movie_year=2004)
    assert page.layout == "graphql"
    assert page.next_page == QUERY.page_url(TITLE_ID, PAGE_2_CURSOR)
    assert [r.review_id for r in page.reviews] == ["rw1530417", "rw1602288", "rw1779903"]
    assert {(r.title_id, r.movie_title, r.movie_year) for r in page.reviews} == {
        (TITLE_ID, "Pusher II", 2004)
    }
    assert not page.drifted


def test_the_last_answer_names_no_next_call():
    page = parse_answer(PAGE_3.read_bytes(), pager=QUERY)
    assert page.next_page is None
    assert len(page.reviews) == 2


def test_has_next_page_false_wins_over_a_cursor():
    body = json.loads(PAGE_2.read_bytes())
    body["data"]["title"]["reviews"]["pageInfo"]["hasNextPage"] = False
    assert parse_answer(body, pager=QUERY).next_page is None


def test_edges_gone_from_an_answer_is_drift():
    body = json.loads(PAGE_2.read_bytes())
    del body["data"]["title"]["reviews"]["edges"]
    page = parse_answer(body, pager=QUERY)
    assert page.drifted
    assert page.reviews == []


def test_nodes_without_ids_are_drift():
    body = json.loads(PAGE_2.read_bytes())
    for edge in body["data"]["title"]["reviews"]["edges"]:
        edge["node"]["reviewId"] = edge["node"].pop("id")
    assert parse_answer(body).drifted


def test_an_empty_last_answer_is_not_drift():
    body = json.loads(PAGE_3.read_bytes())
    body["data"]["title"]["reviews"]["edges"] = []
    page = parse_answer(body, pager=QUERY)
    assert not page.drifted
    assert page.reviews == []
    assert page.next_page is None


def test_errors_beside_the_reviews_are_noted():
    body = json.loads(PAGE_3.read_bytes())
    body["errors"] = [{"message": "Field 'x' is deprecated"}]
    page = parse_answer(body)
    assert len(page.reviews) == 2
    assert [note.kind for note in page.notes] == ["graphql_errors"]


# Answers without reviews -------------------------------------------------------------

HASH_UNKNOWN = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}


@pytest.mark.parametrize(
    "body",
    [
        HASH_UNKNOWN,
        {"errors": [{"message": "Not found", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]},
        {"errors": [{"message": "PersistedQueryNotFound"}], "data": None},
    ],
)
def test_an_unknown_persisted_query_says_to_update_the_hash_setting(body):
    page = answer(body).selector
    assert parser_for(page) is None
    verdict = why_unreadable(page)
    assert verdict.blocked
    assert "set IMDB_GRAPHQL_HASH to the current one" in verdict.reason
    assert "\n" not in verdict.reason


def test_other_errors_are_quoted():
    page = answer({"errors": [{"message": "Unauthorized"}], "data": {"title": None}}).selector
    verdict = why_unreadable(page)
    assert verdict.blocked
    assert verdict.reason.endswith("errors and no reviews: Unauthorized")
    assert "IMDB_GRAPHQL_HASH" not in verdict.reason


def test_an_answer_without_reviews_is_withheld_not_empty():
    page = answer({"data": {"title": {"reviews": None}}}).selector
    verdict = why_unreadable(page)
    assert verdict.blocked
    assert verdict.reason.endswith("answered without any reviews (no data.title.reviews)")


def test_json_that_is_no_answer_is_not_a_review_page():
    page = answer({"hello": "world"}).selector
    assert parser_for(page) is None
    assert why_unreadable(page) == NOT_A_REVIEW_PAGE


def test_a_json_page_never_reaches_the_html_parsers():
    page = answer(PAGE_2.read_bytes()).selector
    assert page.type == "json"
    assert parser_for(page) is GraphqlReviewPage
    assert not GraphqlReviewPage.matches(HtmlResponse(url="https://x/", body=b"<p>{}</p>").selector)


# Robot checks told by the status line --------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "words"),
    [
        (202, {"x-amzn-waf-action": "challenge"}, "robot check (AWS WAF challenge, HTTP 202)"),
        (405, {"x-amzn-waf-action": "captcha"}, "robot check (AWS WAF captcha, HTTP 405)"),
        (202, {}, "HTTP 202 and no page"),
    ],
)
def test_robot_checks_are_told_by_status_and_headers(status, headers, words):
    verdict = why_withheld(Response("https://www.imdb.com/", status=status, headers=headers))
    assert verdict is not None
    assert verdict.blocked
    assert verdict.reason.startswith(words)


def test_an_ordinary_page_is_not_withheld():
    assert why_withheld(Response("https://www.imdb.com/", status=200)) is None


def test_an_answer_is_read_by_the_text_rule():
    body = json.loads(PAGE_2.read_bytes())
    node = body["data"]["title"]["reviews"]["edges"][0]["node"]
    node["summary"]["originalText"] = "Tonny\x92s long\xa0walk\x85"
    node["author"]["username"]["text"] = "Kasper\x97Holm"
    body_html = "Close\x85 the whole time.<br/><br/>\x9dSad\xa0&amp; good."
    node["text"]["originalText"]["plaidHtml"] = body_html
    review = parse_answer(body).reviews[0]
    assert review.headline == "Tonny\u2019s long\xa0walk\u2026"
    assert review.author == "Kasper\u2014Holm"
    assert review.text == "Close\u2026 the whole time.\n\nSad\xa0& good."
