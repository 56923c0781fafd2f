"""IMDb's current review page (the React/Next.js front end served since 2024).

A page is ``/title/ttN/reviews/``: server-rendered HTML review cards
(``article.user-review-item``) plus the same data as JSON in
``<script id="__NEXT_DATA__">``. Saved copies come in three forms, all read
here: the raw server response, a browser's "Save page as" (a
``<!-- saved from url=(NNNN)URL -->`` comment, absolute links, votes rendered,
more cards than JSON after "load more"), and a bare ``<section>`` copied out of
the DOM (no head, no JSON, often no title id at all).

Only stable hooks are used: ``data-testid`` attributes, the unhashed classes
(``user-review-item``, ``ipc-*``, ``review-date``), ``/review/rwN/`` and
``/user/urN/`` hrefs. The hashed ``sc-…`` classes change with every build.
`reviewcrawler.parsers.current.card` reads a card's fields.

Pagination
----------
The page holds the first 25 reviews; the "25 more" button is no link but a
GraphQL call (``TitleReviewsRefine``) that continues from the page's
``pageInfo.endCursor``. The parser reports that cursor as the next page (a
`Cursor`); the crawl turns it into the call (`reviewcrawler.crawl.graphql`), and
`reviewcrawler.parsers.current.graphql` reads the answers.

Which source is authoritative, and why: `reviewcrawler.parsers.current.sources`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from lxml.etree import XPath
from parsel import Selector

from reviewcrawler.ids import TITLE
from reviewcrawler.items import Problem, Review
from reviewcrawler.loaders import ReviewLoader, parse_count
from reviewcrawler.parsers.base import Cursor, PageContext, PageNote, ParsedPage
from reviewcrawler.parsers.block import Block
from reviewcrawler.parsers.current.card import TITLE_IN_REVIEW_URL, card_values, has_footer
from reviewcrawler.parsers.current.header import HeaderTitle, header_title
from reviewcrawler.parsers.current.next_data import (
    NEXT_DATA,
    NextData,
    read_next_data,
)
from reviewcrawler.parsers.current.sources import (
    PageValues,
    disagreements,
    json_record,
    json_values,
    merge,
    source_of,
)
from reviewcrawler.parsers.extract import load_review
from reviewcrawler.parsers.xpath import elements, has_class


def with_testid(value: str) -> str:
    """``//*[@data-testid=value]``, found from the attributes: a few times faster on a big page."""
    return f"//@data-testid[. = '{value}']/parent::*"


REVIEWS_ROUTE = '"page":"/title/[tconst]/reviews"'
#: Review cards. The title's main page shows a teaser card in its "User reviews"
#: section: that is not a review listing.
# ``descendant::`` from the root element, not ``//``: libxml2 evaluates a
# predicate after ``//`` per parent and merges the results in quadratic time,
# which a page of thousands of cards turns into minutes.
CARDS = (
    f"descendant::article[{has_class('user-review-item')}]"
    "[not(ancestor::section[@data-testid='UserReviews'])]"
)
TOTAL = with_testid("tturv-total-reviews")
# The page-wide checks below are lists of queries, tried cheapest first: the
# first that finds anything decides (a ``contains()`` over ``__NEXT_DATA__``
# reads all of its text, the largest part of a page).
# Any of these says "this is (part of) a current title-reviews listing", even
# when the cards themselves can no longer be found (layout drift).
MARKERS = (
    CARDS,
    TOTAL,
    with_testid("tturv-pagination"),
    f"{NEXT_DATA}[contains(., '{REVIEWS_ROUTE}')]",
)
# Review data present somewhere, whatever the cards look like.
REVIEW_DATA = (
    CARDS,
    "descendant::a[contains(@href, '/review/rw')]",
    f"{NEXT_DATA}[contains(., '\"submissionDate\"')]",
)
#: The page says outright that the title has no reviews.
NO_REVIEWS = (
    f"{TOTAL}[starts-with(normalize-space(), '0 ')]",
    f"{NEXT_DATA}[contains(., '\"reviewCount\":0,') or contains(., '\"reviewCount\":0}}')]",
)
_CARDS = elements(CARDS)
#: Links outside the review cards: a copied section's header (`header`).
_LINKS_OUTSIDE_CARDS = elements(
    f"//a[@href][not(ancestor::article[{has_class('user-review-item')}])]"
)
_MARKERS, _REVIEW_DATA, _NO_REVIEWS = (
    tuple(XPath(query) for query in queries) for queries in (MARKERS, REVIEW_DATA, NO_REVIEWS)
)
TITLE_REFS = " | ".join(
    (
        "//link[@rel='canonical']/@href",
        "//meta[@property='og:url']/@content",
        "//comment()[starts-with(normalize-space(), 'saved from url=')]",
    )
)
MOVIE_TITLE = "//h2[@data-testid='subtitle']"
PAGE_TITLE = "//title/text() | //meta[@property='og:title']/@content"
PAGE_TITLE_NAME = r"^\s*(.+?)\s+\([^()]*\)\s+-\s+User reviews"
PAGE_TITLE_YEAR = r"\(([^()]*)\)\s+-\s+User reviews"
TITLE_IN_URL = rf"/title/({TITLE.found})"

_REVIEW_COUNT = re.compile(r"(\d[\d,.]*\s*[KkMm]?)\s+reviews?\b", re.IGNORECASE)


class CurrentReviewPage:
    layout: ClassVar[str] = "current"

    @staticmethod
    def matches(page: Selector) -> bool:
        if _CARDS(page.root):
            return True
        return _finds(_MARKERS, page) and _holds_reviews_or_says_none(page)

    @staticmethod
    def parse(page: Selector, context: PageContext) -> ParsedPage:
        data = read_next_data(page)
        title_id = _page_title_id(page, data)
        header = None
        if title_id is None or not data.movie_titles:
            header = header_title(_LINKS_OUTSIDE_CARDS(page.root))
            title_id = title_id or header.title_id
        cards = _CARDS(page.root)
        result = ParsedPage(
            layout=CurrentReviewPage.layout,
            declared_total=_declared_total(page, data),
            blocks_found=len(cards),
            title_id=title_id or context.title_id,
            truncated=context.truncated,
        )
        if data.problem:
            result.notes.append(PageNote("unreadable_next_data", data.problem))
        if data.end_cursor and result.title_id:
            # Further pages are not links but GraphQL calls from the cursor on.
            result.next_page = Cursor(result.title_id, data.end_cursor)
        if title_id is None and header is not None and len(header.title_ids) > 1:
            result.notes.append(
                PageNote(
                    "title_links_disagree",
                    "links outside the reviews name different titles "
                    f"({', '.join(header.title_ids)}); the page's title is not guessed",
                )
            )
        page_values = _page_values(page, data, title_id, context, header)
        # Shown on the first page only: the crawl carries them to the pages after it.
        result.movie_title = page_values.movie_title or context.movie_title
        result.movie_year = page_values.movie_year or context.movie_year
        if not cards:
            for entry in data.reviews.values():
                result.reviews.append(json_record(entry, page_values))
            return result
        shown: set[str] = set()
        for card in cards:
            review, problems = _card_review(Block(card), data, page_values, result)
            if review.review_id:
                shown.add(review.review_id)
            result.add(review, problems)
        hidden = [rid for rid in data.reviews if rid not in shown]
        if hidden:
            result.notes.append(
                PageNote(
                    "json_only_reviews",
                    f"{len(hidden)} review(s) in __NEXT_DATA__ are not shown as cards "
                    f"({', '.join(hidden[:5])}{', …' if len(hidden) > 5 else ''}); "
                    "not archived: the cards are what the page showed",
                )
            )
        return result


def walled(page: Selector) -> bool:
    """A current reviews page that carries no review data though it should.

    IMDb's sign-in wall (2026) answers ``/reviews/`` with the page chrome and no
    reviews. A page that says it has no reviews ("0 reviews") is not walled.
    """
    return _finds(_MARKERS, page) and not _holds_reviews_or_says_none(page)


def _holds_reviews_or_says_none(page: Selector) -> bool:
    return _finds(_REVIEW_DATA, page) or _finds(_NO_REVIEWS, page)


def _finds(queries: tuple[XPath, ...], page: Selector) -> bool:
    """Whether any of `queries` finds something, trying them in order."""
    return any(query(page.root) for query in queries)


def _page_values(
    page: Selector,
    data: NextData,
    title_id: str | None,
    context: PageContext,
    header: HeaderTitle | None,
) -> PageValues:
    """The title's name and year, first found of: the page header, the JSON, ``<title>``,
    the header's "Name (Year)" back link (of the page's title).

    A loader without a selector cleans the candidates (once per page, not per card).
    """
    page_title = page.xpath(PAGE_TITLE)
    named = header is not None and title_id is not None and header.title_id == title_id
    back_link = header if header is not None and named else HeaderTitle(())
    loader = ReviewLoader()
    loader.add_value("movie_title", page.xpath(MOVIE_TITLE)[:1])
    loader.add_value("movie_title", data.movie_titles[:1])
    loader.add_value("movie_title", page_title.re_first(PAGE_TITLE_NAME))
    loader.add_value("movie_title", back_link.movie_title)
    loader.add_value("movie_year", data.movie_years[:1])
    loader.add_value("movie_year", page_title.re_first(PAGE_TITLE_YEAR))
    loader.add_value("movie_year", back_link.movie_year)
    values: Review = loader.load_item()
    return PageValues(title_id, values.movie_title, values.movie_year, context)


def _card_review(
    card: Block, data: NextData, page_values: PageValues, result: ParsedPage
) -> tuple[Review, list[str]]:
    values = card_values(card, page_values.context.title_id)
    shown = load_review(values, page_values.defaults)
    entry = data.reviews.get(shown.review_id or "")
    review = shown
    if entry is not None:
        # Only the review's own fields: the page's are the card's (see `merge`).
        stored = load_review(json_values(entry))
        review = merge(shown, stored, entry)
        differing = disagreements(shown, stored, entry)
        if differing:
            result.notes.append(
                PageNote(
                    "json_html_disagreement",
                    f"{shown.review_id}: the card and __NEXT_DATA__ disagree on "
                    f"{', '.join(differing)}; kept the "
                    + ", ".join(f"{name} from {source_of(name)}" for name in differing),
                )
            )
    footer = has_footer(card)
    problems = _structural_problems(review, values, footer)
    if not shown.review_id or not footer:
        result.blocks_unreadable += 1
    return review, problems


def _structural_problems(review: Review, values: dict[str, object], footer: bool) -> list[str]:
    """Reasons a card cannot be trusted as a whole review.

    Every complete card names its review (``/review/rwN/``) and ends with its
    author, date and Permalink; a card without them is cut off or no longer the
    markup we know.
    """
    problems: list[str] = []
    if not review.review_id:
        problems.append(Problem("no_review_link", "no review link (/review/rwN/) in card"))
    if not review.text:
        if values["spoiler"] and not values["text"]:
            problems.append(
                Problem(
                    "spoiler_body_missing",
                    "spoiler body not in page (collapsed when saved, not in __NEXT_DATA__)",
                )
            )
        else:
            problems.append(Problem("no_review_body", "no review body in card"))
    if not footer:
        problems.append(
            Problem("cut_off", "card ends before its author, date and Permalink (page cut off?)")
        )
    return problems


def _page_title_id(page: Selector, data: NextData) -> str | None:
    """The title the page names: head links, JSON, "saved from" URL, review hrefs."""
    for ref in page.xpath(TITLE_REFS).getall():
        match = re.search(TITLE_IN_URL, ref)
        if match:
            return match.group(1)
    for title_id in data.title_ids:
        if TITLE.valid(title_id):
            return title_id
    for href in page.xpath(f"{CARDS}//a/@href").getall():
        match = re.search(TITLE_IN_REVIEW_URL, href)
        if match:
            return match.group(1)
    return None


def _declared_total(page: Selector, data: NextData) -> int | None:
    for text in page.xpath(f"{TOTAL}//text()").getall():
        match = _REVIEW_COUNT.search(text)
        if match:
            return parse_count(match.group(1))
    return data.total
