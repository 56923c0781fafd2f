"""IMDb's legacy review page (server-rendered, served until 2024).

A page is ``/title/ttN/reviews``; further pages are HTML fragments of the same
review blocks from ``/title/ttN/reviews/_ajax?paginationKey=KEY``, announced by
the load-more widget at the bottom of each page.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import ClassVar
from urllib.parse import urljoin

from parsel import Selector, SelectorList
from w3lib.url import add_or_replace_parameters

from reviewcrawler.items import RejectedReview, Review
from reviewcrawler.loaders import ReviewLoader, clean_line, parse_count, parse_year
from reviewcrawler.parsers.base import PageContext, ParsedPage
from reviewcrawler.parsers.xpath import has_class

IMDB_ROOT = "https://www.imdb.com/"

BLOCKS = f"//div[{has_class('imdb-user-review')}]"
# Any of these says "this is (part of) a legacy review listing", even when the
# review blocks themselves can no longer be found (layout drift).
MARKERS = " | ".join(
    (
        BLOCKS,
        f"//div[{has_class('lister-list')}]",
        f"//div[{has_class('load-more-data')}]",
        f"//div[{has_class('lister')}]/div[{has_class('header')}]",
    )
)
TITLE_REFS = " | ".join(
    (
        "//link[@rel='canonical']/@href",
        "//meta[@property='og:url']/@content",
        "//h3[@itemprop='name']/a/@href",
        f"//div[{has_class('load-more-data')}]/@data-ajaxurl",
        f"{BLOCKS}/@data-vote-url",
    )
)
MOVIE_TITLE = "//h3[@itemprop='name']/a/text()"
MOVIE_YEAR = f"//h3[@itemprop='name']/span[{has_class('nobr')}]/text()"
DECLARED_TOTAL = f"//div[{has_class('lister')}]/div[{has_class('header')}]//span/text()"
LOAD_MORE = f"//div[{has_class('load-more-data')}]"

# Relative to one review block.
RATING = (
    f".//span[{has_class('rating-other-user-rating')}]/span[not({has_class('point-scale')})]/text()"
)
HEADLINE = f"string(.//a[{has_class('title')}])"
HEADLINE_LINK = f".//a[{has_class('title')}]/@href"
AUTHOR_LINK = f".//span[{has_class('display-name-link')}]//a"
DATE = f".//span[{has_class('review-date')}]/text()"
SPOILER = f".//span[{has_class('spoiler-warning')}]"
BODY = f".//div[{has_class('text')} and {has_class('show-more__control')}]"
ACTIONS_TEXT = f".//div[{has_class('actions')}]/text()"
PERMALINK = f".//div[{has_class('actions')}]//a[contains(@href, '/review/')]/@href"
HELPFUL_YES = r"([\d,]+)\s+out\s+of\s+[\d,]+\s+found\s+this\s+helpful"
HELPFUL_TOTAL = r"[\d,]+\s+out\s+of\s+([\d,]+)\s+found\s+this\s+helpful"
_REVIEW_COUNT = re.compile(r"([\d,]+)\s+Reviews?\b", re.IGNORECASE)


class LegacyReviewPage:
    layout: ClassVar[str] = "legacy"

    @staticmethod
    def matches(page: Selector) -> bool:
        return bool(page.xpath(MARKERS))

    @staticmethod
    def parse(page: Selector, context: PageContext) -> ParsedPage:
        title_id = _title_id(page) or context.title_id
        movie_title = clean_line(page.xpath(MOVIE_TITLE).get() or "") or context.movie_title
        movie_year = parse_year(page.xpath(MOVIE_YEAR).get() or "") or context.movie_year
        blocks = page.xpath(BLOCKS)
        result = ParsedPage(
            layout=LegacyReviewPage.layout,
            declared_total=_declared_total(page),
            blocks_found=len(blocks),
            title_id=title_id,
            movie_title=movie_title,
            movie_year=movie_year,
            next_page=_next_page(page, context.url),
            truncated=context.truncated,
        )
        for block in blocks:
            loader = ReviewLoader(selector=block)
            loader.add_xpath("review_id", "@data-review-id")
            loader.add_xpath("review_id", PERMALINK)
            loader.add_value("title_id", title_id)
            loader.add_value("movie_title", movie_title)
            loader.add_value("movie_year", movie_year)
            loader.add_xpath("rating", RATING)
            loader.add_xpath("headline", HEADLINE)
            loader.add_value("author", block.xpath(f"string({AUTHOR_LINK})").get())
            loader.add_xpath("author_id", f"{AUTHOR_LINK}/@href")
            loader.add_xpath("date", DATE)
            loader.add_value("spoiler", bool(block.xpath(SPOILER)))
            loader.add_value("text", block.xpath(BODY))
            loader.add_xpath("helpful_yes", ACTIONS_TEXT, re=HELPFUL_YES)
            loader.add_xpath("helpful_total", ACTIONS_TEXT, re=HELPFUL_TOTAL)
            loader.add_xpath("permalink", PERMALINK)
            loader.add_xpath("permalink", HEADLINE_LINK)
            loader.add_value("source_url", context.url)
            loader.add_value("scraped_at", context.scraped_at)
            review: Review = loader.load_item()
            problems = _structural_problems(block)
            if problems:
                result.rejected.append(
                    RejectedReview(record=asdict(review), reasons=problems, source_url=context.url)
                )
            else:
                result.reviews.append(review)
        return result


def _structural_problems(block: SelectorList | Selector) -> list[str]:
    """Reasons a block cannot be trusted as a whole review.

    Every complete legacy block ends with its actions footer and Permalink; a
    block without one was cut off (a truncated download), so even the body it
    shows may be partial.
    """
    problems = []
    if not block.xpath(BODY):
        problems.append("no review body in block")
    if not block.xpath(PERMALINK):
        problems.append("block ends before its Permalink footer (page cut off?)")
    return problems


def _title_id(page: Selector) -> str | None:
    for ref in page.xpath(TITLE_REFS).getall():
        match = re.search(r"/title/(tt\d+)", ref)
        if match:
            return match.group(1)
    return None


def _declared_total(page: Selector) -> int | None:
    for text in page.xpath(DECLARED_TOTAL).getall():
        match = _REVIEW_COUNT.search(text)
        if match:
            return parse_count(match.group(1))
    return None


def _next_page(page: Selector, url: str) -> str | None:
    widget = page.xpath(LOAD_MORE)
    key = clean_line(widget.xpath("@data-key").get() or "")
    ajax_url = clean_line(widget.xpath("@data-ajaxurl").get() or "")
    if not key or not ajax_url:
        return None
    base = url if url.startswith(("http://", "https://")) else IMDB_ROOT
    # The browser widget sends ref_=undefined too; the key is what matters.
    return add_or_replace_parameters(
        urljoin(base, ajax_url), {"ref_": "undefined", "paginationKey": key}
    )
