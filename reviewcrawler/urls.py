"""Review-page URLs: where a title's reviews start, and which links may be followed.

A page's content is untrusted (a saved page, or a tampered one, may point its
load-more widget anywhere), so every follow-up URL is checked here before the
spider requests it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: ``/title/ttN/reviews`` and its pagination endpoint ``/title/ttN/reviews/_ajax``.
REVIEW_PATH = re.compile(r"/title/(tt\d+)/reviews(?:/_ajax)?/?")
WEB_SCHEMES = ("http", "https")


def title_reviews_url(base_url: str, title_id: str) -> str:
    """First review page of a title on the site at `base_url`."""
    return f"{base_url.rstrip('/')}/title/{title_id}/reviews/"


def review_page_title(url: str) -> str | None:
    """The title id of an http(s) review-page URL; ``None`` for any other URL."""
    parts = urlsplit(url)
    if parts.scheme not in WEB_SCHEMES or not parts.hostname:
        return None
    match = REVIEW_PATH.fullmatch(parts.path)
    return match.group(1) if match else None


def refusal(url: str, *, netloc: str, title_id: str) -> str | None:
    """Why `url` must not be followed from a page of `title_id` on `netloc`, or ``None``.

    `netloc` is the start URL's ``host[:port]``; a link to another port, or one
    carrying credentials (``user@host``), is another host.
    """
    parts = urlsplit(url)
    if parts.scheme not in WEB_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http(s)"
    if parts.netloc.lower() != netloc:
        return f"host {parts.netloc!r} is not the start host {netloc!r}"
    if review_page_title(url) != title_id:
        return f"path {parts.path!r} is not a review page of {title_id}"
    return None


def netloc_of(url: str) -> str:
    return urlsplit(url).netloc.lower()
