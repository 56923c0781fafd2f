"""Serve every request from a recording (``REPLAY_DIR``); never touch the network.

It sits after `RobotsTxtMiddleware`, so a replay obeys the recorded robots.txt
exactly as the live crawl did, and before the downloader, so no request
reaches it: a URL missing from the recording fails with `ReplayMiss`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, JsonResponse, Request, Response, TextResponse

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
        body = self.recording.body(request.url)
        is_robots = urlsplit(request.url).path == "/robots.txt"
        if body is None and is_robots:
            # A recording without robots.txt must not stop the replay.
            stats.inc_value(f"{STATS_PREFIX}/robots_allow_all")
            body = ALLOW_ALL
        elif body is None:
            stats.inc_value(f"{STATS_PREFIX}/misses")
            logger.warning("Replay miss: %s is not in %s", request.url, self.recording.source)
            raise ReplayMiss(f"not in the recording {self.recording.source}")
        else:
            stats.inc_value(f"{STATS_PREFIX}/hits")
        return _response_class(body, is_robots)(
            url=request.url, status=200, body=body, request=request, flags=["replay"]
        )


def _response_class(body: bytes, is_robots: bool) -> type[TextResponse]:
    """A recording keeps bodies, not headers: a JSON body (a GraphQL answer) is
    told apart by its first character, as no HTML page starts with ``{``."""
    if is_robots:
        return TextResponse
    if body.lstrip()[:1] in (b"{", b"["):
        return JsonResponse
    return HtmlResponse
