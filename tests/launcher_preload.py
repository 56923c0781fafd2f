"""Imported once by `tests.launcher`'s fork server: what a ``scrapy`` command of the
suite imports before it does anything (Scrapy's commands and the project's, and every
component the settings name), so that no forked command imports it again; then a
saved page of each layout is parsed once, so that what a crawl compiles on first use
(regular expressions, date formats) is ready too. Pure caches: a command computes the
same with them or without.

Nothing here installs a reactor: each command installs its own.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import scrapy.cmdline
import scrapy.crawler
import twisted.internet.asyncioreactor
from scrapy.settings import default_settings
from scrapy.utils.misc import load_object, walk_modules_iter

from reviewcrawler import settings as project
from reviewcrawler.filepages import saved_response
from reviewcrawler.parsers import read

COMPONENT_SETTINGS = (
    "DOWNLOAD_HANDLERS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS",
    "ITEM_PIPELINES", "FEED_EXPORTERS", "FEED_STORAGES",
)  # fmt: skip
OTHER_COMPONENTS = (
    "SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_MEMORY_QUEUE",
    "SCHEDULER_START_MEMORY_QUEUE", "DUPEFILTER_CLASS", "STATS_CLASS", "LOG_FORMATTER",
    "ROBOTSTXT_PARSER", "REQUEST_FINGERPRINTER_CLASS", "ITEM_PROCESSOR",
)  # fmt: skip


def _component_paths() -> list[str]:
    paths: list[str] = []
    for source in (default_settings, project):
        for name in COMPONENT_SETTINGS:
            for suffix in ("", "_BASE"):
                value = getattr(source, name + suffix, None) or {}
                # DOWNLOAD_HANDLERS and FEED_* map a name to a class, the others a class
                # to its order.
                named = name in ("DOWNLOAD_HANDLERS", "FEED_EXPORTERS", "FEED_STORAGES")
                paths += [p for p in (value.values() if named else value) if isinstance(p, str)]
        paths += [
            value
            for name in OTHER_COMPONENTS
            if isinstance(value := getattr(source, name, None), str)
        ]
    return paths


def preload() -> None:
    for package in ("scrapy.commands", "reviewcrawler.commands", *project.SPIDER_MODULES):
        list(walk_modules_iter(package))
    for path in _component_paths():
        # A component the command would fail on fails there, with its own message.
        with contextlib.suppress(Exception):
            load_object(path)


def warm_up() -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    for page in (fixtures / "legacy/pusher2-page1.html", fixtures / "current/pusher2-2026.html"):
        with contextlib.suppress(Exception):
            read(saved_response(page.as_uri(), page.read_bytes(), page.name), scraped_at="x")


assert scrapy.cmdline and scrapy.crawler and twisted.internet.asyncioreactor
preload()
warm_up()
