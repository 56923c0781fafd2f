"""scrapy-redis's scheduler and dupefilter, adapted to rounds and to losing Redis.

- `RoundDupeFilter` namespaces a title page's fingerprint by the title's round,
  so a title enqueued again (a new round) is crawled again, while the workers of
  one round never fetch a page twice.
- `ClusterScheduler` drops requests of a stale round (the title was enqueued
  again, or its lease ran out and it was restarted), and turns a lost Redis
  into one error line and a clean stop instead of a traceback per call.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from redis.exceptions import RedisError
from scrapy import Request, Spider
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from reviewcrawler.cluster.worker import ClusterWorker, title_round

logger = logging.getLogger(__name__)

STATS_PREFIX = "reviewcrawler/cluster"


class RoundDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # scrapy-redis is untyped
    def request_fingerprint(self, request: Request) -> str:
        fingerprint: str = super().request_fingerprint(request)
        tagged = title_round(request)
        if tagged is None:
            return fingerprint
        title_id, round_ = tagged
        return hashlib.sha1(f"{title_id}:{round_}:{fingerprint}".encode()).hexdigest()


class ClusterScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis is untyped
    worker: ClusterWorker | None = None
    df: Any

    @classmethod
    def from_crawler(cls, crawler: Any) -> ClusterScheduler:
        scheduler: ClusterScheduler = super().from_crawler(crawler)
        scheduler.worker = crawler.get_extension(ClusterWorker)
        return scheduler

    def open(self, spider: Spider) -> None:
        """scrapy-redis's own, but logging through a logger: its ``spider.log()`` is deprecated."""
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            logger.info("Resuming the shared crawl (%d requests queued)", len(self.queue))

    def enqueue_request(self, request: Request) -> bool:
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
        except RedisError as error:
            self._lost(error)
            return False
        self._count("enqueued")
        return True

    def next_request(self) -> Request | None:
        try:
            while True:
                request: Request | None = self.queue.pop(self.idle_before_close)
                if request is None or self._current(request):
                    break
                self._count("stale_dropped")
        except RedisError as error:
            self._lost(error)
            return None
        if request is not None:
            self._count("dequeued")
        return request

    def has_pending_requests(self) -> bool:
        try:
            return len(self) > 0
        except RedisError as error:
            self._lost(error)
            return False

    def _current(self, request: Request) -> bool:
        tagged = title_round(request)
        if tagged is None or self.worker is None:
            return True
        current = self.worker.state.is_current(*tagged)
        if not current:
            logger.debug("Dropped %s: its title was restarted in a later round", request.url)
        return current

    def _count(self, name: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/scheduler/{name}")

    def _lost(self, error: RedisError) -> None:
        if self.worker is not None:
            self.worker.lose(error)
