"""One run's life in the archive: lock, tidy-up, index, commit, manifest, progress.

At spider open the run takes the archive lock (or refuses with one line, before
any page is read), removes what killed runs left, and opens the index (building
it when missing or damaged, indexing the files of a run killed before its index
commit). Items are written by `reviewcrawler.pipelines.archive.ArchivePipeline`
through `writer`; rejects arrive here through the ``item_dropped`` signal; the
spider asks `title_state` and `writer.verdict` to stop a title once caught up.
At spider close the run's files are renamed into place, the manifest written,
the index committed (`RunWriter.commit`), the lock released.

On SIGINT/SIGTERM Scrapy closes the spider gracefully: everything processed so
far is committed and the manifest says ``interrupted``; what was not read is
archived by the next run. A hard kill commits nothing: see `archive.recovery`.

`ArchiveRun` is the one owner of the run's life: enabled as an extension in
``EXTENSIONS`` (it hooks the spider's signals), found with
``crawler.get_extension(ArchiveRun)`` by the archive pipeline, the spider and the
shutdown extension. It imports none of them.

Longer than most modules on purpose: it is the one place that orders the run's
steps against the lock (take, tidy, index, write, commit, release), and each
failure along the way is told here, in one line, with the stat that fails the run.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, Self, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from reviewcrawler.archive.index import (
    ArchiveIndex,
    IndexDamaged,
    TitleState,
    build_index,
    open_index,
    states_of_run,
)
from reviewcrawler.archive.layout import ArchiveLayout, UnsafePath, new_run_id
from reviewcrawler.archive.lock import ArchiveLock, ArchiveLocked
from reviewcrawler.archive.manifest import (
    recorded_settings,
    run_manifest,
    titles_section,
    write_manifest,
)
from reviewcrawler.archive.recovery import Recovery, recover
from reviewcrawler.archive.repair import damage_noted, note_damage, repairs_since
from reviewcrawler.archive.writer import RunWriter, Verdict
from reviewcrawler.items import InvalidReview

logger = logging.getLogger(__name__)

ARCHIVE_STATS = "reviewcrawler/archive"
FAILED_STAT = f"{ARCHIVE_STATS}/failed"
T = TypeVar("T")


class ArchiveRun:
    def __init__(self, crawler: Crawler, layout: ArchiveLayout, progress_interval: float) -> None:
        self.crawler = crawler
        self.layout = layout
        self.progress_interval = progress_interval
        self.lock = ArchiveLock(layout)
        #: Set while this run holds the archive; ``None`` before, after, or if refused.
        self.writer: RunWriter | None = None
        self.recovery = Recovery()
        self._progress: AsyncioLoopingCall | LoopingCall | None = None
        self._started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured  # switched off on purpose: nothing to warn about
        extension = cls(
            crawler,
            ArchiveLayout.at(settings.get("ARCHIVE_DIR")),
            settings.getfloat("PROGRESS_INTERVAL"),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        # One pass over the archive's names serves the run id and the tidy-up.
        scan = _safe(self.layout.scan_reviews)
        run_id = new_run_id(after=_safe(lambda: self.layout.latest_run_id(scan and scan[0])))
        try:
            self.lock.acquire(f"run {run_id}")
        except ArchiveLocked as refused:
            self._refuse(str(refused), "archive_locked")
        except UnsafePath as refused:
            self._refuse(str(refused), "archive_unsafe")
        except OSError as error:
            self._refuse_unwritable(error)
        try:
            self._check_writable()
            self.recovery = recover(self.layout, by_run=run_id, scan=scan)
            index = self._load_index()
        except UnsafePath as refused:
            self.lock.release()
            self._refuse(str(refused), "archive_unsafe")
        except OSError as error:
            self.lock.release()
            self._refuse_unwritable(error)
        except sqlite3.Error as error:
            self.lock.release()
            self._refuse(
                f"archive index {self.layout.index_path} cannot be opened: {error}",
                "archive_unwritable",
            )
        self._log_recovery()
        self._log_damage()
        self.writer = RunWriter(self.layout, run_id, index)
        logger.info("Archive run %s into %s", run_id, self.layout.root)
        self._started = time.monotonic()
        if self.progress_interval > 0:
            self._progress = create_looping_call(self.log_progress)
            self._progress.start(self.progress_interval, now=False)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if self.writer is not None and isinstance(exception, InvalidReview):
            rejected = exception.rejected
            self.writer.reject(
                {
                    "reasons": rejected.reasons,
                    "source_url": rejected.source_url,
                    "record": rejected.record,
                }
            )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.commit_now(spider, reason)

    def commit_now(self, spider: Spider | None, reason: str) -> None:
        """Commit what the run holds, write its manifest, release the lock (once)."""
        writer, self.writer = self.writer, None
        if writer is None:
            return
        if self._progress is not None and self._progress.running:
            self._progress.stop()
        try:
            self._commit(spider, reason, writer)
        finally:
            writer.index.close()
            self.lock.release()

    def title_state(self, title_id: str) -> TitleState | None:
        """What the archive knows of `title_id`'s crawls; ``None`` if never crawled
        (or while no run holds the archive)."""
        return self.writer.index.title_state(title_id) if self.writer is not None else None

    def holds(self, record: Mapping[str, Any]) -> bool:
        """The archive (or this run) holds `record` as it is: one index lookup."""
        return self.writer is not None and self.writer.verdict(record) is Verdict.UNCHANGED

    def log_progress(self) -> None:
        counts = self._stats("pages_read", "reviews_seen", "archive/new", "rejected")
        minutes = max(time.monotonic() - self._started, 1e-9) / 60
        logger.info(
            "Progress: %d pages, %d reviews, %d new, %d rejected (%.1f reviews/min)",
            *counts,
            counts[1] / minutes,
        )

    def _commit(self, spider: Spider | None, reason: str, writer: RunWriter) -> None:
        """Files into place, then the manifest, then the index (see `RunWriter.commit`);
        one ERROR line per cause of what could not be written."""
        manifest_written = False

        def before_index(files: list[str]) -> None:
            nonlocal manifest_written
            self._report_failures(writer)
            self._write_manifest(spider, reason, writer, files)
            manifest_written = True

        try:
            writer.commit(self._title_states(spider, writer.run_id), before_index=before_index)
        except (OSError, sqlite3.Error) as error:
            writer.discard()
            if manifest_written:
                # The files and the manifest are in place; their journal row lets the
                # next run index them (`ArchiveIndex.replay_journal`).
                self._fail(
                    "Archive index of run %s not committed: %s; the next run indexes its files",
                    writer.run_id,
                    error,
                )
                return
            self._fail("Archive commit of run %s failed: %s", writer.run_id, error)
            self._report_failures(writer)
            self._write_manifest(spider, reason, writer, writer.committed)

    def _report_failures(self, writer: RunWriter) -> None:
        stats = self.crawler.stats
        assert stats is not None
        if writer.failures:
            # Counted as written when they were; only what was committed counts.
            for verdict in (Verdict.NEW, Verdict.CHANGED):
                stats.set_value(f"{ARCHIVE_STATS}/{verdict}", writer.counts()[verdict.value])
            stats.set_value(f"{ARCHIVE_STATS}/{Verdict.NOT_WRITTEN}", writer.reviews_kept_out())
        for failure in writer.failures.values():
            owners = sorted(failure.kept_out.items(), key=lambda item: (-item[1], item[0]))
            shown = ", ".join(f"{owner}: {count}" for owner, count in owners[:5])
            more = f" and {len(owners) - 5} more" if len(owners) > 5 else ""
            self._fail(
                "Archive write failed (%s): %d record(s) kept out of the archive (%s%s); "
                "the feed still has every valid review, and the next run archives them",
                failure.cause,
                failure.count,
                shown,
                more,
            )

    def _title_states(self, spider: Spider | None, run_id: str) -> list[TitleState]:
        assert self.crawler.stats is not None
        params = getattr(spider, "params", None)
        order = getattr(params, "order", "helpful")
        return states_of_run(run_id, order, titles_section(self.crawler.stats.get_stats(), {}))

    def _write_manifest(
        self, spider: Spider | None, reason: str, writer: RunWriter, files: list[str]
    ) -> None:
        assert self.crawler.stats is not None
        params = getattr(spider, "params", None)
        manifest = run_manifest(
            run_id=writer.run_id,
            spider=spider.name if spider is not None else "",
            arguments=params.model_dump(mode="json") if params is not None else None,
            settings=recorded_settings(self.crawler.settings, str(self.layout.root)),
            finished_at=datetime.now(UTC),
            reason=reason,
            stats=self.crawler.stats.get_stats(),
            files=files,
            archived_per_title=writer.per_title,
            removed_partials=self.recovery.removed_partials,
            recovered_runs=self.recovery.recovered_runs,
            scrapyd_job=getattr(spider, "_job", None),
            write_failures={
                failure.cause: dict(failure.kept_out) for failure in writer.failures.values()
            },
        )
        try:
            path = self.layout.manifest_file(writer.run_id)
            write_manifest(path, manifest)
        except OSError as error:
            self._fail(
                "Archive run %s: its manifest could not be written: %s", writer.run_id, error
            )
            return
        counts = manifest.counts
        logger.info(
            "Archive run %s %s: %d new, %d changed, %d unchanged, %d rejected; manifest %s",
            writer.run_id,
            manifest.status,
            counts["new"],
            counts["changed"],
            counts["unchanged"],
            counts["rejected"],
            path,
        )

    def _load_index(self) -> ArchiveIndex:
        """The index, rebuilt from the review files if missing or damaged, with the
        runs killed while committing indexed. Damage found in the files on the way
        is noted in the archive, so that every run warns of it until a repair."""
        layout = self.layout
        damaged: list[str] = []

        def on_damage(path: Path, error: Exception) -> None:
            damaged.append(f"{layout.relative(path)}: {error}")

        try:
            index = open_index(layout)
        except IndexDamaged as damage:
            logger.warning(
                "Archive index %s is damaged (%s); rebuilding it from the review files",
                layout.index_path,
                damage,
            )
            index = None
        else:
            if index is None and layout.old_index_path.is_file():
                build_index(layout, on_damage=on_damage)
                layout.old_index_path.unlink()
                logger.info(
                    "Archive upgraded: %s replaced by the index database %s (one-time rebuild)",
                    layout.old_index_path.name,
                    layout.index_path.name,
                )
                index = open_index(layout)
        if index is None:
            build_index(layout, on_damage=on_damage)
            index = open_index(layout)
            assert index is not None
        for run_id in index.replay_journal(layout, on_damage=on_damage):
            logger.warning("Run %s was killed before its index commit; indexed its files", run_id)
        if damaged:
            note_damage(layout, damaged)
        return index

    def _log_damage(self) -> None:
        """One warning for damage known in the archive; one for a repair since the last run."""
        previous_run = max((path.stem for path in self.layout.manifest_files()), default=None)
        damaged = damage_noted(self.layout)
        if damaged:
            logger.warning(
                "Archive %s has %d damaged place(s) (first: %s); readers skip them. "
                "Run `scrapy archive verify`, then `scrapy archive repair`",
                self.layout.root,
                len(damaged),
                damaged[0],
            )
        for path, lines in repairs_since(self.layout, previous_run):
            logger.warning(
                "`scrapy archive repair` quarantined %d damaged line(s) in %s since the last run; "
                "the reviews they held are archived again as this run reads them",
                lines,
                self.layout.relative(path),
            )

    def _check_writable(self) -> None:
        for directory in (self.layout.reviews_dir, self.layout.rejects_dir, self.layout.runs_dir):
            directory.mkdir(parents=True, exist_ok=True)
            if not os.access(directory, os.W_OK | os.X_OK):
                raise PermissionError(f"cannot write to {directory}")

    def _log_recovery(self) -> None:
        if self.recovery.removed_partials:
            logger.warning(
                "Removed %d unfinished file(s) of a killed run; their reviews are archived again",
                len(self.recovery.removed_partials),
            )
        for run_id in self.recovery.recovered_runs:
            logger.warning("Run %s was killed while committing; wrote its manifest", run_id)

    def _refuse(self, message: str, reason: str) -> NoReturn:
        """One error line, then close before any page is read (exit status 1)."""
        self._fail("%s", message)
        raise CloseSpider(reason)

    def _refuse_unwritable(self, error: OSError) -> NoReturn:
        self._refuse(f"archive {self.layout.root} is not writable: {error}", "archive_unwritable")

    def _fail(self, message: str, *args: Any) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(FAILED_STAT, 1)
        logger.error(message, *args)

    def _stats(self, *names: str) -> list[int]:
        assert self.crawler.stats is not None
        return [int(self.crawler.stats.get_value(f"reviewcrawler/{n}", 0)) for n in names]


def _safe(listing: Callable[[], T]) -> T | None:
    """What `listing` finds, or ``None`` if the archive cannot be listed (refused later)."""
    try:
        return listing()
    except OSError:
        return None
