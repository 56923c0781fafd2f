"""The current layout's further pages as read: IMDb's GraphQL ``TitleReviewsRefine`` answers.

The answer is::

    {"data": {"title": {"reviews": {"total": N,
        "pageInfo": {"endCursor": "…" | null, "hasNextPage": bool, …},
        "edges": [{"node": {…}}, …]}}}}

whose nodes are the ones the page's own JSON carries, so the records come from
the current parser's code (`reviewcrawler.parsers.current.json_record`) and the
loaders. The last page has ``endCursor: null``; each page's cursor (a `Cursor`)
leads to the next, which the crawl asks for (`reviewcrawler.crawl.graphql`).

The query is a *persisted* one, known to the server by a hash that changes when
IMDb rebuilds its front end (public scripts show at least four between late 2024
and 2026). A hash the server no longer knows is answered with a
``PersistedQueryNotFound`` error, which stops the title with `hash_rejection`
saying what to do.
"""

from __future__ import annotations

from typing import Any, ClassVar

from parsel import Selector

from reviewcrawler.ids import TITLE
from reviewcrawler.parsers.base import Cursor, PageContext, PageNote, ParsedPage
from reviewcrawler.parsers.current.next_data import next_cursor, node_reviews
from reviewcrawler.parsers.current.sources import PageValues, json_record
from reviewcrawler.parsers.jsonvalues import as_list, dig

HASH_SETTING = "IMDB_GRAPHQL_HASH"


def hash_rejection(detail: str) -> str:
    """The one line that stops a title whose GraphQL call was refused."""
    return (
        f"IMDb's GraphQL endpoint rejected the review query ({detail}); its persisted-query "
        f"hash changes when IMDb rebuilds its site: set {HASH_SETTING} to the current one "
        "(docs/crawling.md: 'When the GraphQL hash rotates')"
    )


#: ``PersistedQueryNotFound`` (message) or ``PERSISTED_QUERY_NOT_FOUND`` (code).
_NOT_FOUND = "persistedquerynotfound"


def hash_rejected(answer: Any) -> bool:
    """The answer says the persisted query is unknown (``PersistedQueryNotFound``)."""
    for error in as_list(dig(answer, "errors")):
        words = f"{dig(error, 'message')} {dig(error, 'extensions', 'code')}"
        if _NOT_FOUND in words.replace("_", "").lower():
            return True
    return False


def error_messages(answer: Any) -> list[str]:
    """The ``errors[].message`` of a GraphQL answer."""
    return [
        message
        for message in (dig(error, "message") for error in as_list(dig(answer, "errors")))
        if isinstance(message, str)
    ]


def why_no_reviews(answer: Any) -> str | None:
    """Why a JSON answer without review data holds none, when it says why."""
    if hash_rejected(answer):
        return hash_rejection("PersistedQueryNotFound")
    messages = error_messages(answer)
    if messages:
        return f"the GraphQL endpoint answered with errors and no reviews: {'; '.join(messages)}"
    if isinstance(answer, dict) and "data" in answer:
        return "the GraphQL endpoint answered without any reviews (no data.title.reviews)"
    return None


class GraphqlReviewPage:
    """One ``TitleReviewsRefine`` answer: a page of a title's reviews as JSON."""

    layout: ClassVar[str] = "graphql"

    @staticmethod
    def matches(page: Selector) -> bool:
        return page.type == "json" and isinstance(dig(page.root, "data", "title", "reviews"), dict)

    @staticmethod
    def parse(page: Selector, context: PageContext) -> ParsedPage:
        connection = dig(page.root, "data", "title", "reviews")
        edges = dig(connection, "edges")
        entries = node_reviews(edges)
        title_id = _title_id(dig(page.root, "data", "title", "id"))
        total = dig(connection, "total")
        result = ParsedPage(
            layout=GraphqlReviewPage.layout,
            # An empty page promises nothing (a last page may be empty); a page
            # whose edges are gone or unreadable is drift.
            declared_total=total
            if isinstance(total, int) and not isinstance(total, bool) and edges != []
            else None,
            blocks_found=len(as_list(edges)),
            blocks_unreadable=sum(
                not isinstance(dig(edge, "node", "id"), str) for edge in as_list(edges)
            ),
            title_id=title_id or context.title_id,
            # The answer does not name the title: the crawl carries page 1's.
            movie_title=context.movie_title,
            movie_year=context.movie_year,
            truncated=context.truncated,
        )
        messages = error_messages(page.root)
        if messages:
            result.notes.append(
                PageNote(
                    "graphql_errors",
                    f"the GraphQL answer carries errors besides its reviews: {'; '.join(messages)}",
                )
            )
        values = PageValues(title_id, context.movie_title, context.movie_year, context)
        result.reviews.extend(json_record(entry, values) for entry in entries.values())
        cursor = next_cursor(dig(connection, "pageInfo"))
        if cursor and result.title_id:
            result.next_page = Cursor(result.title_id, cursor)
        return result


def _title_id(value: Any) -> str | None:
    return value if TITLE.valid(value) else None
