"""Serve every request from a recording (``REPLAY_DIR``); never touch the network.

It sits after `RobotsTxtMiddleware`, so a replay obeys the recorded robots.txt
exactly as the live crawl did, and before the downloader, so no request
reaches it: a URL missing from the recording fails with `ReplayMiss`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from reviewcrawler.filepages import saved_response
from reviewcrawler.recording import Recording

logger = logging.getLogger(__name__)

STATS_PREFIX = "reviewcrawler/replay"
#: An empty robots.txt allows everything.
ALLOW_ALL = b""


class ReplayMiss(IgnoreRequest):
    """The request has no response in the recording."""


class ReplayMiddleware:
    def __init__(self, crawler: Crawler, recording: Recording) -> None:
        self.crawler = crawler
        self.recording = recording

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        source = crawler.settings.get("REPLAY_DIR")
        if not source:
            raise NotConfigured
        recording = Recording.open(Path(source))
        logger.info("Replaying %d recorded responses from %s", len(recording), source)
        return cls(crawler, recording)

    def process_request(self, request: Request) -> Response:
        stats = self.crawler.stats
        assert stats is not None
        found = self.recording.find(request.url)
        if found is None and urlsplit(request.url).path == "/robots.txt":
            # A recording without robots.txt must not stop the replay.
            stats.inc_value(f"{STATS_PREFIX}/robots_allow_all")
            return saved_response(request.url, ALLOW_ALL, "robots.txt", **self._as_served(request))
        if found is None:
            stats.inc_value(f"{STATS_PREFIX}/misses")
            logger.warning("Replay miss: %s is not in %s", request.url, self.recording.source)
            raise ReplayMiss(f"not in the recording {self.recording.source}")
        stats.inc_value(f"{STATS_PREFIX}/hits")
        body, recorded = found
        return saved_response(
            request.url, body, recorded.name, recorded.content_type, **self._as_served(request)
        )

    @staticmethod
    def _as_served(request: Request) -> dict[str, Any]:
        return {"status": 200, "request": request, "flags": ["replay"]}
