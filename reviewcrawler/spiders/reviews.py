"""The ``reviews`` spider: decides what to read and routes each page's one outcome.

It holds no selectors and no page classification: `reviewcrawler.parsers.read`
answers each response once (its reviews and next page, or why there are none),
and the spider turns that answer into items and requests. Its bookkeeping lives
beside it, engine-free and tested on its own: a page's stats and log lines in
`reviewcrawler.crawl.page_stats`, what follows a title's page (the next URL, or
why the title stops) in `reviewcrawler.crawl.paging`, why a request failed in
`reviewcrawler.crawl.failures`, the end-of-run verdicts in `reviewcrawler.verdicts`.
What stays is what only a spider can hold, Scrapy's side of each job: `from_crawler`
and `start`, the callbacks (async generators, with their contracts), the errbacks
and signal handlers, and the requests they build; that is why it runs past 300 lines.
Two modes:

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
from collections.abc import AsyncIterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self

import scrapy
from pydantic import ValidationError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from twisted.python.failure import Failure

from reviewcrawler.archive.run import ArchiveRun
from reviewcrawler.crawl.failures import failure_reason, title_page_failure_reason
from reviewcrawler.crawl.graphql import ReviewsQuery
from reviewcrawler.crawl.page_stats import PAGES_SKIPPED_KEY, count_outcome
from reviewcrawler.crawl.pages import headers_for, title_of
from reviewcrawler.crawl.paging import Paging, fresh_reviews
from reviewcrawler.crawl.reading import PageReader, planned_processes
from reviewcrawler.crawl.settling import PageItems, SavedPageOrder
from reviewcrawler.filepages import UnreadablePage
from reviewcrawler.items import InvalidReview, RejectedReview, Review
from reviewcrawler.loaders import utc_now
from reviewcrawler.outcome import PAGES_READ_KEY
from reviewcrawler.params import NOTHING_TO_READ, ReviewsParams, one_line
from reviewcrawler.parsers import ParsedPage, Unreadable
from reviewcrawler.progress import TITLE_ENDED, TitleProgress, publish
from reviewcrawler.tally import ReviewTally, RunTally
from reviewcrawler.urls import netloc_of, title_reviews_url
from reviewcrawler.verdicts import report_saved_pages, report_titles

if TYPE_CHECKING:
    from reviewcrawler.cluster.archived import ArchivedState
    from reviewcrawler.cluster.worker import ClusterWorker

#: Local files share one download slot with no delay: politeness is for http(s).
#: A file that cannot be read now will not be on a retry either.
SAVED_PAGE_META = {
    "download_slot": "local-files",
    "autothrottle_dont_adjust_delay": True,
    "dont_retry": True,
}
#: A saved page's place in the ``path=`` order (`SavedPageOrder`).
PAGE_INDEX = "saved_page_index"
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
        #: Kept and rejected reviews of the run and of each crawled title, skipped pages.
        self.tally = RunTally()
        #: Parses each page, in worker processes when the run is big enough (`start`).
        self.reader = PageReader(0)
        #: A page's items not yet through the pipelines (`parse_title_page`, `parse_page`).
        self.page_items = PageItems()
        #: Saved pages hand over their items in ``path=`` order (`parse_page`).
        self.page_order = SavedPageOrder()

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
        crawler.signals.connect(spider.page_fetching, signal=signals.request_reached_downloader)
        spider.page_items.connect(crawler)
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

    @cached_property
    def paging(self) -> Paging:
        """How each title's pages are followed: the arguments' order and limits."""
        return Paging(
            order=self.params.order,
            full=self.params.full,
            max_pages=self.params.max_pages,
            page_cap=self.settings.getint("MAX_PAGES_PER_TITLE"),
            graphql=self.graphql,
            stats=self._stats,
            log=self.logger,
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
            for index, page in enumerate(pages):
                yield scrapy.Request(
                    page.as_uri(),
                    callback=self.parse_page,
                    errback=self.page_unreadable,
                    meta={**SAVED_PAGE_META, PAGE_INDEX: index},
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
        first_url = self.paging.first_url(url, progress, state)
        publish(self._stats, progress)
        return self._title_request(first_url, progress)

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
        title_id = kwargs.get("title_id") or title_of(response.url, self.graphql)
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
        # Only a page of a ``path=`` run has a place in its order (not `scrapy parse`'s).
        index: int | None = response.meta.get(PAGE_INDEX)
        try:
            result = await self.read_page(response, title_id=one_title)
            if isinstance(result, Unreadable):
                self.logger.warning("Skipped %s: %s", response.url, result.reason)
                if not result.blocked:
                    self.tally.skipped[result.reason] += 1
                return
            items: list[Review | RejectedReview] = [*result.reviews, *result.rejected]
            if index is not None:
                await self.page_order.turn(index)
                self.page_items.expect(response, len(items))
            for item in items:
                yield item
            if index is not None:
                await self.page_items.handled(response)
        finally:
            if index is not None:
                self.page_order.finished(index)

    def page_unreadable(self, failure: Failure) -> None:
        """A saved page that could not be read (not a regular file, too big, no permission)."""
        self._stats.inc_value(PAGES_SKIPPED_KEY)
        reason = (
            str(failure.value)
            if isinstance(failure.value, UnreadablePage)
            else failure_reason(failure)
        )
        request = failure.request  # type: ignore[attr-defined]
        self.logger.warning("Skipped %s: %s", request.url, reason)
        if PAGE_INDEX in request.meta:  # out of the way of the pages after it
            self.page_order.finished(request.meta[PAGE_INDEX])

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
            self.paging.unreadable(progress, response.url, result.reason)
            self._ended(progress)
            return
        brought_new = progress.read(result)
        fresh = fresh_reviews(result.reviews, progress, self._archived_state)
        progress.new += fresh
        # Only when the engine called this callback do its items go through the
        # pipelines (`scrapy parse` and the contracts wrap it and keep them).
        settles = (
            response.request is not None and response.request.callback == self.parse_title_page
        )
        if settles:
            self.page_items.expect(response, len(result.reviews) + len(result.rejected))
        for review in result.reviews:
            yield review
        for rejected in result.rejected:
            yield rejected
        next_url = self.paging.after(
            result, response.url, progress, fresh=fresh, brought_new=brought_new
        )
        publish(self._stats, progress)
        # The title goes on (or is reported ended) once this page's items are in
        # the archive's hands: see `reviewcrawler.crawl.settling`.
        if settles:
            await self.page_items.handled(response)
        if next_url is not None:
            yield self._title_request(next_url, progress)
        else:
            self._ended(progress)

    def page_failed(self, failure: Failure) -> None:
        """A title's page could not be had (HTTP error, robots.txt, replay miss)."""
        request = failure.request  # type: ignore[attr-defined]
        progress = self._adopt(request.meta, request.cb_kwargs["title_id"])
        reason = title_page_failure_reason(failure, self.graphql)
        self.paging.unfetched(progress, request.url, reason)
        self._ended(progress)

    def page_scheduled(self, request: scrapy.Request) -> None:
        """Every title page passes here before it is fetched, redirects included."""
        progress = self._progress_of(request)
        if progress is None:
            return
        why = self.paging.refuses(request.url, progress)
        if why is not None:
            self._ended(progress)
            raise IgnoreRequest(why)  # the engine drops the request, without an errback

    def page_fetching(self, request: scrapy.Request) -> None:
        """A saved page reached the downloader: pages named after it wait for it."""
        if PAGE_INDEX in request.meta:
            self.page_order.reading(request.meta[PAGE_INDEX])

    def page_dropped(self, request: scrapy.Request) -> None:
        """The scheduler's duplicate filter dropped a title's page: its pages loop."""
        progress = self._progress_of(request)
        if progress is None:
            return
        self.paging.looped(progress, request.url)
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
        if self.title_source is not None:
            # A worker reports only the titles it saw to their end; others finished them.
            if self.ended:
                report_titles(self._stats, self.logger, list(self.ended.values()), None)
        elif self.titles:
            report_titles(self._stats, self.logger, list(self.titles.values()), self.tally.titles)
        else:
            report_saved_pages(self._stats, self.logger, self.tally)

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
        self._stats.inc_value(PAGES_READ_KEY)
        result = await self.reader.read(
            response,
            scraped_at=utc_now(),
            title_id=title_id,
            movie_title=movie_title,
            movie_year=movie_year,
        )
        count_outcome(self._stats, self.logger, response.url, result)
        return result

    @property
    def _stats(self) -> StatsCollector:
        stats = self.crawler.stats
        assert stats is not None  # set before any spider is made
        return stats

    def _tallies(self, response: Response | None) -> list[ReviewTally]:
        """The run's tally and, in a crawl, that of the title `response` belongs to."""
        title_id = self._response_title(response) if self.titles else None
        return self.tally.of(title_id if title_id in self.titles else None)

    def _response_title(self, response: Response | None) -> str | None:
        if response is None:
            return None
        title_id = response.request.cb_kwargs.get("title_id") if response.request else None
        return title_id if isinstance(title_id, str) else title_of(response.url, self.graphql)

    @property
    def _archived_state(self) -> ArchivedState | None:
        """What the archive holds: this run's hold on it, or in cluster mode what the
        ingester keeps in Redis; ``None`` when archiving is off."""
        if self.title_source is not None:
            return self.title_source
        return self.crawler.get_extension(ArchiveRun)

    def _title_request(self, url: str, progress: TitleProgress) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_title_page,
            errback=self.page_failed,
            headers=headers_for(url, progress.title_id, self.graphql),
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

    def _progress_of(self, request: scrapy.Request) -> TitleProgress | None:
        if request.callback != self.parse_title_page:
            return None
        if isinstance(request.meta.get("title_progress"), TitleProgress):
            return self._adopt(request.meta, "")
        return self.titles.get(request.cb_kwargs.get("title_id", ""))

    def _ended(self, progress: TitleProgress) -> None:
        """The title's chain of pages ended here: say so (cluster workers report it)."""
        self.ended[progress.title_id] = progress
        self.crawler.signals.send_catch_log(TITLE_ENDED, progress=progress)
