"""The ``reviews`` spider: decides what to read and hands each page to its parser.

It holds no selectors: markup knowledge lives in `reviewcrawler.parsers`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from pydantic import ValidationError
from scrapy.http import Response
from scrapy.http.response.text import TextResponse

from reviewcrawler.items import RejectedReview, Review
from reviewcrawler.loaders import utc_now
from reviewcrawler.params import ReviewsParams, one_line
from reviewcrawler.parsers import PageContext, looks_truncated, parser_for, why_unreadable

#: Local files share one download slot with no delay: politeness is for http(s).
FILE_SLOT = "local-files"
STATS_PREFIX = "reviewcrawler"


class ReviewsSpider(scrapy.Spider):
    name = "reviews"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = self.check_arguments(kwargs)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k.startswith("_")})

    @classmethod
    def check_arguments(cls, kwargs: dict[str, Any]) -> ReviewsParams:
        """Validated arguments; a `ValueError` with a one-line message if bad."""
        try:
            return ReviewsParams.from_spider_kwargs(kwargs)
        except ValidationError as error:
            raise ValueError(one_line(error)) from None

    async def start(self) -> AsyncIterator[Any]:
        for page in self.params.pages():
            yield scrapy.Request(
                page.as_uri(),
                callback=self.parse_page,
                meta={"download_slot": FILE_SLOT, "autothrottle_dont_adjust_delay": True},
            )

    def parse_page(self, response: Response) -> Iterator[Review | RejectedReview]:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"{STATS_PREFIX}/pages_read")
        reason = _unreadable(response)
        if reason is None:
            page = response.selector  # type: ignore[attr-defined]
            parser = parser_for(page)
            if parser is None:
                verdict = why_unreadable(page)
                reason = verdict.reason
                if verdict.blocked:
                    # IMDb withheld this page's reviews: the run is incomplete.
                    stats.inc_value(f"{STATS_PREFIX}/pages_blocked")
                    stats.inc_value(f"{STATS_PREFIX}/titles_incomplete")
        if reason is not None:
            self.logger.warning("Skipped %s: %s", response.url, reason)
            stats.inc_value(f"{STATS_PREFIX}/pages_skipped")
            return
        assert parser is not None
        truncated = looks_truncated(response.body)
        context = PageContext(
            url=response.url,
            scraped_at=utc_now(),
            title_id=self.params.title[0] if len(self.params.title) == 1 else None,
            truncated=truncated,
        )
        result = parser.parse(page, context)
        stats.inc_value(f"{STATS_PREFIX}/pages/{result.layout}")
        if truncated:
            self.logger.warning("Page cut off (truncated download): %s", response.url)
            stats.inc_value(f"{STATS_PREFIX}/pages_truncated")
        for note in result.notes:
            self.logger.warning("%s: %s", response.url, note.message)
            stats.inc_value(f"{STATS_PREFIX}/notes/{note.kind}")
        if result.drifted:
            self.logger.error(
                "Layout drift: %s announces %s reviews but no review block could be found or read",
                response.url,
                result.declared_total,
            )
            stats.inc_value(f"{STATS_PREFIX}/layout_drift")
        stats.inc_value(f"{STATS_PREFIX}/reviews_seen", len(result.reviews) + len(result.rejected))
        yield from result.reviews
        yield from result.rejected


def _unreadable(response: Response) -> str | None:
    """Why a response cannot hold a review page, if it cannot."""
    if not response.body.strip():
        return "empty file"
    if not isinstance(response, TextResponse):
        return "not an HTML page"
    if b"\x00" in response.body[:4096]:
        return "binary content, not HTML"
    return None
