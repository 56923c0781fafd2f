"""Shared test helpers: fixture paths, in-process crawls, `scrapy` subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from reviewcrawler import settings as project
from reviewcrawler.spiders.reviews import ReviewsSpider

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def fixture_path(*parts: str) -> Path:
    return FIXTURES.joinpath(*parts)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@dataclass
class CrawlResult:
    items: list[Any] = field(default_factory=list)
    dropped: list[tuple[Any, BaseException]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def project_settings(**overrides: Any) -> dict[str, Any]:
    """The project's own settings (not Scrapy's defaults) plus `overrides`."""
    settings = {name: value for name, value in vars(project).items() if name.isupper()}
    # The archive is off unless a test gives it a directory (`archive_settings`):
    # a test must never write into the project's own output/.
    settings.update(
        {"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "ARCHIVE_ENABLED": False}
    )
    settings.update(overrides)
    return settings


def archive_settings(archive_dir: Path, **overrides: Any) -> dict[str, Any]:
    """Project settings archiving into `archive_dir` (a test's ``tmp_path``)."""
    return project_settings(
        **{"ARCHIVE_ENABLED": True, "ARCHIVE_DIR": str(archive_dir), **overrides}
    )


async def crawl(settings: dict[str, Any] | None = None, **spider_args: Any) -> CrawlResult:
    """Run the real `reviews` spider through Scrapy's engine, in-process."""
    crawler = get_crawler(ReviewsSpider, settings or project_settings())
    result = CrawlResult()

    def scraped(item: Any) -> None:
        result.items.append(item)

    def dropped(item: Any, exception: BaseException) -> None:
        result.dropped.append((item, exception))

    crawler.signals.connect(scraped, signal=signals.item_scraped)
    crawler.signals.connect(dropped, signal=signals.item_dropped)
    await crawler.crawl_async(**spider_args)
    assert crawler.stats is not None
    result.stats = crawler.stats.get_stats()
    return result


def scrapy_cmd(
    *args: str, cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy ARGS`` as a user would, from the project directory."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
