"""Saved pages hand their reviews over in ``path=`` order, however fast each is read:
of a review saved twice with different content, the run keeps the first page's."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler import settings as project
from reviewcrawler.pipelines.dedupe import STATS_KEY as DUPLICATES_KEY
from tests.conftest import crawl, project_settings, read_jsonl, scrapy_cmd
from tests.pages import review, write_pages

SLOW_PAGE_SECONDS = 0.5


class SlowFirstPage:
    """A downloader middleware holding back the response of any page named ``slow-*``:
    read last, though named first."""

    async def process_response(self, request: Request, response: Response) -> Response:
        if Path(request.url).name.startswith("slow-"):
            await asyncio.sleep(SLOW_PAGE_SECONDS)
        return response


def saved_twice(pages: Path) -> None:
    """Review 1 on both pages, its text edited on the second; review 2/3 one each."""
    write_pages(
        pages,
        {
            "slow-a.html": [review(1, text="As first saved."), review(2)],
            "b.html": [review(1, text="As saved later."), review(3)],
        },
    )


async def crawl_in_order(*pages: Path) -> Any:
    middlewares = {**project.DOWNLOADER_MIDDLEWARES, f"{__name__}.SlowFirstPage": 950}
    settings = project_settings(DOWNLOADER_MIDDLEWARES=middlewares, PARSE_PROCESSES=0)
    return await deferred_from_coro(
        crawl(settings, path=",".join(str(page) for page in pages))
    )


@pytest.mark.parametrize("first", ["slow-a.html", "b.html"])
@pytest_twisted.ensureDeferred
async def test_the_page_named_first_gives_a_review_saved_twice(tmp_path, first):
    pages = tmp_path / "pages"
    saved_twice(pages)
    second = "b.html" if first == "slow-a.html" else "slow-a.html"
    result = await crawl_in_order(pages / first, pages / second)

    texts = {item.review_id: item.text for item in result.items}
    expected = "As first saved." if first == "slow-a.html" else "As saved later."
    assert texts["rw1001"].startswith(expected)
    assert sorted(texts) == ["rw1001", "rw1002", "rw1003"]
    assert result.stats[DUPLICATES_KEY] == 1
    # Each page's reviews together, the pages in the order named.
    sources = [Path(item.source_url).name for item in result.items]
    assert sources == sorted(sources, key=[first, second].index)


@pytest_twisted.ensureDeferred
async def test_a_page_that_cannot_be_read_holds_up_none_after_it(tmp_path):
    pages = tmp_path / "pages"
    saved_twice(pages)
    os.mkfifo(pages / "a-fifo.html")  # skipped with one line, never opened
    result = await crawl_in_order(pages)
    assert len(result.items) == 3
    assert result.stats["reviewcrawler/pages_skipped"] == 1


def test_pages_handed_over_last_named_first_still_end(tmp_path):
    """A last-in-first-out start queue hands the pages over backwards, and waiting
    pages hold their responses (past SCRAPER_SLOT_MAX_ACTIVE_SIZE, Scrapy takes no
    new request): the run still ends, with every review."""
    pages = tmp_path / "pages"
    write_pages(pages, {f"p{n:02}.html": [review(2 * n), review(2 * n + 1)] for n in range(12)})
    out = tmp_path / "out.jsonl"
    done = scrapy_cmd(
        "crawl", "reviews", "-a", f"path={pages}", "-O", str(out),
        "-s", "SCHEDULER_START_MEMORY_QUEUE=scrapy.squeues.LifoMemoryQueue",
        "-s", "SCRAPER_SLOT_MAX_ACTIVE_SIZE=1", "-s", "PARSE_PROCESSES=0",
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(read_jsonl(out)) == 24
