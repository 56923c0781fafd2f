"""Which URLs count as the same page when a recording is replayed."""

from __future__ import annotations

from urllib.parse import urlsplit

from w3lib.url import canonicalize_url

#: Query parameters that only say which link was clicked, never which page.
TRACKING_PARAMETERS = frozenset({"ref_"})


def canonical_url(url: str) -> str:
    """`url` as a replay key: ``//host/path?query``.

    Ignores http vs https, a trailing slash, the order of query parameters and
    IMDb's ``ref_`` click-tracking parameter; keeps everything else (the
    ``paginationKey`` above all).
    """
    parts = urlsplit(canonicalize_url(url, keep_fragments=False))
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and pair.split("=", 1)[0] not in TRACKING_PARAMETERS
    )
    key = f"//{parts.netloc.lower()}{parts.path.rstrip('/')}"
    return f"{key}?{query}" if query else key


def without_host(key: str) -> str:
    """A `canonical_url` key without its host: ``/path?query``."""
    return "/" + key.removeprefix("//").partition("/")[2]
