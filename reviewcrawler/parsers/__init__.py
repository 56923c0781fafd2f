"""Layout detection: which parser reads a page, decided from the page's markup.

Parsers are tried in order; the first whose markers are present wins. A page
that no parser recognises is reported by the caller, never read as "0 reviews".
"""

from __future__ import annotations

from parsel import Selector

from reviewcrawler.parsers.base import PageContext, PageParser, ParsedPage
from reviewcrawler.parsers.legacy import LegacyReviewPage

PARSERS: tuple[type[PageParser], ...] = (LegacyReviewPage,)


def parser_for(page: Selector) -> type[PageParser] | None:
    for parser in PARSERS:
        if parser.matches(page):
            return parser
    return None


def looks_truncated(body: bytes) -> bool:
    """A whole HTML document whose closing ``</html>`` never arrived."""
    head, tail = body[:4096].lower(), body[-4096:].lower()
    return b"<html" in head and b"</html>" not in tail


__all__ = ["PARSERS", "PageContext", "PageParser", "ParsedPage", "looks_truncated", "parser_for"]
