"""The ``reviews`` spider: decides what to read and hands each page to its parser.

It holds no selectors: markup knowledge, pagination included, lives in
`reviewcrawler.parsers`. Two modes:

- ``path=``: saved pages, read as ``file://`` requests; nothing else is fetched.
- ``title=``/``url=``: a crawl, one title at a time per chain of pages: each page's
  parser names the next page (a load-more fragment on the legacy site, a GraphQL
  call on the current one), which is followed when `reviewcrawler.urls` allows it.

A page IMDb withheld (a robot check, a sign-in wall, a GraphQL query it no longer
knows) stops its title with one line saying why: the title is incomplete.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Self

import scrapy
from pydantic import ValidationError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from reviewcrawler.items import RejectedReview, Review
from reviewcrawler.loaders import utc_now
from reviewcrawler.params import ReviewsParams, one_line
from reviewcrawler.parsers import (
    PageContext,
    ParsedPage,
    ReviewsQuery,
    Unreadable,
    looks_truncated,
    parser_for,
    why_not_html,
    why_unreadable,
    why_withheld,
)
from reviewcrawler.parsers.graphql import http_rejection
from reviewcrawler.progress import INCOMPLETE_KEY, TITLE_ENDED, TitleProgress
from reviewcrawler.urls import netloc_of, refusal, review_page_title, title_reviews_url

if TYPE_CHECKING:
    from reviewcrawler.cluster.worker import ClusterWorker

#: Local files share one download slot with no delay: politeness is for http(s).
FILE_SLOT = "local-files"
STATS_PREFIX = "reviewcrawler"
#: Settings given as spider arguments (``-a record=DIR``) rank as the spider's own.
ARGUMENT_PRIORITY = "spider"
ARGUMENT_SETTINGS = {"record": "RECORD_DIR", "replay": "REPLAY_DIR"}


class ReviewsSpider(scrapy.Spider):
    name = "reviews"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = self.check_arguments(kwargs)
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

    @classmethod
    def check_arguments(cls, kwargs: dict[str, Any]) -> ReviewsParams:
        """Validated arguments; a `ValueError` with a one-line message if bad."""
        try:
            return ReviewsParams.from_spider_kwargs(kwargs, cluster=bool(kwargs.get("_cluster")))
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
            )
            crawler.signals.connect(spider.page_scheduled, signal=signals.request_scheduled)
            crawler.signals.connect(spider.page_dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        if not self.params.crawling:
            for page in self.params.pages():
                yield scrapy.Request(
                    page.as_uri(),
                    callback=self.parse_page,
                    meta={"download_slot": FILE_SLOT, "autothrottle_dont_adjust_delay": True},
                )
            return
        if getattr(self, "_cluster", False):
            from reviewcrawler.cluster.worker import ClusterWorker

            self.title_source = self.crawler.get_extension(ClusterWorker)
            base_url = self.crawler.settings.get("IMDB_BASE_URL")
            async for title_id, round_ in self.title_source.titles():
                url = title_reviews_url(base_url, title_id)
                progress = TitleProgress(title_id, netloc_of(url), cluster_round=round_)
                self.titles[title_id] = progress
                self._publish(progress)
                yield self._title_request(url, progress)
            return
        for title_id, url in self.starts:
            progress = self.titles[title_id] = TitleProgress(title_id, netloc_of(url))
            self._publish(progress)
            yield self._title_request(url, progress)

    def parse_page(self, response: Response) -> Iterator[Review | RejectedReview]:
        """A saved page: read it; never follow anything from it."""
        one_title = self.params.title[0] if len(self.params.title) == 1 else None
        result = self._parse(response, title_id=one_title)
        if isinstance(result, Unreadable):
            self.logger.warning("Skipped %s: %s", response.url, result.reason)
            return
        yield from result.reviews
        yield from result.rejected

    def parse_title_page(
        self, response: Response, title_id: str
    ) -> Iterator[Review | RejectedReview | scrapy.Request]:
        """A page of a crawled title: read it, then fetch the next one if there is one."""
        progress = self._adopt(response.meta, title_id)
        result = self._parse(
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
        progress.movie_title = progress.movie_title or result.movie_title
        progress.movie_year = progress.movie_year or result.movie_year
        yield from result.reviews
        yield from result.rejected
        next_request = self._next_request(result, progress)
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

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        # A worker reports only the titles it saw to their end; others finished them.
        titles = self.ended if self.title_source is not None else self.titles
        for progress in titles.values():
            self._publish(progress)
            log = self.logger.info if progress.complete else self.logger.warning
            log(progress.summary())
        if titles:
            incomplete = sum(not progress.complete for progress in titles.values())
            stats.set_value(INCOMPLETE_KEY, incomplete)

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
            # The title's state travels with its request: in cluster mode the
            # next page may be read by another worker.
            meta={"title_progress": progress},
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

    def _next_request(self, result: ParsedPage, progress: TitleProgress) -> scrapy.Request | None:
        """The request for the title's next page, or ``None`` with the title's state set."""
        max_pages = self.params.max_pages
        if result.truncated:
            # The load-more widget sits at the very end: a cut-off page hides it.
            progress.stop_short("a page was cut off, so whether more pages follow is unknown")
        elif result.next_page is None:
            progress.complete = True
        elif max_pages is not None and progress.pages >= max_pages:
            self.logger.info(
                "%s: stopping after %d page(s) (max_pages); more reviews remain",
                progress.title_id,
                progress.pages,
            )
            progress.stop_short(f"stopped by max_pages={max_pages}; more pages remain")
        elif why := self._refusal(result.next_page, progress):
            self._refuse(progress, result.next_page, why)
        else:
            return self._title_request(result.next_page, progress)
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

    def _parse(
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
        parser = None
        verdict = why_withheld(response) or _unreadable(response)
        if verdict is None:
            page = response.selector  # type: ignore[attr-defined]
            parser = parser_for(page)
            if parser is None:
                verdict = why_unreadable(page)
        if verdict is not None:
            if verdict.blocked:
                # IMDb withheld this page's reviews: the run is incomplete.
                stats.inc_value(f"{STATS_PREFIX}/pages_blocked")
                stats.inc_value(f"{STATS_PREFIX}/titles_incomplete")
            stats.inc_value(f"{STATS_PREFIX}/pages_skipped")
            return verdict
        assert parser is not None
        truncated = looks_truncated(response.text)
        context = PageContext(
            url=response.url,
            scraped_at=utc_now(),
            title_id=title_id,
            movie_title=movie_title,
            movie_year=movie_year,
            truncated=truncated,
            # Saved pages are never followed: only a crawl asks for further pages.
            pager=self.graphql,
        )
        result = parser.parse(page, context)
        stats.inc_value(f"{STATS_PREFIX}/pages/{result.layout}")
        if truncated:
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
        stats.inc_value(f"{STATS_PREFIX}/reviews_seen", len(result.reviews) + len(result.rejected))
        return result

    def _publish(self, progress: TitleProgress) -> None:
        assert self.crawler.stats is not None
        for key, value in progress.stats().items():
            self.crawler.stats.set_value(key, value)

    def _failure_reason(self, failure: Failure) -> str:
        if not failure.check(HttpError):
            return failure_reason(failure)
        response = failure.value.response
        withheld = why_withheld(response)
        if withheld is not None:
            return withheld.reason
        rejection = http_rejection(response.status) if self._is_graphql(response.url) else None
        return rejection or f"HTTP {response.status}"


def failure_reason(failure: Failure) -> str:
    """Why a request got no response, in words for a log line or an error message."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    message = failure.getErrorMessage()
    if failure.check(IgnoreRequest) and "robots.txt" in message:
        # RobotsTxtMiddleware's own words are "Forbidden by robots.txt".
        return "the site's robots.txt forbids fetching it"
    return message or failure.type.__name__


def _unreadable(response: Response) -> Unreadable | None:
    """Why a response cannot hold a review page, if it cannot."""
    reason = why_not_html(response)
    return Unreadable(reason) if reason is not None else None
