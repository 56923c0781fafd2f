"""A cluster worker: titles from Redis, leases, and everything it reads sent to the stream.

`ClusterWorker` (an extension) is the title source of the spider's ``start()`` and
its `ArchivedState` (what the ingester keeps in Redis: the caught-up rule),
keeps each title's lease alive while its pages are fetched, sends each title's
outcome when its chain of pages ends, and stops the worker with one line when
Redis is lost. `StreamPipeline` replaces the archive pipeline on workers: each
valid review and each reject goes to the stream; the ingester archives them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, Self

from redis.exceptions import RedisError
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from reviewcrawler.archive.index import TitleState
from reviewcrawler.cluster.connection import connect, redacted
from reviewcrawler.cluster.state import ClusterState, RedisArchivedState
from reviewcrawler.items import InvalidReview, Review, as_record
from reviewcrawler.progress import TITLE_ENDED, TitleProgress

logger = logging.getLogger(__name__)

LOST_STAT = "reviewcrawler/cluster/redis_lost"
#: Seconds between looks for work (a queued title, an expired lease) while idle.
POLL_INTERVAL = 0.5


def title_round(request: Request) -> tuple[str, int] | None:
    """``(title_id, round)`` of a cluster title's page request, else ``None``."""
    progress = request.meta.get("title_progress")
    if not isinstance(progress, TitleProgress) or progress.cluster_round is None:
        return None
    return progress.title_id, progress.cluster_round


class ClusterWorker:
    def __init__(self, crawler: Crawler, state: ClusterState) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.state = state
        #: What the archive holds, kept by the ingester: asked through `holds` and
        #: `title_state`, this worker's `ArchivedState`.
        self.archived = RedisArchivedState(state)
        self.url = redacted(settings.get("REDIS_URL"))
        self.lease = settings.getfloat("CLUSTER_TITLE_LEASE")
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE")
        self.queue_target = settings.getint("CLUSTER_QUEUED_REQUESTS")
        self.lost = False
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured
        state = ClusterState(connect(settings), settings.get("CLUSTER_KEY_PREFIX"))
        worker = cls(crawler, state)
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.page_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(worker.page_received, signal=signals.response_received)
        crawler.signals.connect(worker.title_ended, signal=TITLE_ENDED)
        return worker

    def spider_opened(self, spider: Spider) -> None:
        logger.info("Cluster worker: titles from %s (%s)", self.url, self.state.status().line())

    async def titles(self) -> AsyncIterator[tuple[str, int]]:
        """Titles to crawl, each with its round, until idle for MAX_IDLE_TIME_BEFORE_CLOSE."""
        idle_since = time.monotonic()
        while not self.lost:
            try:
                restarted = self.state.requeue_expired()
                taken = self.state.take_title(self.lease) if self._wants_title() else None
                busy = taken is not None or self._busy()
            except RedisError as error:
                self.lose(error)
                return
            for title_id in restarted:
                logger.warning("%s: its lease ran out (worker gone?); enqueued again", title_id)
            if taken is not None:
                yield taken
            if busy:
                idle_since = time.monotonic()
            elif self.max_idle and time.monotonic() - idle_since >= self.max_idle:
                logger.info("Cluster worker idle for %gs; closing", self.max_idle)
                return
            if taken is None:
                await asyncio.sleep(POLL_INTERVAL)

    def page_scheduled(self, request: Request) -> None:
        self._extend(request)

    def page_received(self, response: Response, request: Request) -> None:
        self._extend(request)

    def title_ended(self, progress: TitleProgress) -> None:
        if progress.cluster_round is None or self.lost:
            return
        params = getattr(self.crawler.spider, "params", None)
        # Everything the ingester needs to report the title and keep its crawl state
        # as a single-process run would (`TitleProgress.stats`).
        outcome = {
            "title_id": progress.title_id,
            "complete": progress.complete,
            "reason": progress.shortfall,
            "pages": progress.pages,
            "reviews": progress.reviews,
            "caught_up": progress.caught_up,
            "new": progress.new,
            "newest_date": progress.newest_date,
            "layout": progress.layout,
            "order": getattr(params, "order", "helpful"),
        }
        try:
            if not self.state.end_title(progress.title_id, progress.cluster_round, outcome):
                logger.info("%s: outcome of a stale round not sent", progress.title_id)
        except RedisError as error:
            self.lose(error)

    def holds(self, record: Mapping[str, Any]) -> bool:
        """`ArchivedState.holds`; ``False`` once Redis is lost (the worker is stopping)."""
        if self.lost:
            return False
        try:
            return self.archived.holds(record)
        except RedisError as error:
            self.lose(error)
            return False

    def title_state(self, title_id: str) -> TitleState | None:
        """`ArchivedState.title_state`; ``None`` once Redis is lost."""
        if self.lost:
            return None
        try:
            return self.archived.title_state(title_id)
        except RedisError as error:
            self.lose(error)
            return None

    def send(self, kind: str, data: dict[str, Any]) -> None:
        if self.lost:
            return
        try:
            self.state.add(kind, data)
        except RedisError as error:
            self.lose(error)

    def lose(self, error: RedisError) -> None:
        """Redis is gone: one line, then stop; what was not sent is read again by a rerun."""
        if self.lost:
            return
        self.lost = True
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(LOST_STAT, 1)
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        logger.error("Lost Redis at %s (%s); worker stopping", self.url, message)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            self._closing = asyncio.ensure_future(engine.close_spider_async(reason="redis_lost"))

    def _extend(self, request: Request) -> None:
        tagged = title_round(request)
        if tagged is None or self.lost:
            return
        try:
            self.state.extend_lease(*tagged, self.lease)
        except RedisError as error:
            self.lose(error)

    def _wants_title(self) -> bool:
        """Start a title only while the shared queue is short: titles finish before new ones."""
        engine = self.crawler.engine
        if engine is None or engine._slot is None:
            return False
        return len(engine._slot.scheduler) < self.queue_target  # type: ignore[arg-type]

    def _busy(self) -> bool:
        engine = self.crawler.engine
        if engine is None or engine._slot is None:
            return True
        if not engine.scraper.slot.is_idle() or engine.downloader.active:  # type: ignore[union-attr]
            return True
        if engine._slot.scheduler.has_pending_requests():
            return True
        # Titles ended but not yet ingested are the ingester's business, not a worker's.
        status = self.state.status()
        return bool(status.queued or status.leased)


class StreamPipeline:
    """Where a worker's reviews go instead of the archive: the Redis stream."""

    def __init__(self, worker: ClusterWorker) -> None:
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        worker = crawler.get_extension(ClusterWorker)
        if worker is None:
            raise NotConfigured("StreamPipeline needs REDIS_URL")
        pipeline = cls(worker)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Review):
            self.worker.send("review", as_record(item))
        return item

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, InvalidReview):
            rejected = exception.rejected
            self.worker.send(
                "reject",
                {
                    "reasons": rejected.reasons,
                    "source_url": rejected.source_url,
                    "record": rejected.record,
                },
            )
