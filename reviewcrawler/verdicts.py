"""The end of a run's reading: each title's summary, and the verdict on a run that kept nothing.

A crawl ends with one line per title (complete, up to date, or INCOMPLETE and
why), its stats, and the count of incomplete titles that makes the exit status
3 (`reviewcrawler.outcome`). A run of saved pages that read reviews, or only
skipped pages, and kept not one review failed: one ERROR line and the
``no_valid_review`` stat, never a silent success at zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scrapy.statscollectors import StatsCollector

from reviewcrawler.crawl import Log
from reviewcrawler.outcome import NO_VALID_REVIEW_KEY, PAGES_READ_KEY
from reviewcrawler.progress import INCOMPLETE_KEY, TitleProgress, incomplete_because_key, publish
from reviewcrawler.tally import ReviewTally, RunTally, commonest


def report_titles(
    stats: StatsCollector,
    log: Log,
    titles: Sequence[TitleProgress],
    tallies: Mapping[str, ReviewTally] | None,
) -> None:
    """Each title's summary line and stats, and how many are incomplete.

    `tallies` are the titles' kept and rejected reviews; ``None`` from a cluster
    worker, whose tally holds only the pages it read, not the title's.
    """
    for progress in titles:
        if tallies is not None:
            fail_if_nothing_kept(progress, tallies.get(progress.title_id))
        publish(stats, progress)
        if progress.complete:
            log.info(progress.summary())
        else:
            log.warning(progress.summary())
            stats.set_value(incomplete_because_key(progress.title_id), progress.shortfall)
    stats.set_value(INCOMPLETE_KEY, sum(not progress.complete for progress in titles))


def fail_if_nothing_kept(progress: TitleProgress, tally: ReviewTally | None) -> None:
    """A title whose reviews were all rejected is no complete title."""
    why = tally.all_rejected() if tally is not None else None
    if why is not None:
        progress.complete = False
        progress.shortfall = f"{progress.shortfall}; {why}" if progress.shortfall else why


def report_saved_pages(stats: StatsCollector, log: Log, tally: RunTally) -> None:
    """Fail a run of saved pages that kept nothing (`nothing_kept`): one ERROR line."""
    why = nothing_kept(tally, stats.get_value(PAGES_READ_KEY, 0))
    if why is not None:
        stats.set_value(NO_VALID_REVIEW_KEY, why)
        log.error("%s", why)


def nothing_kept(tally: RunTally, pages_read: int) -> str | None:
    """Why a run of `pages_read` pages kept no review: its pages held some, all
    rejected, or every page was skipped; ``None`` when it kept one, or read nothing."""
    why = tally.run.all_rejected()
    skipped = sum(tally.skipped.values())
    if why is None and pages_read and skipped == pages_read and not tally.run.kept:
        pages = f"{skipped} page{'' if skipped == 1 else 's'}"
        why = f"all {pages} skipped: {commonest(tally.skipped)}"
    return why
