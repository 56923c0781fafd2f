"""A run's outcome from its stats, as the exit status a scheduler can rely on.

Scrapy itself exits 0 after callback or pipeline errors; `scrapy crawl` in this
project (``reviewcrawler.commands.crawl``) exits with `exit_status` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    COMPLETE = 0
    #: An error was logged (exception, layout drift), or the archive refused the run.
    FAILED = 1
    #: Bad arguments; nothing was read.
    USAGE = 2
    #: Everything read was kept, but some title could not be read to its end.
    INCOMPLETE = 3


FAILURE_STATS = (
    "log_count/ERROR",
    "log_count/CRITICAL",
    "reviewcrawler/layout_drift",
    # Set by the archive itself (lock held, not writable, commit failed), so the
    # run fails even when LOG_LEVEL hides its error line from log_count.
    "reviewcrawler/archive/failed",
)
INCOMPLETE_STATS = ("reviewcrawler/titles_incomplete",)


def exit_status(stats: Mapping[str, Any]) -> ExitStatus:
    if stats.get("finish_reason") not in ("finished", None):
        return ExitStatus.FAILED
    if any(stats.get(key) for key in FAILURE_STATS):
        return ExitStatus.FAILED
    if any(key.startswith("spider_exceptions/") for key in stats):
        return ExitStatus.FAILED
    if any(stats.get(key) for key in INCOMPLETE_STATS):
        return ExitStatus.INCOMPLETE
    return ExitStatus.COMPLETE
