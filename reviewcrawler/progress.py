"""How far the crawl of each title got, as stats a scheduler can read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewcrawler.outcome import INCOMPLETE_BECAUSE, TITLE_PREFIX

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

    from reviewcrawler.parsers import ParsedPage

STATS_PREFIX = "reviewcrawler/title"
INCOMPLETE_KEY = "reviewcrawler/titles_incomplete"
#: Signal sent with ``progress=`` when a title's chain of pages ends, complete or
#: not: in cluster mode the worker that read its last page reports its outcome.
TITLE_ENDED = object()


def incomplete_because_key(title_id: str) -> str:
    """The stat holding why `title_id` is incomplete: the reason on its summary line."""
    return f"{TITLE_PREFIX}{title_id}{INCOMPLETE_BECAUSE}"


def publish(stats: StatsCollector, progress: TitleProgress) -> None:
    """Set the title's stats (`TitleProgress.stats`) to how far it got."""
    for key, value in progress.stats().items():
        stats.set_value(key, value)


@dataclass(slots=True)
class TitleProgress:
    title_id: str
    #: The start URL's ``host[:port]``: the only place its pages are fetched
    #: from, besides the configured GraphQL endpoint (`reviewcrawler.urls.refusal`).
    netloc: str
    pages: int = 0
    reviews: int = 0
    #: The last page (one announcing no next page) was read.
    complete: bool = False
    #: Why the title stopped before its last page, once it has.
    shortfall: str | None = None
    #: Shown on the first page only; carried to the fragments that follow it.
    movie_title: str | None = None
    movie_year: int | None = None
    #: Cluster mode: the round the title was enqueued in (`reviewcrawler.cluster.state`).
    cluster_round: int | None = None
    #: Review ids its pages brought in this run.
    seen: set[str] = field(default_factory=set, repr=False)
    #: Newest first, and the archive's last crawl of the title was complete: the
    #: crawl may stop at the first page that brings nothing new (`caught_up`).
    may_stop_when_caught_up: bool = False
    #: Stopped at a page whose every review the archive already held unchanged.
    caught_up: bool = False
    #: Reviews read that the archive did not hold (new, or new versions).
    new: int = 0
    #: The layout of the first page (``legacy``/``current``).
    layout: str | None = None
    #: Review dates in reading order, newest first when asked for: the last one
    #: read, and the newest.
    last_date: str | None = None
    newest_date: str | None = None

    def read(self, page: ParsedPage) -> bool:
        """Note a page of the title that was read; whether it brought a review
        (kept or rejected) new to this run."""
        self.pages += 1
        self.reviews += len(page.reviews)
        brought_new = self.saw(
            [review.review_id for review in page.reviews]
            + [rejected.record.get("review_id") for rejected in page.rejected]
        )
        self.movie_title = self.movie_title or page.movie_title
        self.movie_year = self.movie_year or page.movie_year
        self.layout = self.layout or page.layout
        return brought_new

    def saw(self, review_ids: Iterable[str | None]) -> bool:
        """Note a page's review ids; whether any was new to this run."""
        before = len(self.seen)
        self.seen.update(review_id for review_id in review_ids if review_id)
        return len(self.seen) > before

    def stop_short(self, reason: str) -> None:
        self.shortfall = self.shortfall or reason

    def read_dates(self, dates: list[str]) -> bool:
        """Note a page's review dates; whether they go on newest first (never later
        than the review before), which is how a page shows it honoured the sort."""
        known = [d for d in dates if d]
        before = [self.last_date or "9999-12-31", *known]
        in_order = all(previous >= date for previous, date in zip(before, known, strict=False))
        if known:
            self.last_date = known[-1]
            self.newest_date = max(self.newest_date or "", *known)
        return in_order

    def stats(self) -> dict[str, int | str]:
        prefix = f"{STATS_PREFIX}/{self.title_id}"
        stats: dict[str, int | str] = {
            f"{prefix}/pages": self.pages,
            f"{prefix}/reviews": self.reviews,
            f"{prefix}/complete": int(self.complete),
            f"{prefix}/caught_up": int(self.caught_up),
        }
        if self.newest_date:
            stats[f"{prefix}/newest_date"] = self.newest_date
        if self.layout:
            stats[f"{prefix}/layout"] = self.layout
        return stats

    def summary(self) -> str:
        counts = f"{self.pages} page(s), {self.reviews} review(s)"
        if self.caught_up:
            return f"{self.title_id}: up to date after {self.pages} page(s), {self.new} new"
        if self.complete:
            return f"{self.title_id}: complete, {counts}"
        why = self.shortfall or "no further page was fetched"
        return f"{self.title_id}: INCOMPLETE after {counts}: {why}"
