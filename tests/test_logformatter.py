"""Scraped-item lines are made only when LOG_LEVEL shows them; drops stay one line."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from reviewcrawler.items import Review
from reviewcrawler.logformatter import ReviewLogFormatter


@pytest.mark.parametrize(("level", "shown"), [("DEBUG", True), ("INFO", False), ("ERROR", False)])
def test_scraped_line_only_when_shown(level: str, shown: bool) -> None:
    crawler = get_crawler(Spider, {"LOG_LEVEL": level})
    formatter = ReviewLogFormatter.from_crawler(crawler)
    line = formatter.scraped(Review(review_id="rw1"), None, Spider("s"))
    assert (line is not None) == shown
    if shown:
        assert line is not None and "rw1" in repr(line["args"])


def test_dropped_is_one_line() -> None:
    crawler = get_crawler(Spider, {"LOG_LEVEL": "INFO"})
    spider = Spider.from_crawler(crawler, "s")
    formatter = ReviewLogFormatter.from_crawler(crawler)
    line = formatter.dropped(Review(review_id="rw1"), DropItem("bad date"), None, spider)
    assert line["msg"] % line["args"] == "Dropped: bad date"
