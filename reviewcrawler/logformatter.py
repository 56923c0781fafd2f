"""Log dropped items as one line (the reason), not as a dump of the whole item;
log scraped items only when that line would be shown."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from scrapy.spiders import Spider
from twisted.python.failure import Failure


class ReviewLogFormatter(LogFormatter):
    def __init__(self, log_level: int | str = logging.DEBUG) -> None:
        super().__init__()
        level = logging.getLevelName(log_level) if isinstance(log_level, str) else log_level
        #: Scrapy filters by LOG_LEVEL in its handler, after a record is made: a
        #: "Scraped from" line per review would be made and thrown away at INFO.
        self.item_lines = not isinstance(level, int) or level <= logging.DEBUG

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.get("LOG_LEVEL") or logging.DEBUG)

    # Scrapy logs nothing for a None result, though its annotation does not say so.
    def scraped(  # type: ignore[override]
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult | None:
        if not self.item_lines:
            return None  # Scrapy logs nothing for it
        return super().scraped(item, response, spider)

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped: %(exception)s"
        return result
