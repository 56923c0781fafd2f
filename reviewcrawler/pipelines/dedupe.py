"""Drop a review already seen in this run (same page saved twice, overlapping pages)."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from reviewcrawler.items import Review

STATS_KEY = "reviewcrawler/duplicates_in_run"


class DuplicateReview(DropItem):
    pass


class DeduplicateReviewsPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Review) or item.review_id is None:
            return item
        if item.review_id in self.seen:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STATS_KEY)
            raise DuplicateReview(
                f"duplicate {item.review_id} (already read in this run), from {item.source_url}",
                log_level="INFO",
            )
        self.seen.add(item.review_id)
        return item
