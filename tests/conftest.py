"""Shared test helpers: fixture paths, in-process crawls, `scrapy` subprocesses."""

from __future__ import annotations

import gc
import json
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests import launcher
from tests.launcher import ROOT
from tests.localsite import LocalSite, running_site

# Scrapy and the project are imported where they are used: the process that starts the
# pytest-xdist workers loads this module too, before it starts them, and runs no test.
if TYPE_CHECKING:
    from scrapy.crawler import Crawler

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
    from reviewcrawler import settings as project

    settings = {name: value for name, value in vars(project).items() if name.isupper()}
    # The archive is off unless a test gives it a directory (`archive_settings`):
    # a test must never write into the project's own output/.
    settings.update({"LOG_LEVEL": "WARNING", "ARCHIVE_ENABLED": False})
    settings.update(overrides)
    return settings


def site_settings(site: LocalSite, **overrides: Any) -> dict[str, Any]:
    """Project settings pointed at `site`, without the delays meant for imdb.com."""
    return project_settings(
        **{
            "IMDB_BASE_URL": site.url,
            "IMDB_GRAPHQL_URL": site.graphql_url,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "RETRY_BACKOFF_BASE": 0.05,
            "RETRY_BACKOFF_MAX": 5.0,
            **overrides,
        }
    )


def reviews_crawler(settings: dict[str, Any]) -> Crawler:
    """A crawler as `scrapy crawl` makes it.

    Unlike `scrapy.utils.test.get_crawler`, its settings stay open until the
    crawl starts, so the spider can set those its arguments name (``record=``).
    """
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.test import get_reactor_settings

    from reviewcrawler.spiders.reviews import ReviewsSpider

    runner = CrawlerRunner(
        {
            "REMOTE_CONTROL_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            **get_reactor_settings(),
            **settings,
        }
    )
    return runner.create_crawler(ReviewsSpider)


def archive_settings(archive_dir: Path, **overrides: Any) -> dict[str, Any]:
    """Project settings archiving into `archive_dir` (a test's ``tmp_path``)."""
    return project_settings(
        **{"ARCHIVE_ENABLED": True, "ARCHIVE_DIR": str(archive_dir), **overrides}
    )


async def crawl(settings: dict[str, Any] | None = None, **spider_args: Any) -> CrawlResult:
    """Run the real `reviews` spider through Scrapy's engine, in-process."""
    from scrapy import signals

    crawler = reviews_crawler(settings or project_settings())
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


def scrapy_cmd(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy ARGS`` as a user would, from the project directory, in a process of
    its own (`tests.launcher`).

    A crawl that names no ``ARCHIVE_DIR`` archives into a fresh temporary
    directory, never into the checkout's ``output/``.
    """
    with tempfile.TemporaryDirectory(prefix="archive-") as scratch:
        if args[:1] == ("crawl",) and not any(arg.startswith("ARCHIVE_DIR=") for arg in args):
            args = (*args, "-s", f"ARCHIVE_DIR={scratch}")
        done = launcher.run(args, timeout=timeout)
    # The in-process suite turns warnings into errors; hold subprocesses to it too.
    assert "DeprecationWarning" not in done.stderr, done.stderr[-3000:]
    return done


def shell_pipeline(line: str) -> subprocess.CompletedProcess[str]:
    """`line` run by bash from the project directory, failing if any of its commands
    fails (``pipefail``), with a ``scrapy`` command's environment."""
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {line}"],
        cwd=ROOT, env=launcher.scrapy_env(), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


@pytest.fixture(scope="session")
def scrapy_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``scrapy`` executable for shell command lines (pipes, ``$?``): each of its
    commands a process of its own, forked as `scrapy_cmd`'s are."""
    return launcher.install_client(tmp_path_factory.mktemp("bin") / "scrapy")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def local_site() -> Iterator[LocalSite]:
    """An imdb.com-shaped HTTP server on 127.0.0.1, stopped after the test."""
    yield from running_site()


def pytest_configure(config: pytest.Config) -> None:
    # Before pytest-xdist starts its workers, which inherit the server's address. With
    # workers to come, the fork server imports Scrapy while they collect the tests:
    # started by their first commands, it would keep every one of them waiting.
    launcher.serve_this_run(start_fork_server=bool(config.getoption("numprocesses", None)))


def pytest_unconfigure(config: pytest.Config) -> None:
    # A process that ran hundreds of tests holds a large heap, and the collections of
    # its interpreter's exit would walk all of it (~1 s a pytest-xdist worker, while
    # the run waits for every worker to leave): the exit need not collect it.
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules marked ``slow`` first, each kept whole and in order. ``make test``
    hands whole modules to its workers in this order (``--dist loadfile
    --no-loadscope-reorder``): the long ones start at once and the many short ones fill
    in at the end, instead of a long one starting last."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
