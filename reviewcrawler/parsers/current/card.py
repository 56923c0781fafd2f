"""Where each field sits in a current-layout review card (``article.user-review-item``).

A card is read from one `Block` index of its elements (classes and
``data-testid``s of the tags review markup uses, `block.INDEXED_TAGS`; the svg
icons and line breaks, a third of a card, are skipped) instead of a dozen XPath
queries. Each lookup finds what the card-relative XPath in its comment found,
in the same page order; cleaning is the loader's job. The markup is described
in `reviewcrawler.parsers.current.page`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.etree import _Element

from reviewcrawler.ids import REVIEW, TITLE, USER
from reviewcrawler.loaders import VoteCounts
from reviewcrawler.parsers.block import Block
from reviewcrawler.parsers.xpath import text_content

REVIEW_ID_IN_URL = re.compile(rf"/review/({REVIEW.found})")
TITLE_IN_REVIEW_URL = re.compile(rf"/title/({TITLE.found})/review/{REVIEW.found}")
USER_IN_URL = re.compile(rf"/user/({USER.found})")
#: What XPath's ``normalize-space()`` collapses.
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def card_values(card: Block, title_hint: str | None) -> dict[str, object]:
    """Field → raw value or candidates in order, for `extract.load_review`."""
    # .//*[@data-testid='review-summary']//a, .//a[@data-testid='permalink-link']
    headline_links = _links_below(card.testid("review-summary"))
    permalinks = card.testid("permalink-link", tag="a")
    review_hrefs = _hrefs(_in_page_order(card, {*headline_links, *permalinks}))
    authors = card.testid("author-link", tag="a")
    votes = VoteCounts(
        _first_text(card.all("ipc-voting__label__count--up", tag="span")),
        _first_text(card.all("ipc-voting__label__count--down", tag="span")),
    )
    return {
        "review_id": _found(REVIEW_ID_IN_URL, review_hrefs),
        "title_id": [*_found(TITLE_IN_REVIEW_URL, review_hrefs), title_hint],
        "rating": [t for s in card.all("ipc-rating-star--rating", tag="span") for t in _texts(s)],
        "headline": card.testid("review-summary"),
        "author": authors,
        "author_id": _found(USER_IN_URL, _hrefs(authors)),
        # string(.//li[has_class('review-date')]): the first one's text
        "date": card.text("review-date", tag="li"),
        "spoiler": marked_spoiler(card),
        "text": list(card.all("ipc-html-content-inner-div", tag="div")),
        "helpful_yes": votes,
        "helpful_total": votes,
        "permalink": [*_hrefs(permalinks), *_hrefs(headline_links)],
    }


def marked_spoiler(card: Block) -> bool:
    """Spoiler content, the collapsed "Spoiler" button, or a "Spoiler" signpost."""
    return (
        bool(card.testid("review-spoiler-content"))
        or card.first("review-spoiler-button", tag="button") is not None
        or any(
            _XML_SPACE.sub(" ", text_content(signpost)).strip(" ") == "Spoiler"
            for signpost in card.all("ipc-signpost__text")
        )
    )


def has_footer(card: Block) -> bool:
    """The card's footer (author, date, Permalink) comes after its body: a card
    that has none of it was cut off, and its body may be partial."""
    return bool(card.testid("permalink-link", tag="a")) or any(
        _beside_date(author) for author in card.testid("author-link", tag="a")
    )


def _beside_date(author: _Element) -> bool:
    """``<li><a author-link/></li> <li class="review-date">`` (``a[../../li[…]]``)."""
    parent = author.getparent()
    grandparent = parent.getparent() if parent is not None else None
    return grandparent is not None and any(
        "review-date" in (li.get("class") or "").split() for li in grandparent.iterchildren("li")
    )


def _links_below(elements: list[_Element]) -> list[_Element]:
    """The ``<a>`` elements below any of `elements`, in page order, each once."""
    return list(dict.fromkeys(a for element in elements for a in element.iterdescendants("a")))


def _in_page_order(card: Block, anchors: set[_Element]) -> list[_Element]:
    return [a for a in card.root.iterdescendants("a") if a in anchors] if anchors else []


def _hrefs(anchors: list[_Element]) -> list[str]:
    return [href for a in anchors if (href := a.get("href")) is not None]


def _found(pattern: re.Pattern[str], texts: list[str]) -> list[str]:
    """Every match of `pattern`'s group, in order, as ``add_xpath(…, re=…)`` kept them
    (the groups are ids: no entities for it to decode)."""
    return [found for text in texts for found in pattern.findall(text)]


def _texts(element: _Element) -> list[str]:
    """The element's own text nodes (``text()``), not its descendants'."""
    return [t for t in (element.text, *(child.tail for child in element)) if t is not None]


def _first_text(elements: Iterable[_Element]) -> str | None:
    return next((t for element in elements for t in _texts(element)), None)
