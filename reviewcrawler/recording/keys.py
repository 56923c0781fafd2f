"""Which URLs count as the same page when a recording is replayed."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

#: Query parameters that only say which link was clicked, never which page.
TRACKING_PARAMETERS = ("ref_",)
#: A GraphQL GET (it names its ``operationName``) carries its variables and
#: extensions as JSON, compared as JSON: key order and spacing do not matter.
GRAPHQL_MARKER = "operationName"
#: ``extensions`` holds the persisted-query hash, which names the text of the
#: query, not the page asked for. It rotates with IMDb's front end (and with the
#: ``IMDB_GRAPHQL_HASH`` setting), and a recording must replay after it has.
GRAPHQL_IGNORED = frozenset({"extensions"})


def canonical_url(url: str) -> str:
    """`url` as a replay key: ``//host/path?query``.

    Ignores http vs https, a trailing slash, the order of query parameters and
    IMDb's ``ref_`` click-tracking parameter; keeps everything else (the
    ``paginationKey`` above all). A GraphQL GET is keyed by its operation and
    its variables as JSON (so the ``after`` cursor, the title and the locale
    count), not by its persisted-query hash.
    """
    canonical = canonicalize_url(_graphql_normalised(url), keep_fragments=False)
    parts = urlsplit(url_query_cleaner(canonical, TRACKING_PARAMETERS, remove=True, unique=False))
    key = f"//{parts.netloc.lower()}{parts.path.rstrip('/')}"
    return f"{key}?{parts.query}" if parts.query else key


def without_host(key: str) -> str:
    """A `canonical_url` key without its host: ``/path?query`` (``/?query`` at the
    root, where GraphQL endpoints are)."""
    rest = key.removeprefix("//")
    ends = [at for at in (rest.find("/"), rest.find("?")) if at >= 0]
    return "/" + rest[min(ends, default=len(rest)) :].lstrip("/")


def _graphql_normalised(url: str) -> str:
    """`url`, its JSON parameters written one way, if it is a GraphQL GET."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name == GRAPHQL_MARKER for name, _ in pairs):
        return url
    query = urlencode(
        [(name, _json_normalised(value)) for name, value in pairs if name not in GRAPHQL_IGNORED]
    )
    return parts._replace(query=query).geturl()


def _json_normalised(value: str) -> str:
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
