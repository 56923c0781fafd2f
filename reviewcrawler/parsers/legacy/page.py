"""IMDb's legacy review page (server-rendered, served until 2024).

A page is ``/title/ttN/reviews``; further pages are HTML fragments of the same
review blocks from ``/title/ttN/reviews/_ajax?paginationKey=KEY``, announced by
the load-more widget at the bottom of each page.
"""

from __future__ import annotations

import re
from typing import ClassVar

from lxml import etree
from parsel import Selector

from reviewcrawler.ids import TITLE
from reviewcrawler.items import Problem
from reviewcrawler.loaders import clean_line, parse_count
from reviewcrawler.parsers.base import LoadMore, PageContext, ParsedPage
from reviewcrawler.parsers.block import Block, link
from reviewcrawler.parsers.extract import load_review, page_defaults
from reviewcrawler.parsers.xpath import strings, text_content

# Any of these classes says "this is (part of) a legacy review listing", even
# when the review blocks themselves can no longer be found (layout drift).
MARKER_CLASSES = frozenset({"imdb-user-review", "lister-list", "load-more-data", "lister"})
_TITLE_LINKS = strings(
    "//head/link[@rel='canonical']/@href | //head/meta[@property='og:url']/@content"
)
_TITLE_ID = re.compile(rf"/title/({TITLE.found})")
# Counts may carry a locale's thousands separator: "2.360 out of 3.031".
_NUMBER = r"(\d[\d,.\u00a0\u202f]*)"
_REVIEW_COUNT = re.compile(rf"{_NUMBER}\s+Reviews?\b", re.IGNORECASE)
_HELPFUL = re.compile(rf"{_NUMBER}\s+out\s+of\s+{_NUMBER}\s+found\s+this\s+helpful")


def _has_footer(block: Block) -> bool:
    return link(block.first("actions", tag="div"), "/review/") is not None


def _structural_problems(block: Block, *, cut_off: bool) -> list[str]:
    """Why a block cannot be trusted as a whole review (empty when it can).

    A block needs a body. A download cut in the middle of a review leaves a last
    block that the parser closes early: no actions footer, and a body that may
    be partial. `cut_off` says the page shows that (see `LegacyReviewPage.parse`).
    """
    problems: list[str] = []
    if block.first("text", "show-more__control") is None:
        problems.append(Problem("no_review_body", "no review body in block"))
    if cut_off:
        problems.append(
            Problem("cut_off", "block ends before its Permalink footer (page cut off?)")
        )
    return problems


def _block_values(block: Block) -> dict[str, object]:
    """Where each field sits in a legacy review block (cleaning is the loader's job)."""
    actions = block.first("actions", tag="div")
    permalink = link(actions, "/review/")
    rating = block.first("rating-other-user-rating")
    author = block.first("display-name-link")
    helpful = _HELPFUL.search(actions.text or "") if actions is not None else None
    return {
        "review_id": [block.root.get("data-review-id"), permalink],
        "rating": [s.text for s in rating.iterchildren("span") if not s.get("class")]
        if rating is not None
        else None,
        "headline": block.text("title", tag="a"),
        "author": text_content(author) if author is not None else None,
        "author_id": link(author, "/user/"),
        "date": block.text("review-date"),
        "spoiler": block.first("spoiler-warning", tag="span") is not None,
        "text": block.first("text", "show-more__control"),
        "helpful_yes": helpful.group(1) if helpful else None,
        "helpful_total": helpful.group(2) if helpful else None,
        "permalink": [permalink, link(block.first("title", tag="a"))],
    }


class LegacyReviewPage:
    layout: ClassVar[str] = "legacy"

    @staticmethod
    def matches(page: Selector) -> bool:
        # One walk that stops at the first marker: linear in the page at worst
        # (an XPath ``//div[...]`` merges its results in quadratic time).
        return any(
            not MARKER_CLASSES.isdisjoint(div.get("class", "").split())
            for div in page.root.iter("div")
        )

    @staticmethod
    def parse(page: Selector, context: PageContext) -> ParsedPage:
        # One walk over the page's divs indexes them by class; the rest are lookups
        # (the blocks, the heading's container, the lister and the load-more widget
        # are all divs).
        index = Block(page.root, tags=("div",))
        blocks = [Block(node) for node in index.all("imdb-user-review", tag="div")]
        heading = _movie_heading(index)
        title_id = _title_id(page, index, blocks) or context.title_id
        # Pagination fragments show no heading: the crawl hints what page 1 said.
        defaults = page_defaults(
            title_id=title_id,
            movie_title=[_heading_text(heading, "a"), context.movie_title],
            movie_year=[_heading_text(heading, "span"), context.movie_year],
            source_url=context.url,
            scraped_at=context.scraped_at,
        )
        result = ParsedPage(
            layout=LegacyReviewPage.layout,
            declared_total=_declared_total(index),
            blocks_found=len(blocks),
            title_id=title_id,
            movie_title=defaults.movie_title,
            movie_year=defaults.movie_year,
            next_page=_next_page(index),
            truncated=context.truncated,
        )
        footers = [_has_footer(block) for block in blocks]
        for number, block in enumerate(blocks, start=1):
            # Only the last block can be cut off, and only a page that is cut (no
            # </html>) or whose other blocks do end in a footer shows it was.
            cut_off = (
                number == len(blocks)
                and not footers[-1]
                and (context.truncated or any(footers[:-1]))
            )
            review = load_review(_block_values(block), defaults)
            result.add(review, _structural_problems(block, cut_off=cut_off))
        return result


def _movie_heading(index: Block) -> etree._Element | None:
    """``<h3 itemprop="name"><a>Title</a> <span class="nobr">(2004)</span></h3>``."""
    for container in index.all("subpage_title_block"):
        for heading in container.iter("h3"):
            if heading.get("itemprop") == "name":
                return heading
    return None


def _heading_text(heading: etree._Element | None, tag: str) -> str | None:
    return heading.findtext(tag) if heading is not None else None


def _title_id(page: Selector, index: Block, blocks: list[Block]) -> str | None:
    """From the page's own links, in order of trust; never from the file name."""
    heading = _movie_heading(index)
    widget = index.first("load-more-data")
    refs = [
        *_TITLE_LINKS(page.root),
        link(heading, "/title/"),
        widget.get("data-ajaxurl") if widget is not None else None,
        *(block.root.get("data-vote-url") for block in blocks[:1]),
    ]
    for ref in refs:
        match = _TITLE_ID.search(ref or "")
        if match:
            return match.group(1)
    return None


def _declared_total(index: Block) -> int | None:
    """The lister header's "44 Reviews"."""
    for lister in index.all("lister", tag="div"):
        for header in lister.iterchildren("div"):
            if "header" in (header.get("class") or "").split():
                match = _REVIEW_COUNT.search(text_content(header))
                if match:
                    return parse_count(match.group(1))
    return None


def _next_page(index: Block) -> LoadMore | None:
    widget = index.first("load-more-data")
    if widget is None:
        return None
    key = clean_line(widget.get("data-key") or "")
    ajax_url = clean_line(widget.get("data-ajaxurl") or "")
    if not key or not ajax_url:
        return None
    return LoadMore(ajax_url, key)
