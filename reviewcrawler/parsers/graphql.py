"""The current layout's further pages: IMDb's GraphQL ``TitleReviewsRefine`` call.

The first page of a title (``/title/ttN/reviews/``) embeds its first 25 reviews
and ``pageInfo.endCursor``. Its "25 more" button is no link: the page's script
asks IMDb's GraphQL endpoint (``https://caching.graphql.imdb.com/``) for the
next 25 with a GET whose three parameters are JSON::

    operationName  TitleReviewsRefine
    variables      {"after":CURSOR,"const":"ttN","filter":{},"first":25,
                    "locale":"en-US","sort":{"by":"SUBMISSION_DATE","order":"DESC"}}
    extensions     {"persistedQuery":{"sha256Hash":HASH,"version":1}}

(compact, keys sorted, as the browser sends them; ``sort`` is
``HELPFULNESS_SCORE`` for ``-a order=helpful``, IMDb's default), with ``Content-Type:
application/json`` even though there is no body. The answer is::

    {"data": {"title": {"reviews": {"total": N,
        "pageInfo": {"endCursor": "…" | null, "hasNextPage": bool, …},
        "edges": [{"node": {…}}, …]}}}}

whose nodes are the ones the page's own JSON carries, so the records come from
the current parser's code (`reviewcrawler.parsers.current.json_record`) and the
loaders. The last page has ``endCursor: null``; each page's cursor leads to the
next, so pages are read one after another.

The query is a *persisted* one: the server knows it by the SHA-256 of its text,
which changes when IMDb rebuilds its front end. Public scripts show at least
four hashes between late 2024 and 2026. The hash is the ``IMDB_GRAPHQL_HASH``
setting; a hash the server no longer knows is answered with a
``PersistedQueryNotFound`` error (or an HTTP 4xx), which stops the title with
`hash_rejection` saying what to do.

`ReviewsQuery` is the crawl's `Pager` (it names the next page; the spider only
schedules it, after `reviewcrawler.urls.refusal` allows it), and
`GraphqlReviewPage` reads the answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from parsel import Selector

from reviewcrawler.ids import TITLE
from reviewcrawler.parsers.base import PageContext, PageNote, ParsedPage
from reviewcrawler.parsers.current import PageValues, json_record
from reviewcrawler.parsers.next_data import as_list, dig, next_cursor, node_reviews
from reviewcrawler.urls import WEB_SCHEMES, title_reviews_url

OPERATION = "TitleReviewsRefine"
#: What the page's button asks for; the first page is 25 reviews too.
PAGE_SIZE = 25
#: The query's ``sort`` per ``-a order=``: the page's default ("Featured"), or
#: newest first. A cursor only means something in the order it was made for.
SORTS: dict[str, dict[str, str]] = {
    "helpful": {"by": "HELPFULNESS_SCORE", "order": "DESC"},
    "newest": {"by": "SUBMISSION_DATE", "order": "DESC"},
}
LOCALE = "en-US"
HASH_SETTING = "IMDB_GRAPHQL_HASH"


def hash_rejection(detail: str) -> str:
    """The one line that stops a title whose GraphQL call was refused."""
    return (
        f"IMDb's GraphQL endpoint rejected the review query ({detail}); its persisted-query "
        f"hash changes when IMDb rebuilds its site: set {HASH_SETTING} to the current one "
        "(docs/crawling.md: 'When the GraphQL hash rotates')"
    )


_HASH = re.compile(r"[0-9a-f]{64}")
#: ``PersistedQueryNotFound`` (message) or ``PERSISTED_QUERY_NOT_FOUND`` (code).
_NOT_FOUND = "persistedquerynotfound"


def compact_json(value: Any) -> str:
    """`value` as the browser's script sends it: compact, keys sorted."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class ReviewsQuery:
    """The review query at one GraphQL endpoint, with one persisted-query hash."""

    #: ``IMDB_GRAPHQL_URL``.
    url: str
    #: ``IMDB_GRAPHQL_HASH``.
    sha256_hash: str
    #: ``IMDB_BASE_URL``: the calls come from its pages (``Origin``, ``Referer``).
    site: str
    #: ``-a order=``: a key of `SORTS`.
    order: str = "helpful"

    @classmethod
    def checked(cls, url: str, sha256_hash: str, site: str, order: str = "helpful") -> ReviewsQuery:
        """A query from settings; `ValueError` naming the setting if one is unusable."""
        parts = urlsplit(url or "")
        if parts.scheme not in WEB_SCHEMES or not parts.hostname or parts.query:
            raise ValueError(f"IMDB_GRAPHQL_URL {url!r} is not an http(s) URL without a query")
        digest = (sha256_hash or "").strip().lower()
        if not _HASH.fullmatch(digest):
            raise ValueError(
                f"{HASH_SETTING} {sha256_hash!r} is not a SHA-256 hash (64 hex digits)"
            )
        return cls(url, digest, site, order)

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc.lower()

    def page_url(self, title_id: str, after: str | None) -> str:
        """The GET URL of `title_id`'s reviews after the cursor `after` (from the
        first review when ``None``, as the page's script asks when re-sorted)."""
        variables: dict[str, Any] = {
            "const": title_id,
            "filter": {},
            "first": PAGE_SIZE,
            "locale": LOCALE,
            "sort": SORTS[self.order],
        }
        if after is not None:
            variables["after"] = after
        extensions = {"persistedQuery": {"sha256Hash": self.sha256_hash, "version": 1}}
        query = urlencode(
            {
                "operationName": OPERATION,
                "variables": compact_json(variables),
                "extensions": compact_json(extensions),
            },
            quote_via=quote,
        )
        return f"{self.url}?{query}"

    def title_of(self, url: str) -> str | None:
        """The title a review-query URL at this endpoint asks for; ``None`` for
        any other URL (another host, path or operation, unreadable variables)."""
        parts = urlsplit(url)
        endpoint = urlsplit(self.url)
        if parts.scheme not in WEB_SCHEMES or parts.netloc.lower() != self.netloc:
            return None
        if parts.path.rstrip("/") != endpoint.path.rstrip("/"):
            return None
        if parse_qs(parts.query).get("operationName") != [OPERATION]:
            return None
        return _title_id(dig(_variables(url), "const"))

    def describe(self, url: str) -> str:
        """A review-query URL in a few words: endpoint, title and cursor."""
        variables = _variables(url)
        after = dig(variables, "after")
        where = f"{after[:16]}…" if isinstance(after, str) and len(after) > 16 else after
        return f"{self.url} ({OPERATION} for {dig(variables, 'const')} after {where})"

    def headers(self, title_id: str) -> dict[str, str]:
        """What the page's script sends besides the URL (only the content type
        is known to be required; the rest is what a browser adds)."""
        site = urlsplit(self.site)
        return {
            "Content-Type": "application/json",
            "Accept": "application/graphql+json, application/json",
            "Origin": f"{site.scheme}://{site.netloc}",
            "Referer": title_reviews_url(self.site, title_id),
        }


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


def http_rejection(status: int) -> str | None:
    """What an HTTP error from the GraphQL endpoint means for the crawl.

    A 4xx other than a timeout or rate limit (those are retried) is the endpoint
    refusing the request itself, which is what a stale hash leads to.
    """
    if 400 <= status < 500 and status not in (408, 429):
        return hash_rejection(f"HTTP {status}")
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
        if cursor and context.pager is not None and result.title_id:
            result.next_page = context.pager.page_url(result.title_id, cursor)
        return result


def _title_id(value: Any) -> str | None:
    return value if TITLE.valid(value) else None


def _variables(url: str) -> Any:
    """The JSON ``variables`` of a GraphQL GET; ``None`` if there is not exactly one."""
    values = parse_qs(urlsplit(url).query).get("variables", [])
    if len(values) != 1:
        return None
    try:
        return json.loads(values[0])
    except ValueError:
        return None
