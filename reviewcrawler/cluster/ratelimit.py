"""``CLUSTER_REQUESTS_PER_SECOND``: one per-site request rate for the whole cluster.

Each request to a host reserves the next free time slot for that host in Redis
(slots ``1/rate`` seconds apart, on Redis's clock, so machines need not agree on
the time) and waits for it. N workers therefore share one rate instead of each
having its own; retries take slots too. It caps the rate of request *starts*;
it does not limit concurrency, and it does not replace each worker's own
DOWNLOAD_DELAY/AutoThrottle, which still apply on top (the slower one wins).
Local files are never rate-limited.
"""

from __future__ import annotations

import asyncio
from typing import Self
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from reviewcrawler.cluster.worker import ClusterWorker

STATS_KEY = "reviewcrawler/cluster/rate_wait_ms"

# Returns the wait as a string: Lua numbers become Redis integers otherwise.
_RESERVE_SLOT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(t, free)
local gap = 1 / tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(at + gap), 'PX', math.ceil((at - t + gap) * 1000) + 1000)
return tostring(at - t)
"""


class ClusterRateLimitMiddleware:
    def __init__(self, crawler: Crawler, worker: ClusterWorker, rate: float) -> None:
        self.crawler = crawler
        self.worker = worker
        self.rate = rate
        self._reserve = worker.state.client.register_script(_RESERVE_SLOT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        rate = crawler.settings.getfloat("CLUSTER_REQUESTS_PER_SECOND")
        worker = crawler.get_extension(ClusterWorker)
        if rate <= 0 or worker is None:
            raise NotConfigured
        return cls(crawler, worker, rate)

    async def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            return
        key = self.worker.state.key(f"rate:{parts.netloc.lower()}")
        try:
            wait = float(self._reserve(keys=[key], args=[self.rate]))
        except RedisError as error:
            self.worker.lose(error)
            raise IgnoreRequest("Redis lost") from None
        if wait > 0:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STATS_KEY, round(wait * 1000))
            await asyncio.sleep(wait)
