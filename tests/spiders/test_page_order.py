"""A title's next page is requested only once its page's items went through the pipelines.

In cluster mode the items reach Redis in the pipelines and the next page's request
in the scheduler: a worker lost between the two must never leave the next page
queued while reviews of this page are not in the stream (`crawl/settling.py`).
"""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any, ClassVar, Self

import pytest_twisted
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.items import Review
from tests.conftest import crawl, site_settings
from tests.legacypages import TITLE_ID

PAGES = [range(1, 5), range(5, 9), range(9, 12)]


class RecordingPipeline:
    """Takes its time over each item and notes, in order, items done and pages asked for."""

    events: ClassVar[list[tuple[str, str]]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        crawler.signals.connect(cls.scheduled, signal=signals.request_scheduled)
        return cls()

    @classmethod
    def scheduled(cls, request: Request) -> None:
        cls.events.append(("request", request.url))

    async def process_item(self, item: Any) -> Any:
        await asyncio.sleep(0.02)
        if isinstance(item, Review):
            self.events.append(("item", item.source_url or ""))
        return item


@pytest_twisted.ensureDeferred
async def test_the_next_page_waits_for_the_items_of_the_page_before(local_site):
    local_site.serve_title(PAGES)
    RecordingPipeline.events.clear()
    settings = site_settings(
        local_site,
        ITEM_PIPELINES={
            "reviewcrawler.pipelines.validate.ValidateReviewsPipeline": 100,
            "reviewcrawler.pipelines.dedupe.DeduplicateReviewsPipeline": 200,
            f"{__name__}.RecordingPipeline": 900,
        },
        ARCHIVE_ENABLED=False,
    )
    result = await deferred_from_coro(crawl(settings, order="helpful", title=TITLE_ID))
    assert len(result.items) == 11
    events = RecordingPipeline.events
    requests = [url for kind, url in events if kind == "request" and "/reviews" in url]
    assert len(requests) == len(PAGES)
    # Every item of a page is done before the request that page led to.
    for page_url, next_url in pairwise(requests):
        done = [i for i, event in enumerate(events) if event == ("item", page_url)]
        assert done, page_url
        assert max(done) < events.index(("request", next_url)), events
