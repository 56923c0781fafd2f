"""``runs/<run_id>.json``: what a run was asked to do, what it did, how it ended.

Counts come from the crawl stats (all under ``reviewcrawler/``), so the manifest
and the stats dump in the log never disagree; the status and exit status come
from `reviewcrawler.outcome`, the one place that judges a run.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import scrapy

from reviewcrawler.archive.layout import run_time
from reviewcrawler.ids import TITLE
from reviewcrawler.outcome import ExitStatus, exit_status

FORMAT = 1
COUNT_STATS = {
    "pages_read": "reviewcrawler/pages_read",
    "pages_skipped": "reviewcrawler/pages_skipped",
    "reviews_seen": "reviewcrawler/reviews_seen",
    "new": "reviewcrawler/archive/new",
    "changed": "reviewcrawler/archive/changed",
    "unchanged": "reviewcrawler/archive/unchanged",
    "duplicates_in_run": "reviewcrawler/duplicates_in_run",
    "rejected": "reviewcrawler/rejected",
}
#: Settings that change what a run reads or how it treats the site.
RECORDED_SETTINGS = (
    "ARCHIVE_DIR",
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "AUTOTHROTTLE_ENABLED",
    "HTTPCACHE_ENABLED",
    "CLOSESPIDER_TIMEOUT",
    "CLOSESPIDER_ITEMCOUNT",
    "IMDB_BASE_URL",
    "IMDB_GRAPHQL_URL",
    "IMDB_GRAPHQL_HASH",
    # The path of a signed-in session's cookies, never what the file holds.
    "COOKIES_FILE",
)
_TITLE_STAT = re.compile(rf"reviewcrawler/title/({TITLE.pattern})/(\w+)")
#: Scrapy's close reason for a SIGINT/SIGTERM (graceful shutdown).
SHUTDOWN_REASON = "shutdown"


def recorded_settings(settings: Mapping[str, Any], archive_dir: str) -> dict[str, Any]:
    return {**{name: settings.get(name) for name in RECORDED_SETTINGS}, "ARCHIVE_DIR": archive_dir}


def run_status(reason: str, status: ExitStatus) -> str:
    if reason == SHUTDOWN_REASON:
        return "interrupted"
    return "failed" if status is ExitStatus.FAILED else "finished"


def run_manifest(
    *,
    run_id: str,
    spider: str,
    arguments: dict[str, Any] | None,
    settings: dict[str, Any],
    finished_at: datetime,
    reason: str,
    stats: Mapping[str, Any],
    files: list[str],
    archived_per_title: Mapping[str, Mapping[str, int]],
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    final_stats = {**stats, "finish_reason": reason}
    status = exit_status(final_stats)
    return {
        "format": FORMAT,
        "run_id": run_id,
        "status": run_status(reason, status),
        "exit_status": int(status),
        "finish_reason": reason,
        "started_at": _iso(run_time(run_id)),
        "finished_at": _iso(finished_at),
        "spider": spider,
        "arguments": arguments,
        "settings": settings,
        "versions": {"scrapy": scrapy.__version__},
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "counts": {name: int(stats.get(key, 0)) for name, key in COUNT_STATS.items()},
        "titles": titles_section(stats, archived_per_title),
        "files": files,
        **extra,
    }


def titles_section(
    stats: Mapping[str, Any], archived_per_title: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, Any]]:
    """Per title: ``reviewcrawler/title/<tt>/<name>`` stats, plus what was archived."""
    titles: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        match = _TITLE_STAT.fullmatch(key)
        if match:
            titles.setdefault(match.group(1), {})[match.group(2)] = value
    for title_id, counts in archived_per_title.items():
        titles.setdefault(title_id, {}).update(counts)
    return dict(sorted(titles.items()))


def orphan_manifest(run_id: str, files: list[str], recovered_by: str) -> dict[str, Any]:
    """For a run killed between committing its files and writing its manifest."""
    return {
        "format": FORMAT,
        "run_id": run_id,
        "status": "interrupted",
        "exit_status": int(ExitStatus.FAILED),
        "finish_reason": "killed while committing",
        "started_at": _iso(run_time(run_id)),
        "finished_at": None,
        "recovered_by": recovered_by,
        "files": sorted(files),
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
