"""IMDb's GraphQL ``TitleReviewsRefine`` call as the crawl asks for it.

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
application/json`` even though there is no body.

The query is a *persisted* one: the server knows it by the SHA-256 of its text,
which changes when IMDb rebuilds its front end. The hash is the
``IMDB_GRAPHQL_HASH`` setting; an HTTP 4xx from the endpoint stops the title
with `reviewcrawler.parsers.current.graphql.hash_rejection` saying what to do
(`http_rejection`). The answers are read by `reviewcrawler.parsers.current.graphql`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from reviewcrawler.ids import TITLE
from reviewcrawler.parsers.current.graphql import HASH_SETTING, hash_rejection
from reviewcrawler.parsers.jsonvalues import dig
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


_HASH = re.compile(r"[0-9a-f]{64}")


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


def http_rejection(status: int) -> str | None:
    """What an HTTP error from the GraphQL endpoint means for the crawl.

    A 4xx other than a timeout or rate limit (those are retried) is the endpoint
    refusing the request itself, which is what a stale hash leads to.
    """
    if 400 <= status < 500 and status not in (408, 429):
        return hash_rejection(f"HTTP {status}")
    return None


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
