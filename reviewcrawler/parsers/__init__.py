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


def looks_truncated(text: str) -> bool:
    """A whole HTML document whose closing ``</html>`` never arrived."""
    head, tail = text[:4096].lower(), text[-4096:].lower()
    return "<html" in head and "</html>" not in tail


__all__ = ["PARSERS", "PageContext", "PageParser", "ParsedPage", "looks_truncated", "parser_for"]
