"""Review-page URLs: where a title's reviews start, and which links may be followed.

A page's content is untrusted (a saved page, or a tampered one, may point its
load-more widget anywhere), so every follow-up URL is checked here before the
spider requests it. Besides the start host, a crawl may call one API endpoint
(IMDb's GraphQL, configured by a setting), and only with the review query for
the title being crawled.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol
from urllib.parse import parse_qsl, urlsplit

from w3lib.url import add_or_replace_parameters, url_query_cleaner

from reviewcrawler.ids import TITLE

#: ``/title/ttN/reviews`` and its pagination endpoint ``/title/ttN/reviews/_ajax``.
REVIEW_PATH = re.compile(rf"/title/({TITLE.pattern})/reviews(?:/_ajax)?/?")
WEB_SCHEMES = ("http", "https")


def title_reviews_url(base_url: str, title_id: str) -> str:
    """First review page of a title on the site at `base_url`."""
    return f"{base_url.rstrip('/')}/title/{title_id}/reviews/"


def check_site_url(base_url: str, title_id: str = "tt0396184") -> str:
    """`base_url` if review-page URLs can be built on it (`title_reviews_url`, here of
    any title); else a `ValueError` saying what it makes instead (a query string)."""
    url = title_reviews_url(base_url, title_id)
    if review_page_title(url) != title_id:
        raise ValueError(f"IMDB_BASE_URL {base_url!r} gives no review-page URL: {url}")
    return base_url


#: The review page's own sort parameters for newest first. The legacy page takes
#: IMDb's old sort form (its load-more fragments continue in the order of the
#: page's parameters); the current page takes one ``sort=FIELD,DIRECTION``.
NEWEST_FIRST: dict[str, dict[str, str]] = {
    "legacy": {"sort": "submissionDate", "dir": "desc", "ratingFilter": "0"},
    "current": {"sort": "submission_date,desc"},
}
SORT_PARAMETERS = ("sort", "dir", "ratingFilter")
Layout = Literal["legacy", "current"]


def in_order(url: str, newest: bool, layout: Layout = "legacy") -> str:
    """`url` asking for its reviews newest first, or in IMDb's default order
    (helpfulness: no sort parameters at all)."""
    url = url_query_cleaner(url, SORT_PARAMETERS, remove=True, keep_fragments=False)
    return add_or_replace_parameters(url, NEWEST_FIRST[layout]) if newest else url


def sort_parameters(url: str) -> dict[str, str]:
    """The sort parameters `url` carries (what a page after it must carry on)."""
    pairs = parse_qsl(urlsplit(url).query)
    return {name: value for name, value in pairs if name in SORT_PARAMETERS}


def review_page_title(url: str) -> str | None:
    """The title id of an http(s) review-page URL; ``None`` for any other URL."""
    parts = urlsplit(url)
    if parts.scheme not in WEB_SCHEMES or not parts.hostname:
        return None
    match = REVIEW_PATH.fullmatch(parts.path)
    return match.group(1) if match else None


class Endpoint(Protocol):
    """An API a title's further pages come from (`reviewcrawler.parsers.current.graphql`)."""

    @property
    def netloc(self) -> str:
        """Its ``host[:port]``, lower case."""
        ...

    def title_of(self, url: str) -> str | None:
        """The title a review call to this endpoint asks for; ``None`` if `url` is none."""
        ...


def refusal(
    url: str, *, netloc: str, title_id: str, endpoint: Endpoint | None = None
) -> str | None:
    """Why `url` must not be followed from a page of `title_id` on `netloc`, or ``None``.

    `netloc` is the start URL's ``host[:port]``; a link to another port, or one
    carrying credentials (``user@host``), is another host. `endpoint` (the
    configured one only) is allowed too, for review calls about `title_id`.
    """
    parts = urlsplit(url)
    if parts.scheme not in WEB_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http(s)"
    host = parts.netloc.lower()
    if endpoint is not None and host == endpoint.netloc:
        asked_for = endpoint.title_of(url)
        if asked_for == title_id:
            return None
        if asked_for is not None:
            return f"the review call asks for {asked_for}, not {title_id}"
        if host != netloc:
            return f"not a review call of the API endpoint {endpoint.netloc!r}"
    if host != netloc:
        return f"host {parts.netloc!r} is not the start host {netloc!r}"
    if review_page_title(url) != title_id:
        return f"path {parts.path!r} is not a review page of {title_id}"
    return None


def netloc_of(url: str) -> str:
    return urlsplit(url).netloc.lower()
