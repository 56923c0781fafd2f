"""Cluster mode, turned on by one setting: ``REDIS_URL`` (a Scrapy add-on).

With ``REDIS_URL`` set, a ``scrapy crawl reviews`` becomes a worker: scrapy-redis's
scheduler and dupefilter (through `reviewcrawler.cluster.scheduler`), titles from
Redis, reviews to the stream instead of the archive, the cluster-wide rate cap.
Without it nothing changes. The ingester sets ``CLUSTER_ROLE=ingester`` and
keeps the single-process archive chain untouched.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from reviewcrawler.archive.run import ArchiveRun
from reviewcrawler.pipelines.archive import ArchivePipeline

WORKER_SETTINGS = {
    "SCHEDULER": "reviewcrawler.cluster.scheduler.ClusterScheduler",
    "DUPEFILTER_CLASS": "reviewcrawler.cluster.scheduler.RoundDupeFilter",
    # The shared queue and fingerprints outlive a worker: a restarted one resumes.
    "SCHEDULER_PERSIST": True,
    # A title's next page before a new title's first: titles finish, leases stay short.
    "DEPTH_PRIORITY": -1,
}


class ClusterAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL") or settings.get("CLUSTER_ROLE") != "worker":
            return
        from reviewcrawler.cluster.ratelimit import ClusterRateLimitMiddleware
        from reviewcrawler.cluster.worker import ClusterWorker, StreamPipeline

        for name, value in WORKER_SETTINGS.items():
            settings.set(name, value, priority="addon")
        # A worker takes from the shared queue only what it can fetch now; the
        # rest stays in Redis for idle workers instead of in this one's memory.
        settings.set(
            "CONCURRENT_REQUESTS", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), "addon"
        )
        settings.replace_in_component_priority_dict(
            "ITEM_PIPELINES", ArchivePipeline, StreamPipeline
        )
        settings.set_in_component_priority_dict("EXTENSIONS", ArchiveRun, None)
        settings.set_in_component_priority_dict("EXTENSIONS", ClusterWorker, 500)
        # Just before the downloader: every attempt, retries included, takes a slot.
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", ClusterRateLimitMiddleware, 900
        )
