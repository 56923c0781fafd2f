"""Record every live response (``RECORD_DIR``) so that ``-a replay=DIR`` can repeat the run.

It sits between `RetryMiddleware` and `HttpCompressionMiddleware`: it sees
bodies decompressed, as the parser gets them, and every attempt, including
the 503 that a retry then replaces (those go to the WARC file only).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from reviewcrawler.recording import RecordingWriter

logger = logging.getLogger(__name__)

STATS_KEY = "reviewcrawler/recorded"


class RecordMiddleware:
    def __init__(self, crawler: Crawler, writer: RecordingWriter) -> None:
        self.crawler = crawler
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        directory = crawler.settings.get("RECORD_DIR")
        if not directory:
            raise NotConfigured
        software = f"reviewcrawler (Scrapy {scrapy.__version__})"
        middleware = cls(crawler, RecordingWriter(Path(directory), software))
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        logger.info("Recording every response into %s", directory)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        if urlsplit(response.url).scheme in ("http", "https"):
            self.writer.add(request, response)
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STATS_KEY)
        return response

    def close(self) -> None:
        self.writer.close()
        logger.info("Recording written: %s", self.writer.directory)
