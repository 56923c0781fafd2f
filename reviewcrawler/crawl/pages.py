"""The URL of a title's next page, from the next page as its parser read it."""

from __future__ import annotations

from urllib.parse import urljoin

from w3lib.url import add_or_replace_parameters

from reviewcrawler.crawl.graphql import ReviewsQuery
from reviewcrawler.parsers.base import LoadMore, NextPage
from reviewcrawler.urls import WEB_SCHEMES, sort_parameters

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
