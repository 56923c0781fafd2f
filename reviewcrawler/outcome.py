"""A run's outcome from its stats, as the exit status a scheduler can rely on.

Scrapy itself exits 0 after callback or pipeline errors; `scrapy crawl` in this
project (``reviewcrawler.commands.crawl``) exits with `exit_status` instead, and
ends a run that did not exit 0 with `exit_reason` on its last line.
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


#: Set (to its one-line reason) when saved pages held reviews, or were all
#: skipped, and no review was kept: a silent zero is a failure.
NO_VALID_REVIEW_KEY = "reviewcrawler/no_valid_review"
LAYOUT_DRIFT_KEY = "reviewcrawler/layout_drift"
DRIFT_FIRST_URL_KEY = "reviewcrawler/layout_drift_first_url"
ARCHIVE_FAILED_KEY = "reviewcrawler/archive/failed"
PAGES_READ_KEY = "reviewcrawler/pages_read"
PAGES_BLOCKED_KEY = "reviewcrawler/pages_blocked"
TITLE_PREFIX = "reviewcrawler/title/"
INCOMPLETE_BECAUSE = "/incomplete_because"
#: Titles named one by one on the last line, at most.
TITLES_NAMED = 5
REASON_WIDTH = 120

FAILURE_STATS = (
    "log_count/ERROR",
    "log_count/CRITICAL",
    LAYOUT_DRIFT_KEY,
    # Set by the archive itself (lock held, not writable, commit failed), so the
    # run fails even when LOG_LEVEL hides its error line from log_count.
    ARCHIVE_FAILED_KEY,
    NO_VALID_REVIEW_KEY,
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


def exit_reason(stats: Mapping[str, Any]) -> str:
    """Why the run exits with `exit_status`, in one line: ``"exit 1: …"``."""
    status = exit_status(stats)
    if status is ExitStatus.FAILED:
        why = "; ".join(_failures(stats)) or "an error was logged (see above)"
    elif status is ExitStatus.INCOMPLETE:
        why = _incomplete(stats)
    else:
        why = "complete"
    return f"exit {int(status)}: {why}"


def _failures(stats: Mapping[str, Any]) -> list[str]:
    reasons = []
    if stats.get(ARCHIVE_FAILED_KEY):
        reasons.append("the archive failed or refused the run (see the error above)")
    finish_reason = stats.get("finish_reason")
    if finish_reason not in ("finished", None):
        reasons.append(f"the run stopped early ({finish_reason})")
    if stats.get(NO_VALID_REVIEW_KEY):
        reasons.append(str(stats[NO_VALID_REVIEW_KEY]))
    drifted = int(stats.get(LAYOUT_DRIFT_KEY) or 0)
    if drifted:
        first = stats.get(DRIFT_FIRST_URL_KEY)
        reasons.append(
            f"layout drift on {drifted} of {int(stats.get(PAGES_READ_KEY) or drifted)} pages"
            + (f" (first: {first})" if first else "")
        )
    exceptions = {
        key.removeprefix("spider_exceptions/"): value
        for key, value in stats.items()
        if key.startswith("spider_exceptions/") and key.count("/") == 1
    }
    if exceptions:
        reasons.append(
            f"{sum(exceptions.values())} callback error(s) ({', '.join(sorted(exceptions))})"
        )
    return reasons


def _incomplete(stats: Mapping[str, Any]) -> str:
    titles = {
        key.removeprefix(TITLE_PREFIX).removesuffix(INCOMPLETE_BECAUSE): str(value)
        for key, value in stats.items()
        if key.startswith(TITLE_PREFIX) and key.endswith(INCOMPLETE_BECAUSE)
    }
    if titles:
        named = [f"{title} ({_brief(why)})" for title, why in sorted(titles.items())]
        more = len(named) - TITLES_NAMED
        listed = ", ".join(named[:TITLES_NAMED]) + (f", and {more} more" if more > 0 else "")
        return f"{len(titles)} title(s) incomplete: {listed}"
    blocked = int(stats.get(PAGES_BLOCKED_KEY) or 0)
    if blocked:
        return f"IMDb withheld the reviews of {blocked} page(s) (robot check or sign-in wall)"
    return "some title could not be read to its end (see the warnings above)"


def _brief(text: str) -> str:
    return text if len(text) <= REASON_WIDTH else text[: REASON_WIDTH - 1] + "…"
