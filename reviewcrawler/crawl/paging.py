"""What follows a title's page: the URL of its next page, or why the title stops there.

Plain code over the title's state (`reviewcrawler.progress.TitleProgress`), the
page as its parser read it (`reviewcrawler.parsers.ParsedPage`) and the crawl's
limits; the spider only builds the request. A title that stops has its state say
how: complete, caught up with the archive, or short of its end with the reason
(``shortfall``), each stop that was not asked for said in one log line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy.statscollectors import StatsCollector

from reviewcrawler.crawl import Log
from reviewcrawler.crawl.graphql import ReviewsQuery
from reviewcrawler.crawl.page_stats import STATS_PREFIX
from reviewcrawler.crawl.pages import name_of, next_page_url
from reviewcrawler.items import Review, as_record
from reviewcrawler.parsers import Cursor, ParsedPage
from reviewcrawler.progress import TitleProgress
from reviewcrawler.urls import Layout, in_order, refusal

if TYPE_CHECKING:
    from reviewcrawler.archive.index import TitleState
    from reviewcrawler.cluster.archived import ArchivedState

LINKS_REFUSED_KEY = f"{STATS_PREFIX}/links_refused"


@dataclass(frozen=True, slots=True)
class Paging:
    """How a crawl follows each title's pages: the order and limits it was given."""

    #: ``newest`` or ``helpful`` (the ``order`` argument).
    order: str
    #: Read every title to its end, even one the archive holds whole (``full``).
    full: bool
    #: Pages per title this run reads at most (``max_pages``), if limited.
    max_pages: int | None
    #: ``MAX_PAGES_PER_TITLE``: the cap no title goes past.
    page_cap: int
    #: Where a current-layout title's further pages are asked for; ``None`` for saved pages.
    graphql: ReviewsQuery | None
    stats: StatsCollector
    log: Log

    @property
    def newest_first(self) -> bool:
        return self.order == "newest"

    def first_url(self, url: str, progress: TitleProgress, archived: TitleState | None) -> str:
        """The title's first page, in the order asked for, given what the archive
        knows of the title (``None``: never crawled, or no archive)."""
        # Only a title the archive holds whole can stop at what it holds.
        progress.may_stop_when_caught_up = (
            self.newest_first and not self.full and archived is not None and archived.complete
        )
        # The layouts sort by different parameters; a new title is asked in the
        # legacy ones (a current page that ignores them is caught by `after`).
        layout: Layout = (
            "current" if archived is not None and archived.layout == "current" else "legacy"
        )
        return in_order(url, self.newest_first, layout)

    def after(
        self,
        page: ParsedPage,
        page_url: str,
        progress: TitleProgress,
        *,
        fresh: int,
        brought_new: bool,
    ) -> str | None:
        """The URL of the title's next page after `page` (read at `page_url`), or
        ``None``: the title stops here, its state saying how.

        `fresh` is how many of the page's reviews the archive did not hold
        (`fresh_reviews`); `brought_new` whether any was new to this run.
        """
        if self._caught_up(page, progress, fresh):
            return None
        next_url = (
            next_page_url(page.next_page, page_url, self.graphql)
            if page.next_page is not None
            else None
        )
        if page.truncated:
            # The load-more widget sits at the very end: a cut-off page hides it.
            progress.stop_short("a page was cut off, so whether more pages follow is unknown")
        elif next_url is None:
            progress.complete = True
        elif not brought_new and progress.pages > 1:
            # A server handing out new keys for the same reviews would never end.
            self.log.warning(
                "%s: page %d brought no review not already seen in this run; stopping",
                progress.title_id,
                progress.pages,
            )
            progress.stop_short("pagination brought nothing new")
        elif progress.pages >= self.page_cap:
            self.log.warning(
                "%s: stopping after %d pages (MAX_PAGES_PER_TITLE); the site still offers more",
                progress.title_id,
                progress.pages,
            )
            progress.stop_short(
                f"stopped by MAX_PAGES_PER_TITLE={self.page_cap}; more pages offered"
            )
        elif self.max_pages is not None and progress.pages >= self.max_pages:
            self.log.info(
                "%s: stopping after %d page(s) (max_pages); more reviews remain",
                progress.title_id,
                progress.pages,
            )
            progress.stop_short(f"stopped by max_pages={self.max_pages}; more pages remain")
        elif self.refuses(next_url, progress) is None:
            return next_url
        return None

    def refuses(self, url: str, progress: TitleProgress) -> str | None:
        """Why the title's pages may not go to `url` (counted, logged, the title
        stopped short), or ``None``: it may (`reviewcrawler.urls.refusal`)."""
        why = refusal(
            url, netloc=progress.netloc, title_id=progress.title_id, endpoint=self.graphql
        )
        if why is not None:
            self.stats.inc_value(LINKS_REFUSED_KEY)
            self.log.warning("%s: refused to follow %r: %s", progress.title_id, url, why)
            progress.stop_short(f"refused to follow {url!r} ({why})")
        return why

    def unreadable(self, progress: TitleProgress, url: str, reason: str) -> None:
        """The title stops at its page at `url`, which held no reviews to read
        (IMDb withheld them, or the page is none of its review pages)."""
        page = name_of(url, self.graphql)
        self.log.warning("%s: %s: %s; title incomplete", progress.title_id, page, reason)
        progress.stop_short(f"{page}: {reason}")

    def unfetched(self, progress: TitleProgress, url: str, reason: str) -> None:
        """The title stops at its page at `url`, which could not be had."""
        page = name_of(url, self.graphql)
        self.log.warning(
            "%s: could not read %s (%s); title incomplete", progress.title_id, page, reason
        )
        progress.stop_short(f"could not read {page} ({reason})")

    def looped(self, progress: TitleProgress, url: str) -> None:
        """The title stops at its page at `url`, asked for before in this run."""
        page = name_of(url, self.graphql)
        self.log.warning(
            "%s: %s was already requested in this run (the pages loop); title incomplete",
            progress.title_id,
            page,
        )
        progress.stop_short(f"{page} was already requested (the pages loop)")

    def _caught_up(self, page: ParsedPage, progress: TitleProgress, fresh: int) -> bool:
        """Whether the title stops here, up to date: newest first, nothing new on a
        page of reviews, and the archive's last crawl of it was complete."""
        if not self.newest_first:
            return False
        in_newest_order = progress.read_dates([review.date or "" for review in page.reviews])
        if not in_newest_order:
            self._not_newest_first(page, progress)
            return False
        if page.truncated or not page.reviews or fresh:
            return False
        if not progress.may_stop_when_caught_up:
            return False
        progress.caught_up = progress.complete = True
        return True

    def _not_newest_first(self, page: ParsedPage, progress: TitleProgress) -> None:
        """A page whose reviews are not newest first ignored the sort parameters."""
        if progress.pages == 1 and page.layout == "current" and self.graphql is not None:
            # The page gave the title; the query, asked newest first, gives the reviews.
            page.next_page = Cursor(progress.title_id, None)
            progress.last_date = None
            # Read again from the start: reviews of the first page coming back are
            # no sign of a pagination that goes round in circles.
            progress.seen.clear()
            self.log.info(
                "%s: the review page is not newest first; reading the reviews from the "
                "GraphQL query's start",
                progress.title_id,
            )
            return
        if progress.may_stop_when_caught_up:
            self.log.warning(
                "%s: page %d is not newest first; reading the title to its end",
                progress.title_id,
                progress.pages,
            )
        progress.may_stop_when_caught_up = False


def fresh_reviews(
    reviews: Sequence[Review], progress: TitleProgress, archived: ArchivedState | None
) -> int:
    """How many of `reviews` the archive does not hold as they are (one lookup
    each); asked only of a title that may stop when caught up (it alone shows it)."""
    if archived is None or not progress.may_stop_when_caught_up:
        return len(reviews)
    return sum(not archived.holds(as_record(review)) for review in reviews)
