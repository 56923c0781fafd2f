"""The parsers' one entry: `read` answers a response once, with one typed outcome.

The outcome is a `ParsedPage` (the records, what the page says about its title,
where the title's reviews go on as data, and the page's notes, cut-off and drift
flags) or an `Unreadable` (why there are none, as a fixed `code` and a one-line
`reason`, and whether IMDb withheld the reviews). `read` takes the steps in
order: a response withheld by its status and headers alone (the robot check's
HTTP 202), a body that cannot hold a page (empty, binary), NUL characters
removed (a note), the layout chosen from the page's markers, and a page no layout
recognises told apart (a robot check, a sign-in wall, a GraphQL answer with
errors, or not a review page). The spider holds no page classification of its
own: it turns outcomes into requests, stats and log lines.

A JSON answer (a page after the first on the current site, from IMDb's GraphQL
endpoint) goes to the JSON parsers; any other page to the HTML ones. HTML
parsers are tried in order; the first whose markers are present wins. Their
markers exclude each other (a legacy page has no ``article.user-review-item``,
no ``tturv-*`` test ids and no ``__NEXT_DATA__`` of the reviews route; a current
one has no ``lister``/``imdb-user-review`` blocks), and a test holds every
fixture to at most one match, so the order only decides which check runs first.

Parsers take a `scrapy.http.Response` (a `parsel.Selector` within) and return
plain data: they need no engine, settings or I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsel import Selector
from scrapy.http import Response, TextResponse

from reviewcrawler.parsers.base import (
    Cursor,
    LoadMore,
    NextPage,
    PageContext,
    PageNote,
    PageParser,
    ParsedPage,
)
from reviewcrawler.parsers.current.graphql import GraphqlReviewPage, hash_rejected, why_no_reviews
from reviewcrawler.parsers.current.page import CurrentReviewPage, walled
from reviewcrawler.parsers.legacy.page import LegacyReviewPage
from reviewcrawler.parsers.xpath import page_selector

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
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why no parser reads a page."""

    reason: str
    #: IMDb withheld the reviews: what was asked for could not be read.
    blocked: bool = False
    #: The reason's fixed name, for stats (``reviewcrawler/skipped/<code>``).
    code: str = "not-a-review-page"


NOT_A_REVIEW_PAGE = Unreadable("not an IMDb review page")
ROBOT_CHECKED = Unreadable(
    "robot check (AWS WAF challenge) instead of the page; IMDb withheld the reviews",
    blocked=True,
    code="robot-check",
)
SIGN_IN_WALL = Unreadable(
    "review page without any review data (IMDb's sign-in wall?); "
    "save the page while signed in, or give a signed-in session",
    blocked=True,
    code="sign-in-wall",
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
            code="robot-check",
        )
    if response.status == 202:
        return Unreadable(
            "HTTP 202 and no page (how IMDb's robot check answers); IMDb withheld the reviews",
            blocked=True,
            code="robot-check",
        )
    return None


def why_unreadable(page: Selector) -> Unreadable:
    """The verdict on a page `parser_for` found no parser for."""
    if page.type == "json":
        reason = why_no_reviews(page.root)
        if reason is None:
            return NOT_A_REVIEW_PAGE
        # An endpoint that answers with errors withheld what was asked for.
        code = "hash-rejected" if hash_rejected(page.root) else "graphql-errors"
        return Unreadable(reason, blocked=True, code=code)
    if page.xpath(ROBOT_CHECK):
        return ROBOT_CHECKED
    if walled(page):
        return SIGN_IN_WALL
    return NOT_A_REVIEW_PAGE


def why_not_html(response: Response) -> str | None:
    """Why a response cannot hold a review page at all, if it cannot (checked first)."""
    verdict = _not_a_page(response)
    return verdict.reason if verdict is not None else None


#: The codes of a body that cannot hold any page (`why_not_html`).
NOT_HTML = frozenset({"empty", "not-html", "binary"})


def _not_a_page(response: Response) -> Unreadable | None:
    if not response.body.strip():
        return Unreadable("empty file", code="empty")
    if not isinstance(response, TextResponse):
        return Unreadable("not an HTML page", code="not-html")
    # Judged on the decoded text (a UTF-16 page is full of NUL bytes, not of
    # NULs) and on a share of it: a stray NUL or two never makes a page binary.
    sample = response.text[:BINARY_SAMPLE]
    binary = len(_NOT_TEXT.findall(sample))
    if binary > max(8, len(sample) * BINARY_SHARE):
        return Unreadable("binary content, not HTML", code="binary")
    return None


def looks_truncated(text: str) -> bool:
    """A whole HTML document whose closing ``</html>`` never arrived."""
    head, tail = text[:4096].lower(), text[-4096:].lower()
    return "<html" in head and "</html>" not in tail


def read(
    response: Response,
    *,
    scraped_at: str,
    title_id: str | None = None,
    movie_title: str | None = None,
    movie_year: int | None = None,
) -> ParsedPage | Unreadable:
    """The one answer for `response`: its records and where its title goes on, or
    why it holds none. The keyword arguments are what the page may not say itself
    (see `PageContext`)."""
    verdict = why_withheld(response) or _not_a_page(response)
    if verdict is not None:
        return verdict
    assert isinstance(response, TextResponse)  # _not_a_page said so
    response, removed = _without_nuls(response)
    page = page_selector(response)
    parser = parser_for(page)
    if parser is None:
        return why_unreadable(page)
    context = PageContext(
        url=response.url,
        scraped_at=scraped_at,
        title_id=title_id,
        movie_title=movie_title,
        movie_year=movie_year,
        truncated=looks_truncated(response.text),
    )
    result = parser.parse(page, context)
    if removed:
        result.notes.insert(
            0, PageNote("nul_characters", f"removed {removed} NUL character(s), which are not text")
        )
    return result


def _without_nuls(response: TextResponse) -> tuple[TextResponse, int]:
    """`response` without NUL characters, which are never text (and which lxml
    would drop in some places but not others): one rule wherever they are."""
    text = response.text
    removed = text.count("\x00")
    if not removed:
        return response, 0
    body = text.replace("\x00", "").encode("utf-8")
    return response.replace(body=body, encoding="utf-8"), removed


__all__ = [
    "JSON_PARSERS",
    "NOT_A_REVIEW_PAGE",
    "NOT_HTML",
    "PARSERS",
    "ROBOT_CHECKED",
    "SIGN_IN_WALL",
    "CurrentReviewPage",
    "Cursor",
    "GraphqlReviewPage",
    "LegacyReviewPage",
    "LoadMore",
    "NextPage",
    "PageContext",
    "PageNote",
    "PageParser",
    "ParsedPage",
    "Unreadable",
    "looks_truncated",
    "parser_for",
    "read",
    "why_not_html",
    "why_unreadable",
    "why_withheld",
]
