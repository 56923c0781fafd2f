"""Retries wait: Retry-After when the server gives one, else a doubling backoff."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import pytest_twisted
from scrapy import Request, Spider
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError as DownloadTimeout

from reviewcrawler.middlewares.retry import BackoffRetryMiddleware, retry_after_seconds
from reviewcrawler.outcome import ExitStatus, exit_status
from tests.conftest import crawl, project_settings, site_settings
from tests.legacypages import TITLE_ID
from tests.localsite import Reply

TWO_PAGES = [range(1, 4), range(4, 6)]
COMPLETE = f"reviewcrawler/title/{TITLE_ID}/complete"


@pytest_twisted.inlineCallbacks
def test_a_503_is_retried_and_the_crawl_completes(local_site):
    paths = local_site.serve_title(TWO_PAGES)
    local_site.serve_first(paths[0], Reply("busy", status=503))
    result = yield deferred_from_coro(crawl(site_settings(local_site), title=TITLE_ID))
    assert len(local_site.hits_of(paths[0])) == 2
    assert len(result.items) == 5
    assert result.stats["retry/count"] == 1
    assert result.stats[COMPLETE] == 1


@pytest_twisted.inlineCallbacks
def test_a_429_with_retry_after_is_waited_out(local_site):
    paths = local_site.serve_title(TWO_PAGES)
    local_site.serve_first(paths[1], Reply("slow down", status=429, headers={"Retry-After": "1"}))
    result = yield deferred_from_coro(crawl(site_settings(local_site), title=TITLE_ID))
    first, second = local_site.hits_of(paths[1])
    assert second.at - first.at >= 0.95
    assert len(result.items) == 5
    assert result.stats[COMPLETE] == 1


@pytest_twisted.inlineCallbacks
def test_a_retry_after_beyond_the_cap_is_not_waited_for(local_site, caplog):
    paths = local_site.serve_title(TWO_PAGES)
    local_site.serve(
        paths[1], Reply("come back tomorrow", status=429, headers={"Retry-After": "86400"})
    )
    result = yield deferred_from_coro(crawl(site_settings(local_site), title=TITLE_ID))
    assert len(local_site.hits_of(paths[1])) == 1
    assert len(result.items) == 3
    assert "the server asks to wait 86400 s" in caplog.text
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE


@pytest_twisted.inlineCallbacks
def test_giving_up_after_retries_keeps_what_was_read_and_is_incomplete_not_failed(local_site):
    paths = local_site.serve_title(TWO_PAGES)
    local_site.serve(paths[1], Reply("down", status=503))
    settings = site_settings(local_site, RETRY_TIMES=2)
    started = time.monotonic()
    result = yield deferred_from_coro(crawl(settings, title=TITLE_ID))
    hits = local_site.hits_of(paths[1])
    assert len(hits) == 3
    # Backoff 0.05 s, then 0.1 s.
    assert hits[2].at - hits[1].at >= 0.09
    assert time.monotonic() - started < 5
    assert len(result.items) == 3
    assert result.stats.get("log_count/ERROR", 0) == 0
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE


def test_retry_after_in_seconds_or_as_an_http_date():
    assert retry_after_seconds(b"120") == 120
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(soon.encode()) <= 30
    past = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    assert retry_after_seconds(past.encode()) == 0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


def middleware(**settings) -> BackoffRetryMiddleware:
    crawler = get_crawler(Spider, project_settings(**settings))
    crawler.spider = crawler._create_spider("backoff")
    return BackoffRetryMiddleware.from_crawler(crawler)


def test_backoff_doubles_up_to_the_cap():
    retry = middleware(RETRY_BACKOFF_BASE=2.0, RETRY_BACKOFF_MAX=5.0)
    assert [retry.backoff(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 5.0, 5.0]


@pytest_twisted.inlineCallbacks
def test_a_timeout_is_retried_after_a_backoff():
    retry = middleware(RETRY_BACKOFF_BASE=0.2)
    started = time.monotonic()
    again = yield deferred_from_coro(
        retry.process_exception(Request("https://www.imdb.com/"), DownloadTimeout())
    )
    assert isinstance(again, Request)
    assert again.meta["retry_times"] == 1
    assert time.monotonic() - started == pytest.approx(0.2, abs=0.15)
