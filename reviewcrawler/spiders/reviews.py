"""The ``reviews`` spider: decides what to read and routes each page's one outcome.

It holds no selectors and no page classification: `reviewcrawler.parsers.read`
answers each response once (its reviews and next page, or why there are none),
and the spider turns that answer into items, requests, stats and log lines; the
next page's request is built on the crawl side (`reviewcrawler.crawl`). Two modes:

- ``path=``: saved pages, read as ``file://`` requests; nothing else is fetched.
- ``title=``/``url=``: a crawl, one title at a time per chain of pages: each page's
  parser names the next page (a load-more fragment on the legacy site, a GraphQL
  call on the current one), which is followed when `reviewcrawler.urls` allows it.

A page IMDb withheld (a robot check, a sign-in wall, a GraphQL query it no longer
knows) stops its title with one line saying why: the title is incomplete. So does
a title whose reviews were all rejected; saved pages that held reviews (or were
all skipped) and gave none fail the run with one error line (no silent zero).

`parse`, Scrapy's default callback, routes a request that names no callback (and
``scrapy parse URL``) as the spider routes its own; ``scrapy check reviews`` runs
the contracts in the callbacks' docstrings on the bundled saved pages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Self

import scrapy
from pydantic import ValidationError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from reviewcrawler.archive.run import ArchiveRun
from reviewcrawler.crawl.graphql import ReviewsQuery, http_rejection
from reviewcrawler.crawl.pages import next_page_url
from reviewcrawler.crawl.reading import PageReader, planned_processes
from reviewcrawler.filepages import UnreadablePage
from reviewcrawler.items import InvalidReview, RejectedReview, Review, as_record
from reviewcrawler.loaders import utc_now
from reviewcrawler.outcome import DRIFT_FIRST_URL_KEY, NO_VALID_REVIEW_KEY
from reviewcrawler.params import NOTHING_TO_READ, ReviewsParams, one_line
from reviewcrawler.parsers import Cursor, ParsedPage, Unreadable, why_withheld
from reviewcrawler.progress import (
    INCOMPLETE_KEY,
    TITLE_ENDED,
    TitleProgress,
    incomplete_because_key,
)
from reviewcrawler.tally import ReviewTally, commonest
from reviewcrawler.urls import (
    Layout,
    in_order,
    netloc_of,
    refusal,
    review_page_title,
    title_reviews_url,
)

if TYPE_CHECKING:
    from reviewcrawler.cluster.archived import ArchivedState
    from reviewcrawler.cluster.worker import ClusterWorker

#: Local files share one download slot with no delay: politeness is for http(s).
FILE_SLOT = "local-files"
STATS_PREFIX = "reviewcrawler"
#: Settings given as spider arguments (``-a record=DIR``) rank as the spider's own.
ARGUMENT_PRIORITY = "spider"
ARGUMENT_SETTINGS = {"record": "RECORD_DIR", "replay": "REPLAY_DIR"}
#: The contact `settings.USER_AGENT` ships with, which a live crawl should not send.
PLACEHOLDER_CONTACT = re.compile(r"you@example\.org|/your-org/")


class ReviewsSpider(scrapy.Spider):
    name = "reviews"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # `scrapy crawl` held the arguments to `check_arguments` already; `scrapy
        # parse`/`check` give none, naming their own pages.
        self.params = self.check_arguments(kwargs, require_input=False)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k.startswith("_")})
        self.titles: dict[str, TitleProgress] = {}
        #: Titles whose chain of pages ended in this process (in cluster mode, a
        #: title's pages may be read by several workers; the last one reports it).
        self.ended: dict[str, TitleProgress] = {}
        #: Cluster mode (``REDIS_URL``): where titles come from instead of arguments.
        self.title_source: ClusterWorker | None = None
        #: ``(title_id, first URL)`` of each title to crawl; set once settings are known.
        self.starts: list[tuple[str, str]] = []
        #: Where a current-layout title's further pages are asked for (crawls only).
        self.graphql: ReviewsQuery | None = None
        #: Kept and rejected reviews of the run, and of each crawled title.
        self.tally = ReviewTally()
        self.title_tallies: dict[str, ReviewTally] = {}
        #: Why pages were skipped, for a run in which every page was.
        self.skip_reasons: Counter[str] = Counter()
        #: Parses each page, in worker processes when the run is big enough (`start`).
        self.reader = PageReader(0)

    @classmethod
    def check_arguments(
        cls, kwargs: dict[str, Any], *, require_input: bool = True
    ) -> ReviewsParams:
        """Validated arguments; a `ValueError` with a one-line message if bad."""
        try:
            return ReviewsParams.from_spider_kwargs(
                kwargs, require_input=require_input, cluster=bool(kwargs.get("_cluster"))
            )
        except ValidationError as error:
            raise ValueError(one_line(error)) from None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        if crawler.settings.get("REDIS_URL"):
            kwargs["_cluster"] = True
        spider = super().from_crawler(crawler, *args, **kwargs)
        for argument, setting in ARGUMENT_SETTINGS.items():
            value = getattr(spider.params, argument)
            if value is not None:
                crawler.settings.set(setting, str(value), priority=ARGUMENT_PRIORITY)
        if spider.params.crawling:
            base_url = crawler.settings.get("IMDB_BASE_URL")
            spider.starts = spider.params.starts(base_url)
            for title_id, url in spider.starts:
                if review_page_title(url) != title_id:
                    raise ValueError(f"IMDB_BASE_URL {base_url!r} gives no review-page URL: {url}")
            spider.graphql = ReviewsQuery.checked(
                crawler.settings.get("IMDB_GRAPHQL_URL"),
                crawler.settings.get("IMDB_GRAPHQL_HASH"),
                base_url,
                spider.params.order,
            )
            crawler.signals.connect(spider.page_scheduled, signal=signals.request_scheduled)
            crawler.signals.connect(spider.page_dropped, signal=signals.request_dropped)
            if spider.starts and spider.params.replay is None:
                spider.warn_of_placeholder_contact(crawler.settings.get("USER_AGENT") or "")
        crawler.signals.connect(spider.review_kept, signal=signals.item_scraped)
        crawler.signals.connect(spider.review_dropped, signal=signals.item_dropped)
        return spider

    def warn_of_placeholder_contact(self, user_agent: str) -> None:
        """IMDb is asked politely, with a way to reach whoever runs the crawl."""
        if PLACEHOLDER_CONTACT.search(user_agent):
            self.logger.warning(
                "USER_AGENT still names the placeholder contact (%s): set USER_AGENT in "
                "settings.py (or -s USER_AGENT=...) to your project's URL and your e-mail "
                "before crawling IMDb",
                user_agent,
            )

    async def start(self) -> AsyncIterator[Any]:
        cluster = bool(getattr(self, "_cluster", False))
        if self.params.nothing_to_read and not cluster:
            self.logger.error("%s", NOTHING_TO_READ)
            return
        configured = (
            None
            if self.settings.get("PARSE_PROCESSES") in (None, "")
            else self.settings.getint("PARSE_PROCESSES")
        )
        if not self.params.crawling:
            pages = self.params.pages()
            self.reader = PageReader(planned_processes(configured, saved_pages=len(pages)))
            for page in pages:
                yield scrapy.Request(
                    page.as_uri(),
                    callback=self.parse_page,
                    errback=self.page_unreadable,
                    # A file that cannot be read now will not be on a retry either.
                    meta={
                        "download_slot": FILE_SLOT,
                        "autothrottle_dont_adjust_delay": True,
                        "dont_retry": True,
                    },
                )
            return
        self.reader = PageReader(planned_processes(configured, saved_pages=None))
        if cluster:
            from reviewcrawler.cluster.worker import ClusterWorker

            self.title_source = source = self.crawler.get_extension(ClusterWorker)
            assert source is not None  # the cluster add-on enables it with REDIS_URL
            base_url = self.crawler.settings.get("IMDB_BASE_URL")
            async for title_id, round_ in source.titles():
                url = title_reviews_url(base_url, title_id)
                progress = TitleProgress(title_id, netloc_of(url), cluster_round=round_)
                yield self._first_request(url, progress)
            return
        for title_id, url in self.starts:
            yield self._first_request(url, TitleProgress(title_id, netloc_of(url)))

    def _first_request(self, url: str, progress: TitleProgress) -> scrapy.Request:
        """A title's first page, in the order asked for."""
        self.titles[progress.title_id] = progress
        archived = self._archived_state
        state = archived.title_state(progress.title_id) if archived is not None else None
        newest = self.params.order == "newest"
        # Only a title the archive holds whole can stop at what it holds.
        progress.may_stop_when_caught_up = (
            newest and not self.params.full and state is not None and state.complete
        )
        # The layouts sort by different parameters; a new title is asked in the
        # legacy ones (a current page that ignores them is caught below).
        layout: Layout = "current" if state is not None and state.layout == "current" else "legacy"
        self._publish(progress)
        return self._title_request(in_order(url, newest, layout), progress)

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """Scrapy's default callback (a request without one, ``scrapy parse URL``):
        routed as the spider routes its own requests.

        A review page or GraphQL answer of a title goes to `parse_title_page` (which
        names the next page), the title taken from ``cb_kwargs`` or the URL; any
        other page (a saved one, ``file://``) to `parse_page`.

        @fixture legacy/pusher2-page1.html
        @returns items 25 25
        @returns requests 0 0
        @scrapes review_id title_id movie_title movie_year headline author date text permalink
        """
        title_id = kwargs.get("title_id") or self._title_of(response.url)
        outputs: AsyncIterator[Review | RejectedReview | scrapy.Request]
        if title_id is None or not self.params.crawling:
            outputs = self.parse_page(response)
        else:
            if title_id not in self.titles:
                self.titles[title_id] = TitleProgress(title_id, netloc_of(response.url))
            outputs = self.parse_title_page(response, title_id)
        async for output in outputs:
            yield output

    async def parse_page(self, response: Response) -> AsyncIterator[Review | RejectedReview]:
        """A saved page: read it; never follow anything from it.

        @fixture current/pusher2-section-header.html
        @returns items 4 4
        @returns requests 0 0
        @scrapes review_id title_id movie_title movie_year headline author date text permalink
        """
        one_title = self.params.title[0] if len(self.params.title) == 1 else None
        result = await self.read_page(response, title_id=one_title)
        if isinstance(result, Unreadable):
            self.logger.warning("Skipped %s: %s", response.url, result.reason)
            if not result.blocked:
                self.skip_reasons[result.reason] += 1
            return
        for review in result.reviews:
            yield review
        for rejected in result.rejected:
            yield rejected

    def page_unreadable(self, failure: Failure) -> None:
        """A saved page that could not be read (not a regular file, too big, no permission)."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"{STATS_PREFIX}/pages_skipped")
        reason = (
            str(failure.value)
            if isinstance(failure.value, UnreadablePage)
            else failure_reason(failure)
        )
        self.logger.warning("Skipped %s: %s", failure.request.url, reason)  # type: ignore[attr-defined]

    async def parse_title_page(
        self, response: Response, title_id: str
    ) -> AsyncIterator[Review | RejectedReview | scrapy.Request]:
        """A page of a crawled title: read it, then fetch the next one if there is one."""
        progress = self._adopt(response.meta, title_id)
        result = await self.read_page(
            response,
            title_id=title_id,
            movie_title=progress.movie_title,
            movie_year=progress.movie_year,
        )
        if isinstance(result, Unreadable):
            self.logger.warning(
                "%s: %s: %s; title incomplete", title_id, self._name(response.url), result.reason
            )
            progress.stop_short(f"{self._name(response.url)}: {result.reason}")
            self._ended(progress)
            return
        progress.pages += 1
        progress.reviews += len(result.reviews)
        brought_new = progress.saw(
            [review.review_id for review in result.reviews]
            + [rejected.record.get("review_id") for rejected in result.rejected]
        )
        progress.movie_title = progress.movie_title or result.movie_title
        progress.movie_year = progress.movie_year or result.movie_year
        progress.layout = progress.layout or result.layout
        fresh = self._fresh(result.reviews, progress)
        progress.new += fresh
        for review in result.reviews:
            yield review
        for rejected in result.rejected:
            yield rejected
        if self._caught_up(result, progress, fresh):
            self._publish(progress)
            self._ended(progress)
            return
        next_request = self._next_request(result, response.url, progress, brought_new=brought_new)
        self._publish(progress)
        if next_request is not None:
            yield next_request
        else:
            self._ended(progress)

    def page_failed(self, failure: Failure) -> None:
        """A title's page could not be had (HTTP error, robots.txt, replay miss)."""
        request = failure.request  # type: ignore[attr-defined]
        progress = self._adopt(request.meta, request.cb_kwargs["title_id"])
        reason = self._failure_reason(failure)
        self.logger.warning(
            "%s: could not read %s (%s); title incomplete",
            progress.title_id,
            self._name(request.url),
            reason,
        )
        progress.stop_short(f"could not read {self._name(request.url)} ({reason})")
        self._ended(progress)

    def page_scheduled(self, request: scrapy.Request) -> None:
        """Every title page passes here before it is fetched, redirects included."""
        progress = self._progress_of(request)
        if progress is None:
            return
        why = self._refusal(request.url, progress)
        if why is not None:
            self._refuse(progress, request.url, why)
            self._ended(progress)
            raise IgnoreRequest(why)  # the engine drops the request, without an errback

    def page_dropped(self, request: scrapy.Request) -> None:
        """The scheduler's duplicate filter dropped a title's page: its pages loop."""
        progress = self._progress_of(request)
        if progress is None:
            return
        self.logger.warning(
            "%s: %s was already requested in this run (the pages loop); title incomplete",
            progress.title_id,
            self._name(request.url),
        )
        progress.stop_short(f"{self._name(request.url)} was already requested (the pages loop)")
        self._ended(progress)

    def review_kept(self, item: Any, response: Response | None) -> None:
        if isinstance(item, Review):
            for tally in self._tallies(response):
                tally.keep()

    def review_dropped(self, item: Any, response: Response | None, exception: Exception) -> None:
        """Rejected reviews are counted; duplicates of a kept one are not rejections."""
        if isinstance(exception, InvalidReview):
            for tally in self._tallies(response):
                tally.reject(exception.rejected.reasons)

    def closed(self, reason: str) -> None:
        self.reader.close()
        stats = self.crawler.stats
        assert stats is not None
        # A worker reports only the titles it saw to their end; others finished them.
        titles = self.ended if self.title_source is not None else self.titles
        for progress in titles.values():
            if self.title_source is None:
                # A worker's tally holds only the pages it read, not the title's.
                self._fail_if_nothing_kept(progress)
            self._publish(progress)
            log = self.logger.info if progress.complete else self.logger.warning
            log(progress.summary())
            if not progress.complete:
                stats.set_value(incomplete_because_key(progress.title_id), progress.shortfall)
        if titles:
            incomplete = sum(not progress.complete for progress in titles.values())
            stats.set_value(INCOMPLETE_KEY, incomplete)
        elif self.title_source is None:
            self._fail_if_nothing_read(stats.get_value(f"{STATS_PREFIX}/pages_read", 0))

    def _fail_if_nothing_kept(self, progress: TitleProgress) -> None:
        """A title whose reviews were all rejected is no complete title."""
        tally = self.title_tallies.get(progress.title_id)
        why = tally.all_rejected() if tally is not None else None
        if why is not None:
            progress.complete = False
            progress.shortfall = f"{progress.shortfall}; {why}" if progress.shortfall else why

    def _fail_if_nothing_read(self, pages_read: int) -> None:
        """Saved pages that held reviews, or only pages that were skipped, and not
        one review kept: the run failed (one ERROR line), it did not succeed at zero."""
        why = self.tally.all_rejected()
        skipped = sum(self.skip_reasons.values())
        if why is None and pages_read and skipped == pages_read and not self.tally.kept:
            pages = f"{skipped} page{'' if skipped == 1 else 's'}"
            why = f"all {pages} skipped: {commonest(self.skip_reasons)}"
        if why is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(NO_VALID_REVIEW_KEY, why)
            self.logger.error("%s", why)

    def _tallies(self, response: Response | None) -> list[ReviewTally]:
        """The run's tally and, in a crawl, that of the title `response` belongs to."""
        tallies = [self.tally]
        title_id = self._response_title(response) if self.titles else None
        if title_id is not None and title_id in self.titles:
            tallies.append(self.title_tallies.setdefault(title_id, ReviewTally()))
        return tallies

    def _response_title(self, response: Response | None) -> str | None:
        if response is None:
            return None
        title_id = response.request.cb_kwargs.get("title_id") if response.request else None
        return title_id if isinstance(title_id, str) else self._title_of(response.url)

    def _title_of(self, url: str) -> str | None:
        """The title a review page's or a GraphQL call's URL names."""
        if self.graphql is not None and (title_id := self.graphql.title_of(url)):
            return title_id
        return review_page_title(url)

    @property
    def _archived_state(self) -> ArchivedState | None:
        """What the archive holds: this run's hold on it, or in cluster mode what the
        ingester keeps in Redis; ``None`` when archiving is off."""
        if self.title_source is not None:
            return self.title_source
        return self.crawler.get_extension(ArchiveRun)

    def _fresh(self, reviews: list[Review], progress: TitleProgress) -> int:
        """How many of `reviews` the archive does not hold as they are (one lookup
        each); asked only of a title that may stop when caught up (it alone shows it)."""
        archived = self._archived_state
        if archived is None or not progress.may_stop_when_caught_up:
            return len(reviews)
        return sum(not archived.holds(as_record(review)) for review in reviews)

    def _caught_up(self, result: ParsedPage, progress: TitleProgress, fresh: int) -> bool:
        """Whether the title stops here, up to date: newest first, nothing new on a
        page of reviews, and the archive's last crawl of it was complete."""
        if self.params.order != "newest":
            return False
        in_newest_order = progress.read_dates([review.date or "" for review in result.reviews])
        if not in_newest_order:
            self._not_newest_first(result, progress)
            return False
        if result.truncated or not result.reviews or fresh:
            return False
        if not progress.may_stop_when_caught_up:
            return False
        progress.caught_up = progress.complete = True
        return True

    def _not_newest_first(self, result: ParsedPage, progress: TitleProgress) -> None:
        """A page whose reviews are not newest first ignored the sort parameters."""
        if progress.pages == 1 and result.layout == "current" and self.graphql is not None:
            # The page gave the title; the query, asked newest first, gives the reviews.
            result.next_page = Cursor(progress.title_id, None)
            progress.last_date = None
            # Read again from the start: reviews of the first page coming back are
            # no sign of a pagination that goes round in circles.
            progress.seen.clear()
            self.logger.info(
                "%s: the review page is not newest first; reading the reviews from the "
                "GraphQL query's start",
                progress.title_id,
            )
            return
        if progress.may_stop_when_caught_up:
            self.logger.warning(
                "%s: page %d is not newest first; reading the title to its end",
                progress.title_id,
                progress.pages,
            )
        progress.may_stop_when_caught_up = False

    def _title_request(self, url: str, progress: TitleProgress) -> scrapy.Request:
        headers = None
        if self._is_graphql(url):
            assert self.graphql is not None
            headers = self.graphql.headers(progress.title_id)
        return scrapy.Request(
            url,
            callback=self.parse_title_page,
            errback=self.page_failed,
            headers=headers,
            cb_kwargs={"title_id": progress.title_id},
            meta={
                "download_maxsize": self.settings.getint("MAX_PAGE_BYTES"),
                # The title's state travels with its request: in cluster mode the
                # next page may be read by another worker.
                "title_progress": progress,
            },
        )

    def _adopt(self, meta: dict[str, Any], title_id: str) -> TitleProgress:
        """The title's state as its request carries it (the newest), kept as ours."""
        progress = meta.get("title_progress")
        if isinstance(progress, TitleProgress):
            self.titles[progress.title_id] = progress
            return progress
        return self.titles[title_id]

    def _ended(self, progress: TitleProgress) -> None:
        """The title's chain of pages ended here: say so (cluster workers report it)."""
        self.ended[progress.title_id] = progress
        self.crawler.signals.send_catch_log(TITLE_ENDED, progress=progress)

    def _is_graphql(self, url: str) -> bool:
        return self.graphql is not None and self.graphql.title_of(url) is not None

    def _name(self, url: str) -> str:
        """`url` as log lines name it: a GraphQL call by its cursor, not its 600 characters."""
        if self.graphql is not None and self._is_graphql(url):
            return self.graphql.describe(url)
        return url

    def _refusal(self, url: str, progress: TitleProgress) -> str | None:
        return refusal(
            url, netloc=progress.netloc, title_id=progress.title_id, endpoint=self.graphql
        )

    def _next_request(
        self, result: ParsedPage, result_url: str, progress: TitleProgress, *, brought_new: bool
    ) -> scrapy.Request | None:
        """The request for the title's next page, or ``None`` with the title's state set."""
        max_pages = self.params.max_pages
        page_cap = self.settings.getint("MAX_PAGES_PER_TITLE")
        next_url = (
            next_page_url(result.next_page, result_url, self.graphql)
            if result.next_page is not None
            else None
        )
        if result.truncated:
            # The load-more widget sits at the very end: a cut-off page hides it.
            progress.stop_short("a page was cut off, so whether more pages follow is unknown")
        elif next_url is None:
            progress.complete = True
        elif not brought_new and progress.pages > 1:
            # A server handing out new keys for the same reviews would never end.
            self.logger.warning(
                "%s: page %d brought no review not already seen in this run; stopping",
                progress.title_id,
                progress.pages,
            )
            progress.stop_short("pagination brought nothing new")
        elif progress.pages >= page_cap:
            self.logger.warning(
                "%s: stopping after %d pages (MAX_PAGES_PER_TITLE); the site still offers more",
                progress.title_id,
                progress.pages,
            )
            progress.stop_short(f"stopped by MAX_PAGES_PER_TITLE={page_cap}; more pages offered")
        elif max_pages is not None and progress.pages >= max_pages:
            self.logger.info(
                "%s: stopping after %d page(s) (max_pages); more reviews remain",
                progress.title_id,
                progress.pages,
            )
            progress.stop_short(f"stopped by max_pages={max_pages}; more pages remain")
        elif why := self._refusal(next_url, progress):
            self._refuse(progress, next_url, why)
        else:
            return self._title_request(next_url, progress)
        return None

    def _refuse(self, progress: TitleProgress, url: str, why: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/links_refused")
        self.logger.warning("%s: refused to follow %r: %s", progress.title_id, url, why)
        progress.stop_short(f"refused to follow {url!r} ({why})")

    def _progress_of(self, request: scrapy.Request) -> TitleProgress | None:
        if request.callback != self.parse_title_page:
            return None
        if isinstance(request.meta.get("title_progress"), TitleProgress):
            return self._adopt(request.meta, "")
        return self.titles.get(request.cb_kwargs.get("title_id", ""))

    async def read_page(
        self,
        response: Response,
        title_id: str | None,
        movie_title: str | None = None,
        movie_year: int | None = None,
    ) -> ParsedPage | Unreadable:
        """Parse a page, counting it; why not (counted; the caller logs it) if it
        is no review page.

        The other arguments are what the page may not say itself (see `PageContext`).
        """
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"{STATS_PREFIX}/pages_read")
        result = await self.reader.read(
            response,
            scraped_at=utc_now(),
            title_id=title_id,
            movie_title=movie_title,
            movie_year=movie_year,
        )
        if isinstance(result, Unreadable):
            if result.blocked:
                # IMDb withheld this page's reviews: the run is incomplete.
                stats.inc_value(f"{STATS_PREFIX}/pages_blocked")
                stats.inc_value(f"{STATS_PREFIX}/titles_incomplete")
            stats.inc_value(f"{STATS_PREFIX}/pages_skipped")
            stats.inc_value(f"{STATS_PREFIX}/skipped/{result.code}")
            return result
        stats.inc_value(f"{STATS_PREFIX}/pages/{result.layout}")
        if result.truncated:
            self.logger.warning("Page cut off (truncated download): %s", response.url)
            stats.inc_value(f"{STATS_PREFIX}/pages_truncated")
        for note in result.notes:
            self.logger.warning("%s: %s", response.url, note.message)
            stats.inc_value(f"{STATS_PREFIX}/notes/{note.kind}")
        if result.drifted:
            self.logger.error(
                "Layout drift: %s announces %s reviews but no review block could be found or read",
                response.url,
                result.declared_total,
            )
            stats.inc_value(f"{STATS_PREFIX}/layout_drift")
            if stats.get_value(DRIFT_FIRST_URL_KEY) is None:
                stats.set_value(DRIFT_FIRST_URL_KEY, response.url)
        stats.inc_value(f"{STATS_PREFIX}/reviews_seen", len(result.reviews) + len(result.rejected))
        return result

    def _publish(self, progress: TitleProgress) -> None:
        assert self.crawler.stats is not None
        for key, value in progress.stats().items():
            self.crawler.stats.set_value(key, value)

    def _failure_reason(self, failure: Failure) -> str:
        if not isinstance(failure.value, HttpError):
            return failure_reason(failure)
        response = failure.value.response
        withheld = why_withheld(response)
        if withheld is not None:
            return withheld.reason
        rejection = http_rejection(response.status) if self._is_graphql(response.url) else None
        return rejection or f"HTTP {response.status}"


def failure_reason(failure: Failure) -> str:
    """Why a request got no response, in words for a log line or an error message."""
    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status}"
    message = failure.getErrorMessage()
    if isinstance(failure.value, IgnoreRequest) and "robots.txt" in message:
        # RobotsTxtMiddleware's own words are "Forbidden by robots.txt".
        return "the site's robots.txt forbids fetching it"
    return message or type(failure.value).__name__
