"""`scrapy archive ingest`: the one archive writer of a cluster.

It reads the stream in batches; each batch is one archive run, made by a short
in-process crawl of `IngestSpider`, which hands the batch's entries to the very
pipelines and archive extension a ``scrapy crawl`` uses (validate -> dedupe ->
archive; lock, recovery, commit, manifest). Only once that run has committed are
its entries acknowledged and deleted, and what the archive now holds recorded
in Redis for the workers (`RedisArchivedState`). A kill at any point loses
nothing: unacknowledged entries are read again, and the archive's fingerprints
make a review committed twice ``unchanged``.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import scrapy
from redis.exceptions import RedisError
from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.log import configure_logging
from scrapy.utils.reactor import install_reactor

from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.cluster.connection import connect, redacted
from reviewcrawler.cluster.state import ClusterState, Entry
from reviewcrawler.items import RejectedReview, Review, as_record
from reviewcrawler.outcome import ExitStatus, exit_status
from reviewcrawler.params import ReviewsParams
from reviewcrawler.progress import INCOMPLETE_KEY, TitleProgress, incomplete_because_key

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
INGEST_LOCK = ".ingest.lock"
ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


class IngestSpider(scrapy.Spider):
    """One batch of stream entries, as items and title outcomes for one archive run."""

    name = "ingest"

    def __init__(self, entries: list[Entry], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries = entries
        # The order the batch's titles were read in, for their crawl state
        # (`ArchiveRun`); workers of one cluster share their arguments.
        orders = [e.data.get("order") for e in entries if e.kind == "title"]
        order = next((o for o in reversed(orders) if o in ("newest", "helpful")), "newest")
        self.params = ReviewsParams.from_spider_kwargs({"order": order}, require_input=False)
        #: Reviews that passed every pipeline: now in the archive (or already were).
        self.archived: list[tuple[str, str]] = []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> IngestSpider:
        spider: IngestSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.item_scraped, signal=signals.item_scraped)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        # One offline request whose callback gives the batch: items from a callback
        # go through the pipelines CONCURRENT_ITEMS at a time, those of start() one
        # per reactor turn.
        yield scrapy.Request("data:,", callback=self.parse_batch, dont_filter=True)

    def parse_batch(self, response: Response) -> Iterator[Review | RejectedReview]:
        for entry in self.entries:
            if entry.kind == "review":
                yield Review(**entry.data)
            elif entry.kind == "reject":
                yield RejectedReview(
                    record=entry.data["record"],
                    reasons=entry.data["reasons"],
                    source_url=entry.data.get("source_url"),
                )
            elif entry.kind == "title":
                self._title_outcome(entry.data)
            else:
                logger.warning("Stream entry %s of unknown kind skipped", entry.entry_id)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Review) and item.review_id is not None:
            self.archived.append((item.review_id, content_fingerprint(as_record(item))))

    def _title_outcome(self, outcome: Mapping[str, Any]) -> None:
        """The title's outcome in this run's stats, log line and crawl state, as
        `scrapy crawl` reports it."""
        stats = self.crawler.stats
        assert stats is not None
        progress = TitleProgress(
            outcome["title_id"],
            "",
            pages=int(outcome.get("pages") or 0),
            reviews=int(outcome.get("reviews") or 0),
            complete=bool(outcome.get("complete")),
            shortfall=outcome.get("reason"),
            caught_up=bool(outcome.get("caught_up")),
            new=int(outcome.get("new") or 0),
            newest_date=outcome.get("newest_date"),
            layout=outcome.get("layout"),
        )
        for key, value in progress.stats().items():
            stats.set_value(key, value)
        if progress.complete:
            logger.info(progress.summary())
        else:
            stats.inc_value(INCOMPLETE_KEY)
            stats.set_value(incomplete_because_key(progress.title_id), progress.shortfall)
            logger.warning(progress.summary())


@dataclass
class Ingester:
    settings: Settings
    layout: ArchiveLayout
    until_idle: float | None
    state: ClusterState = field(init=False)
    stopping: bool = False
    incomplete: bool = False

    def __post_init__(self) -> None:
        self.state = ClusterState(connect(self.settings), self.settings.get("CLUSTER_KEY_PREFIX"))
        self.batch_size = self.settings.getint("INGEST_BATCH_SIZE")
        self.batch_seconds = self.settings.getfloat("INGEST_BATCH_SECONDS")
        self.runner = AsyncCrawlerRunner(self.settings)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        logger.info("Ingester stopping (%s): committing what it holds", signal.Signals(signum).name)
        self.stopping = True

    async def run(self) -> ExitStatus:
        url = redacted(self.settings.get("REDIS_URL"))
        try:
            self.state.ensure_group()
            logger.info("Ingesting from %s into %s", url, self.layout.root)
            return await self._loop()
        except RedisError as error:
            line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
            logger.error("Lost Redis at %s (%s); ingester stopping", url, line)
            return ExitStatus.FAILED

    async def _loop(self) -> ExitStatus:
        idle_since = time.monotonic()
        while not self.stopping:
            entries = await self._batch()
            if entries:
                status = await self._commit(entries)
                if status == ExitStatus.FAILED:
                    return status
                idle_since = time.monotonic()
                continue
            if not self.state.status().idle:
                idle_since = time.monotonic()
            elif self.until_idle is not None and time.monotonic() - idle_since >= self.until_idle:
                logger.info("Nothing to ingest and no title in flight for %gs", self.until_idle)
                break
        return ExitStatus.INCOMPLETE if self.incomplete else ExitStatus.COMPLETE

    async def _batch(self) -> list[Entry]:
        """Entries read before and not acknowledged (a killed ingester's), else new ones."""
        entries = self.state.read(self.batch_size, 0, pending=True)
        if entries:
            return entries
        deadline = time.monotonic() + self.batch_seconds
        while not self.stopping and len(entries) < self.batch_size:
            new = self.state.read(self.batch_size - len(entries), 0, pending=False)
            entries += new
            if time.monotonic() >= deadline or (not new and not entries):
                break
            if not new:
                await asyncio.sleep(POLL_SECONDS)
        if not entries:
            await asyncio.sleep(POLL_SECONDS)
        return entries

    async def _commit(self, entries: list[Entry]) -> ExitStatus:
        # An outcome of a title's older round (its lease ran out, it was read again)
        # is acknowledged, but neither reported nor kept as its crawl state.
        current = [entry for entry in entries if entry.kind != "title" or self._is_current(entry)]
        crawler = self.runner.create_crawler(IngestSpider)
        await crawler.crawl_async(entries=current)
        assert crawler.stats is not None and isinstance(crawler.spider, IngestSpider)
        status = exit_status(crawler.stats.get_stats())
        if status == ExitStatus.FAILED:
            logger.error(
                "Ingest batch of %d entries not committed; they stay in the stream", len(entries)
            )
            return status
        outcomes = [
            (entry.data["title_id"], entry.data) for entry in current if entry.kind == "title"
        ]
        self.incomplete |= any(not outcome.get("complete") for _, outcome in outcomes)
        self.state.committed([e.entry_id for e in entries], crawler.spider.archived, outcomes)
        return status

    def _is_current(self, entry: Entry) -> bool:
        return entry.round is not None and self.state.is_current(
            entry.data["title_id"], entry.round
        )


def ingest(settings: Settings, layout: ArchiveLayout, until_idle: float | None) -> ExitStatus:
    """Run the ingester until stopped (or idle for `until_idle` seconds); its exit status."""
    settings = settings.copy()
    settings.set("CLUSTER_ROLE", "ingester", priority="cmdline")
    settings.set("LOG_ENABLED", True, priority="cmdline")
    settings.set("ARCHIVE_ENABLED", True, priority="cmdline")
    settings.set("TWISTED_REACTOR", ASYNCIO_REACTOR, priority="cmdline")
    configure_logging(settings)
    lock_fd = _take_ingest_lock(layout)
    if lock_fd is None:
        logger.error("Another ingester is running on %s; refused", layout.root)
        return ExitStatus.FAILED
    install_reactor(ASYNCIO_REACTOR)
    from twisted.internet import reactor

    ingester = Ingester(settings, layout, until_idle)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, ingester.stop)
    result: list[ExitStatus] = []

    def finished(status: ExitStatus) -> None:
        result.append(status)
        reactor.stop()  # type: ignore[misc]

    def crashed(failure: Any) -> None:
        logger.error("Ingester failed: %s", failure.getErrorMessage())
        result.append(ExitStatus.FAILED)
        reactor.stop()  # type: ignore[misc]

    def begin() -> None:
        deferred_from_coro(ingester.run()).addCallbacks(finished, crashed)

    reactor.callWhenRunning(begin)
    reactor.run(installSignalHandlers=False)  # type: ignore[misc, call-arg]
    os.close(lock_fd)
    return result[0] if result else ExitStatus.FAILED


def _take_ingest_lock(layout: ArchiveLayout) -> int | None:
    """One ingester per archive for its whole life (each batch also takes the archive lock)."""
    layout.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(layout.root / INGEST_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
