"""A stop signal always ends a run, within ``SHUTDOWN_TIMEOUT`` seconds.

On SIGTERM/SIGINT Scrapy stops the crawler gracefully: the spider closes once
every page in flight is done, however long a slow server (or a retry's
back-off) makes that. This extension notices the stop (the crawler is no longer
``crawling``) and waits ``SHUTDOWN_TIMEOUT`` seconds at most; then the archive
commits what the run holds (`ArchiveRun.commit_now`), the manifest
saying ``interrupted``, and the run ends. A second signal is Scrapy's to
handle: it stops at once, and the archive lock, a `flock`, dies with the process.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import (
    AsyncioLoopingCall,
    CallLaterResult,
    call_later,
    create_looping_call,
)
from twisted.internet.task import LoopingCall

from reviewcrawler.archive.run import ArchiveRun

logger = logging.getLogger(__name__)

SHUTDOWN_REASON = "shutdown"
#: Seconds between looks at whether a stop was asked for.
WATCH_INTERVAL = 0.5


class ShutdownDeadline:
    def __init__(self, crawler: Crawler, timeout: float) -> None:
        self.crawler = crawler
        self.timeout = timeout
        self._watch: AsyncioLoopingCall | LoopingCall | None = None
        self._deadline: CallLaterResult | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, crawler.settings.getfloat("SHUTDOWN_TIMEOUT"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self._watch = create_looping_call(self._look)
        self._watch.start(WATCH_INTERVAL, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self._watch is not None and self._watch.running:
            self._watch.stop()
        if self._deadline is not None:
            self._deadline.cancel()  # nothing happens if it has run

    def _look(self) -> None:
        if self.crawler.crawling or self._deadline is not None:
            return
        self._deadline = call_later(self.timeout, self._expire)

    def _expire(self) -> None:
        logger.warning(
            "Pages still in flight %.0f s after the stop signal (SHUTDOWN_TIMEOUT); "
            "committing what the run holds and stopping",
            self.timeout,
        )
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("finish_reason", SHUTDOWN_REASON)
        archive = self.crawler.get_extension(ArchiveRun)
        if archive is not None:
            archive.commit_now(self.crawler.spider, SHUTDOWN_REASON)
        # Imported here, not at the top: importing it installs the default reactor
        # when none is installed yet (Scrapy's own rule for components).
        from twisted.internet import reactor

        if reactor.running:
            # The reactor is an interface's provider: without zope's mypy plugin its
            # methods look unbound.
            reactor.stop()  # type: ignore[misc]
