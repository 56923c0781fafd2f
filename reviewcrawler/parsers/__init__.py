"""Layout detection: which parser reads a page, decided from the page's markup.

A JSON answer (a page after the first on the current site, from IMDb's GraphQL
endpoint) goes to the JSON parsers; any other page to the HTML ones. HTML
parsers are tried in order; the first whose markers are present wins. Their
markers exclude each other (a legacy page has no ``article.user-review-item``,
no ``tturv-*`` test ids and no ``__NEXT_DATA__`` of the reviews route; a current
one has no ``lister``/``imdb-user-review`` blocks), and a test holds every
fixture to at most one match, so the order only decides which check runs first.

A page that no parser recognises is reported by the caller, never read as
"0 reviews"; `why_unreadable` says why, and whether IMDb withheld the reviews
(a robot check or a sign-in wall: the title could not be read, so the run is
incomplete) or the page is simply not a review page. A fetched page is first
held to `why_withheld`: IMDb's robot check can show in the status line and
headers alone (an HTTP 202 with an empty body).
"""

from __future__ import annotations

from dataclasses import dataclass

from parsel import Selector
from scrapy.http import Response, TextResponse

from reviewcrawler.parsers.base import PageContext, PageNote, PageParser, Pager, ParsedPage
from reviewcrawler.parsers.current import CurrentReviewPage, walled
from reviewcrawler.parsers.graphql import GraphqlReviewPage, ReviewsQuery, why_no_reviews
from reviewcrawler.parsers.legacy import LegacyReviewPage

PARSERS: tuple[type[PageParser], ...] = (LegacyReviewPage, CurrentReviewPage)
JSON_PARSERS: tuple[type[PageParser], ...] = (GraphqlReviewPage,)

#: AWS WAF's JavaScript challenge, which IMDb serves instead of the page to
#: clients it does not trust (an HTTP 202 with a tiny body). Normal pages may
#: load the WAF token script too, so match the challenge's state, not the script.
ROBOT_CHECK = "//script[contains(., 'gokuProps') or contains(., 'awsWafCookieDomainList')]"
#: AWS WAF says what it did instead of serving the page: ``challenge`` (HTTP
#: 202, the JavaScript check) or ``captcha`` (HTTP 405).
WAF_ACTION = "x-amzn-waf-action"


#: How much of a page `why_not_html` looks at, and the share of characters no
#: text has (C0 controls but whitespace) that makes it binary: random bytes have
#: about 9 %, and a mis-encoded page, whose odd bytes decode to letters, none.
BINARY_SAMPLE = 4096
BINARY_SHARE = 0.02
_NOT_TEXT = frozenset(chr(code) for code in range(32) if chr(code) not in "\t\n\r\x0c")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why no parser reads a page."""

    reason: str
    #: IMDb withheld the reviews: what was asked for could not be read.
    blocked: bool = False


NOT_A_REVIEW_PAGE = Unreadable("not an IMDb review page")
ROBOT_CHECKED = Unreadable(
    "robot check (AWS WAF challenge) instead of the page; IMDb withheld the reviews",
    blocked=True,
)
SIGN_IN_WALL = Unreadable(
    "review page without any review data (IMDb's sign-in wall?); "
    "save the page while signed in, or give a signed-in session",
    blocked=True,
)


def parser_for(page: Selector) -> type[PageParser] | None:
    for parser in JSON_PARSERS if page.type == "json" else PARSERS:
        if parser.matches(page):
            return parser
    return None


def why_withheld(response: Response) -> Unreadable | None:
    """A response that is IMDb's robot check, told by its status and headers alone.

    Its body is empty or a script, so it must not reach a parser as a page.
    """
    action = response.headers.get(WAF_ACTION)
    if action:
        what = action.decode("latin-1").strip()
        return Unreadable(
            f"robot check (AWS WAF {what}, HTTP {response.status}) instead of the page; "
            "IMDb withheld the reviews",
            blocked=True,
        )
    if response.status == 202:
        return Unreadable(
            "HTTP 202 and no page (how IMDb's robot check answers); IMDb withheld the reviews",
            blocked=True,
        )
    return None


def why_unreadable(page: Selector) -> Unreadable:
    """The verdict on a page `parser_for` found no parser for."""
    if page.type == "json":
        reason = why_no_reviews(page.root)
        # An endpoint that answers with errors withheld what was asked for.
        return Unreadable(reason, blocked=True) if reason else NOT_A_REVIEW_PAGE
    if page.xpath(ROBOT_CHECK):
        return ROBOT_CHECKED
    if walled(page):
        return SIGN_IN_WALL
    return NOT_A_REVIEW_PAGE


def why_not_html(response: Response) -> str | None:
    """Why a response cannot hold a review page at all, if it cannot (checked first)."""
    if not response.body.strip():
        return "empty file"
    if not isinstance(response, TextResponse):
        return "not an HTML page"
    # Judged on the decoded text (a UTF-16 page is full of NUL bytes, not of
    # NULs) and on a share of it: a stray NUL or two never makes a page binary.
    sample = response.text[:BINARY_SAMPLE]
    binary = sum(1 for char in sample if char in _NOT_TEXT)
    if binary > max(8, len(sample) * BINARY_SHARE):
        return "binary content, not HTML"
    return None


def looks_truncated(text: str) -> bool:
    """A whole HTML document whose closing ``</html>`` never arrived."""
    head, tail = text[:4096].lower(), text[-4096:].lower()
    return "<html" in head and "</html>" not in tail


__all__ = [
    "JSON_PARSERS",
    "NOT_A_REVIEW_PAGE",
    "PARSERS",
    "ROBOT_CHECKED",
    "SIGN_IN_WALL",
    "CurrentReviewPage",
    "GraphqlReviewPage",
    "LegacyReviewPage",
    "PageContext",
    "PageNote",
    "PageParser",
    "Pager",
    "ParsedPage",
    "ReviewsQuery",
    "Unreadable",
    "looks_truncated",
    "parser_for",
    "why_not_html",
    "why_unreadable",
    "why_withheld",
]
