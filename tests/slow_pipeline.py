"""Test-only: a pipeline that holds each item for a while, one at a time.

Enabled only by tests (``-s ITEM_PIPELINES=...``) after the archive pipeline, so
that a subprocess crawl is still mid-write when the test kills or stops it.
"""

from __future__ import annotations

import asyncio
from typing import Any, Self

from scrapy.crawler import Crawler


class SlowPipeline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.one_at_a_time = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getfloat("TEST_SLOW_ITEM_SECONDS", 0.5))

    async def process_item(self, item: Any) -> Any:
        async with self.one_at_a_time:
            await asyncio.sleep(self.seconds)
        return item
