"""A page's one outcome as stats and log lines: the spider's bookkeeping of what it read.

Every counter here lives under a fixed name (``reviewcrawler/...``): what a page
was (its layout, or why it was skipped: ``skipped/<code>``), what it said about
itself (``notes/<kind>``, a cut-off download, layout drift) and how many
reviews it held (``reviews_seen``, kept or not). The spider counts ``pages_read``
itself, before the parse. What the page means for its title is `reviewcrawler.crawl.paging`'s.
"""

from __future__ import annotations

from scrapy.statscollectors import StatsCollector

from reviewcrawler.crawl import Log
from reviewcrawler.outcome import DRIFT_FIRST_URL_KEY, LAYOUT_DRIFT_KEY, PAGES_BLOCKED_KEY
from reviewcrawler.parsers import ParsedPage, Unreadable
from reviewcrawler.progress import INCOMPLETE_KEY

STATS_PREFIX = "reviewcrawler"
PAGES_SKIPPED_KEY = f"{STATS_PREFIX}/pages_skipped"


def count_outcome(
    stats: StatsCollector, log: Log, url: str, outcome: ParsedPage | Unreadable
) -> None:
    """Count the outcome of the page at `url`; log what it says about itself.

    An unreadable page is counted as skipped (and, when IMDb withheld it, as
    blocked, its title incomplete); the caller says why in its own line.
    """
    if isinstance(outcome, Unreadable):
        if outcome.blocked:
            # IMDb withheld this page's reviews: the run is incomplete.
            stats.inc_value(PAGES_BLOCKED_KEY)
            stats.inc_value(INCOMPLETE_KEY)
        stats.inc_value(PAGES_SKIPPED_KEY)
        stats.inc_value(f"{STATS_PREFIX}/skipped/{outcome.code}")
        return
    stats.inc_value(f"{STATS_PREFIX}/pages/{outcome.layout}")
    if outcome.truncated:
        log.warning("Page cut off (truncated download): %s", url)
        stats.inc_value(f"{STATS_PREFIX}/pages_truncated")
    for note in outcome.notes:
        log.warning("%s: %s", url, note.message)
        stats.inc_value(f"{STATS_PREFIX}/notes/{note.kind}")
    if outcome.drifted:
        log.error(
            "Layout drift: %s announces %s reviews but no review block could be found or read",
            url,
            outcome.declared_total,
        )
        stats.inc_value(LAYOUT_DRIFT_KEY)
        if stats.get_value(DRIFT_FIRST_URL_KEY) is None:
            stats.set_value(DRIFT_FIRST_URL_KEY, url)
    stats.inc_value(f"{STATS_PREFIX}/reviews_seen", len(outcome.reviews) + len(outcome.rejected))
