"""Archive each valid review the archive does not already hold, pass every one on.

Feed exports (``-O``) see every valid, non-duplicate review of the run, whether
or not the archive held it; the archive gets only new reviews and new versions
(see `reviewcrawler.archive.writer.RunWriter.archive`). Counted in the stats as
``reviewcrawler/archive/{new,changed,unchanged}``.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from reviewcrawler.archive.run import ArchiveRun
from reviewcrawler.archive.writer import Verdict
from reviewcrawler.items import Review, as_record

STATS_PREFIX = "reviewcrawler/archive"
#: Each verdict's stats key, built once rather than per review.
VERDICT_KEYS = {verdict: f"{STATS_PREFIX}/{verdict}" for verdict in Verdict}


class ArchivePipeline:
    def __init__(self, crawler: Crawler, run: ArchiveRun) -> None:
        self.crawler = crawler
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured  # switched off on purpose: nothing to warn about
        run = crawler.get_extension(ArchiveRun)
        if run is None:
            # Never archive without the lock and the commit the extension owns.
            raise RuntimeError("ArchivePipeline needs ArchiveRun enabled in EXTENSIONS")
        return cls(crawler, run)

    def process_item(self, item: Any) -> Any:
        writer = self.run.writer
        if not isinstance(item, Review) or writer is None:
            return item
        verdict = writer.archive(as_record(item))
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(VERDICT_KEYS[verdict])
        return item
