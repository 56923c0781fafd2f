"""A title's pages as URLs: the next one's, from the next page as its parser read it;
which title a page's URL names; how log lines name it; what its request sends."""

from __future__ import annotations

from urllib.parse import urljoin

from w3lib.url import add_or_replace_parameters

from reviewcrawler.crawl.graphql import ReviewsQuery
from reviewcrawler.parsers.base import LoadMore, NextPage
from reviewcrawler.urls import WEB_SCHEMES, review_page_title, sort_parameters

#: Where a saved legacy page's relative load-more URL is resolved.
IMDB_ROOT = "https://www.imdb.com/"


def next_page_url(next_page: NextPage, page_url: str, graphql: ReviewsQuery | None) -> str | None:
    """Where `next_page`, read on the page at `page_url`, is asked for; ``None``
    for a cursor when the crawl has no GraphQL endpoint (saved pages)."""
    if isinstance(next_page, LoadMore):
        base = page_url if page_url.startswith(tuple(f"{s}://" for s in WEB_SCHEMES)) else IMDB_ROOT
        # The browser widget sends ref_=undefined too; the key is what matters. The
        # page's sort parameters go along: a key only means something in its order.
        return add_or_replace_parameters(
            urljoin(base, next_page.ajax_url),
            {**sort_parameters(page_url), "ref_": "undefined", "paginationKey": next_page.key},
        )
    if graphql is None:
        return None
    return graphql.page_url(next_page.title_id, next_page.after)


def is_graphql_call(url: str, graphql: ReviewsQuery | None) -> bool:
    """Whether `url` asks `graphql` for a title's reviews (never without an endpoint)."""
    return graphql is not None and graphql.title_of(url) is not None


def title_of(url: str, graphql: ReviewsQuery | None) -> str | None:
    """The title a review page's URL, or a call to `graphql`, names."""
    if graphql is not None and (title_id := graphql.title_of(url)):
        return title_id
    return review_page_title(url)


def name_of(url: str, graphql: ReviewsQuery | None) -> str:
    """`url` as log lines name it: a GraphQL call by its cursor, not its 600 characters."""
    if graphql is not None and is_graphql_call(url, graphql):
        return graphql.describe(url)
    return url


def headers_for(url: str, title_id: str, graphql: ReviewsQuery | None) -> dict[str, str] | None:
    """What a request for the title's page at `url` sends besides the URL: a
    GraphQL call's headers; nothing special for a review page."""
    if graphql is not None and is_graphql_call(url, graphql):
        return graphql.headers(title_id)
    return None
