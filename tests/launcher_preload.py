"""Imported once by `tests.launcher`'s fork server: what a ``scrapy`` command of the
suite imports before it does anything (Scrapy's commands and the project's, every
component the settings name, the installed extras' modules), so that no forked command
imports it again; then a saved page of each layout is parsed once, so that what a crawl
compiles on first use (regular expressions, date formats) is ready too. Pure caches: a
command computes the same with them or without.

Nothing here installs a reactor: each command installs its own.
"""

from __future__ import annotations

import contextlib
import gc
import platform
from pathlib import Path

import scrapy.cmdline  # what every command imports first
import scrapy.crawler  # noqa: F401
import twisted.internet.asyncioreactor  # noqa: F401 - importable, not installed
from scrapy.settings import Settings
from scrapy.utils.misc import load_object, walk_modules_iter

from reviewcrawler import settings as project
from reviewcrawler.filepages import saved_response
from reviewcrawler.parsers import read

#: Settings that name components: a class per name (handlers, feed exporters and
#: storages) or a class per order (middlewares, extensions, pipelines).
NAMED_COMPONENTS = ("DOWNLOAD_HANDLERS", "FEED_EXPORTERS", "FEED_STORAGES")
ORDERED_COMPONENTS = (
    "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES",
)  # fmt: skip
ONE_COMPONENT = (
    "SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_MEMORY_QUEUE",
    "SCHEDULER_START_MEMORY_QUEUE", "DUPEFILTER_CLASS", "STATS_CLASS", "LOG_FORMATTER",
    "ROBOTSTXT_PARSER", "REQUEST_FINGERPRINTER_CLASS", "ITEM_PROCESSOR",
)  # fmt: skip


def _component_paths() -> list[object]:
    settings = Settings()
    settings.setmodule(project, priority="project")
    paths: list[object] = []
    for name in NAMED_COMPONENTS:
        paths += settings.getwithbase(name).values()
    for name in ORDERED_COMPONENTS:
        paths += settings.getwithbase(name)
    return paths + [settings.get(name) for name in ONE_COMPONENT]


def preload() -> None:
    for package in ("scrapy.commands", "reviewcrawler.commands", *project.SPIDER_MODULES):
        list(walk_modules_iter(package))
    for path in _component_paths():
        # A component the command would fail on fails there, with its own message.
        with contextlib.suppress(Exception):
            load_object(path)  # a class, or its dotted path


def preload_extras() -> None:
    """The cluster's modules (redis, scrapy-redis) and the report's (matplotlib), for
    the extras installed: each cluster command would import some 70 modules itself."""
    for package in ("reviewcrawler.cluster", "reviewcrawler.report"):
        with contextlib.suppress(ImportError):
            list(walk_modules_iter(package))


def warm_up() -> None:
    # Scrapy logs the platform, which asks a `uname` process the first time: once here.
    platform.platform()
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    for page in (fixtures / "legacy/pusher2-page1.html", fixtures / "current/pusher2-2026.html"):
        with contextlib.suppress(Exception):
            read(saved_response(page.as_uri(), page.read_bytes(), page.name), scraped_at="x")


preload()
preload_extras()
warm_up()
# What is loaded stays out of the garbage collector's sight: a collection in a forked
# command would otherwise write to every object of it, copying the fork server's pages.
gc.freeze()
