"""The spider's callbacks as Scrapy's own tools and defaults reach them: a request
without a callback, ``scrapy parse``, ``scrapy check``; and the USER_AGENT warning."""

from __future__ import annotations

import ast
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_twisted
from scrapy import Spider, signals
from scrapy.crawler import CrawlerRunner
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_reactor_settings

from reviewcrawler.outcome import ExitStatus, exit_status
from reviewcrawler.spiders.reviews import ReviewsSpider
from tests.conftest import FIXTURES, project_settings, read_jsonl, scrapy_cmd, site_settings
from tests.legacypages import TITLE_ID

PAGE_1 = FIXTURES / "legacy" / "pusher2-page1.html"


class WithoutCallbacks(ReviewsSpider):
    """The reviews spider whose start requests name no callback (nor errback)."""

    async def start(self) -> AsyncIterator[Any]:
        async for request in super().start():
            yield request.replace(callback=None, errback=None)


async def crawl_without_callbacks(settings: dict[str, Any], **arguments: str):
    runner = CrawlerRunner({"TELNETCONSOLE_ENABLED": False, **get_reactor_settings(), **settings})
    crawler = runner.create_crawler(WithoutCallbacks)
    items: list[Any] = []

    def scraped(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(scraped, signal=signals.item_scraped)
    await crawler.crawl_async(**arguments)
    assert crawler.stats is not None
    return items, crawler.stats.get_stats()


def test_the_spider_leaves_scrapy_own_parse_entry_point_alone():
    # Scrapy calls Spider._parse for a request without a callback; the spider
    # must not replace it with a method of another signature.
    assert ReviewsSpider._parse is Spider._parse
    assert ReviewsSpider.parse is not Spider.parse


@pytest_twisted.inlineCallbacks
def test_a_saved_page_requested_without_a_callback_is_read(tmp_path):
    items, stats = yield deferred_from_coro(
        crawl_without_callbacks(project_settings(), path=str(PAGE_1))
    )
    golden = read_jsonl(PAGE_1.with_suffix(".jsonl"))
    assert [item.review_id for item in items] == [g["review_id"] for g in golden]
    assert items[0].title_id == "tt0396184"
    assert exit_status(stats) is ExitStatus.COMPLETE


@pytest_twisted.inlineCallbacks
def test_a_title_page_requested_without_a_callback_is_crawled_to_its_end(local_site):
    local_site.serve_title([range(0, 3), range(3, 5)])
    items, stats = yield deferred_from_coro(
        crawl_without_callbacks(site_settings(local_site), title=TITLE_ID)
    )
    assert len(items) == 5
    assert {item.title_id for item in items} == {TITLE_ID}
    assert stats[f"reviewcrawler/title/{TITLE_ID}/pages"] == 2
    assert exit_status(stats) is ExitStatus.COMPLETE


# scrapy parse / scrapy check --------------------------------------------------------


def scraped_items(stdout: str) -> list[dict[str, Any]]:
    """The items `scrapy parse` prints (a Python literal after "# Scraped Items")."""
    block = stdout.split("# Scraped Items", 1)[1].split("\n", 1)[1].split("# Requests", 1)[0]
    items: list[dict[str, Any]] = ast.literal_eval(block.strip())
    return items


def test_scrapy_parse_prints_a_saved_page_reviews(tmp_path):
    archive = tmp_path / "archive"
    done = scrapy_cmd(
        "parse", "--spider", "reviews", PAGE_1.as_uri(), "-s", f"ARCHIVE_DIR={archive}"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    items = scraped_items(done.stdout)
    golden = read_jsonl(PAGE_1.with_suffix(".jsonl"))
    assert [item["review_id"] for item in items] == [g["review_id"] for g in golden]
    assert items[0]["text"] == golden[0]["text"]
    assert "Traceback" not in done.stderr
    assert not archive.exists()  # printing reviews opens no archive run


def test_scrapy_parse_reads_a_recorded_title_page(tmp_path):
    recording = _recording(tmp_path / "recording")
    url = json.loads(PAGE_1.with_suffix(".meta.json").read_text(encoding="utf-8"))["url"]
    done = scrapy_cmd("parse", "--spider", "reviews", "-a", f"replay={recording}", url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(scraped_items(done.stdout)) == 25
    # Routed as in a crawl: the page names its next page.
    assert re.search(r"<GET \S+/title/tt0396184/reviews/_ajax\?\S*paginationKey=", done.stdout)


def test_scrapy_check_runs_the_contracts_offline(tmp_path):
    archive = tmp_path / "archive"
    done = scrapy_cmd("check", "reviews", "-s", f"ARCHIVE_DIR={archive}")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    output = done.stdout + done.stderr
    ran = re.search(r"Ran (\d+) contracts?", output)
    assert ran and int(ran.group(1)) >= 2
    assert "OK" in output
    assert not archive.exists()
    listed = scrapy_cmd("check", "--list", "reviews")
    assert "* parse\n" in listed.stdout and "* parse_page" in listed.stdout


# USER_AGENT --------------------------------------------------------------------------

PLACEHOLDER = "USER_AGENT still names the placeholder contact"


async def _crawl(settings: dict[str, Any], **arguments: str) -> None:
    runner = CrawlerRunner({"TELNETCONSOLE_ENABLED": False, **get_reactor_settings(), **settings})
    await runner.create_crawler(ReviewsSpider).crawl_async(**arguments)


def _recording(directory: Path) -> Path:
    """A recording of the title's first page at its IMDb URL."""
    (directory / "bodies").mkdir(parents=True)
    (directory / "bodies" / "page1.html").write_bytes(PAGE_1.read_bytes())
    url = json.loads(PAGE_1.with_suffix(".meta.json").read_text(encoding="utf-8"))["url"]
    (directory / "manifest.json").write_text(json.dumps({url: "bodies/page1.html"}))
    return directory


@pytest_twisted.inlineCallbacks
def test_a_live_crawl_with_the_placeholder_contact_warns_once(local_site, caplog):
    local_site.serve_title([range(0, 2)])
    with caplog.at_level(logging.WARNING):
        yield deferred_from_coro(_crawl(site_settings(local_site), title=TITLE_ID))
    warnings = [r for r in caplog.records if PLACEHOLDER in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "set USER_AGENT" in warnings[0].getMessage()


@pytest_twisted.inlineCallbacks
def test_no_warning_with_a_real_contact_a_replay_or_saved_pages(local_site, tmp_path, caplog):
    local_site.serve_title([range(0, 2)])
    own = "reviewcrawler/0.1 (+https://example.net/films; contact: films@uni.example)"
    with caplog.at_level(logging.WARNING):
        yield deferred_from_coro(_crawl(site_settings(local_site, USER_AGENT=own), title=TITLE_ID))
        yield deferred_from_coro(_crawl(project_settings(), path=str(PAGE_1)))
        replay = str(_recording(tmp_path / "recording"))
        yield deferred_from_coro(_crawl(project_settings(), title=TITLE_ID, replay=replay))
    assert any("INCOMPLETE" in r.getMessage() for r in caplog.records)  # the replay ran
    assert not [r for r in caplog.records if PLACEHOLDER in r.getMessage()]
