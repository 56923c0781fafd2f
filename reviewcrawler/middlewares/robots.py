"""robots.txt obeyed as Scrapy does, its outages one warning line instead of a traceback.

When robots.txt cannot be fetched (no DNS, refused, timed out), Scrapy's
`RobotsTxtMiddleware` logs an ERROR with two chained tracebacks and goes on
as if there were no robots.txt. The run then fails (exit 1) for an outage that,
with ``ROBOTSTXT_OBEY=False``, makes its titles incomplete (exit 3). Here that
record is caught on its way out, counted (``reviewcrawler/robots_txt_unavailable``)
and logged as one warning; the page itself then meets the same outage, and its
title is incomplete either way.
"""

from __future__ import annotations

import logging
from typing import Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import robotstxt
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.statscollectors import StatsCollector

UNAVAILABLE_STAT = "reviewcrawler/robots_txt_unavailable"


class OutageSummary(logging.Filter):
    """Turns the middleware's ERROR-with-traceback into one WARNING line, counted."""

    def __init__(self, stats: StatsCollector) -> None:
        super().__init__()
        self.stats = stats

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or not isinstance(record.args, dict):
            return True
        request, error = record.args.get("request"), record.args.get("f_exception")
        host = urlsplit(getattr(request, "url", "")).netloc or "the site"
        self.stats.inc_value(UNAVAILABLE_STAT)
        record.msg = "robots.txt of %s could not be fetched (%s); its pages are tried anyway"
        record.args = (host, error)
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = record.exc_text = None
        return True


class OutageTolerantRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)  # NotConfigured unless ROBOTSTXT_OBEY
        assert crawler.stats is not None
        self._summary = OutageSummary(crawler.stats)
        self._logger = logging.getLogger(robotstxt.__name__)
        self._logger.addFilter(self._summary)
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _spider_closed(self) -> None:
        self._logger.removeFilter(self._summary)
