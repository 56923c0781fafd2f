"""``scrapy archive ACTION``: read the archive back, report on it, check, repair, reindex it.

A damaged line or manifest is skipped by `export` and `stats` with one warning
naming ``file:line`` on stderr, listed by `verify`, and quarantined by `repair`.
A closed standard output (``| head``) ends the command quietly, as it does `cat`.

One command with its actions, so that they share one option set and one help
page. They need no crawler; they read ``ARCHIVE_DIR`` from the settings
(``-s ARCHIVE_DIR=...``). Each action's work is in the package it belongs to
(`reviewcrawler.archive`, `reviewcrawler.exports`, `reviewcrawler.report`,
`reviewcrawler.cluster`); what is here is its options, lock and one-line messages,
seven actions' worth, which is why the module runs a little past 300 lines.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import jsonlines
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from reviewcrawler import exports, report
from reviewcrawler.archive.files import Damage
from reviewcrawler.archive.index import build_index
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.archive.lock import ArchiveLock, ArchiveLocked
from reviewcrawler.archive.reader import REPAIR_HINT, latest_reviews, title_stats, verify
from reviewcrawler.archive.repair import clear_damage_note, note_damage, repair
from reviewcrawler.checks import check_settings
from reviewcrawler.exports.progress import ReadProgress
from reviewcrawler.exports.replacing import DestinationError, replacing
from reviewcrawler.feeds import discard_stdout
from reviewcrawler.ids import TITLE
from reviewcrawler.outcome import ExitStatus
from reviewcrawler.report.runs import read_runs

ACTIONS = {
    "export": "the latest version of every review, each once (-O FILE: .jsonl .json .csv .xml "
    ".sqlite .parquet; --format, --title)",
    "report": "an HTML report with plots, readable offline (-o FILE, --title)",
    "stats": "per title: reviews, versions, runs, last run, rejects, crawl state (--json)",
    "verify": "every file parses, the index agrees with the files; exit 1 if not",
    "reindex": "rebuild the index database (index.db) from the review files and manifests",
    "repair": "move damaged lines and manifests to quarantine/, rewrite their files",
    "ingest": "cluster mode: commit the workers' stream (-s REDIS_URL=...; --until-idle SECONDS)",
}


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return f"{{{','.join(ACTIONS)}}} [options]"

    def short_desc(self) -> str:
        return "Read, check or reindex the review archive (ARCHIVE_DIR)"

    def long_desc(self) -> str:
        actions = "; ".join(f"{name}: {what}" for name, what in ACTIONS.items())
        return f"{self.short_desc()}. {actions}. Exit status 0 on success, 1 on failure."

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-O",
            "-o",
            "--output",
            metavar="FILE",
            default="-",
            help="export or report to FILE, replaced when complete (export default: stdout)",
        )
        parser.add_argument(
            "--format",
            choices=sorted(set(exports.FORMATS)),
            help="export format, instead of the one FILE's extension names",
        )
        parser.add_argument(
            "--title",
            action="append",
            default=[],
            metavar="TT",
            help="export or report only this title (repeat or comma-separate for more)",
        )
        parser.add_argument("--json", action="store_true", help="stats as JSON")
        parser.add_argument(
            "--quiet", action="store_true", help="no progress lines (as -s LOG_LEVEL=WARNING)"
        )
        parser.add_argument(
            "--until-idle",
            type=float,
            metavar="SECONDS",
            help="ingest: exit once nothing was queued, in flight or in the stream for SECONDS "
            "(0; 3 if some title ended incomplete)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] not in ACTIONS:
            raise UsageError(f"give one action: {', '.join(ACTIONS)}")
        assert self.settings is not None
        layout = ArchiveLayout.at(self.settings.get("ARCHIVE_DIR"))
        if args[0] == "ingest":
            self._ingest(layout, opts)
            return
        if not layout.root.is_dir():
            self._fail(f"no archive at {layout.root}")
            return
        try:
            getattr(self, f"_{args[0]}")(layout, opts)
            sys.stdout.flush()
        except BrokenPipeError:
            discard_stdout()

    def _skipped(self, layout: ArchiveLayout) -> Callable[[Damage], None]:
        def warn(damage: Damage) -> None:
            print(
                f"scrapy archive: warning: {damage.where(layout.root)}: {damage.reason}; "
                f"skipped ({REPAIR_HINT})",
                file=sys.stderr,
            )

        return warn

    def _export(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        titles = self._titles(layout, opts)
        try:
            fmt = exports.choose_format(opts.output, opts.format)
        except exports.ExportUsageError as error:
            self._usage(str(error))
            return
        if titles is None:
            return
        assert self.settings is not None
        progress = self._progress(opts)
        records = progress.track(latest_reviews(layout, titles or None, self._skipped(layout)))
        try:
            count = exports.export(
                records, fmt, opts.output, self.settings, lambda: read_runs(layout).runs
            )
        except DestinationError as error:
            self._usage(str(error))
            return
        except BrokenPipeError:
            raise  # the reader of stdout went away (``| head``): `run` ends quietly
        except (OSError, exports.ExportWriteError) as error:
            self._fail(f"writing {opts.output} failed, nothing written under that name: {error}")
            return
        except (jsonlines.InvalidLineError, UnicodeDecodeError) as error:
            self._fail(f"damaged archive file, nothing exported: {error} (see `archive verify`)")
            return
        self._say(opts, f"exported {count} review(s) from {layout.root} ({fmt})")

    def _report(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        titles = self._titles(layout, opts)
        if titles is None:
            return
        if opts.output == "-":
            self._usage("give the report a file: -o report.html")
            return
        if not report.report_available():
            self._usage(report.INSTALL_HINT)
            return
        from reviewcrawler.report.gather import gather
        from reviewcrawler.report.page import render

        assert self.settings is not None
        progress = self._progress(opts)
        try:
            with replacing(Path(opts.output)) as path:
                reviews = latest_reviews(layout, titles or None, self._skipped(layout))
                records = progress.track(reviews)
                data = gather(layout, self.settings["ARCHIVE_DIR"], records, sorted(titles))
                html = render(data, self.settings.getint("REPORT_PLOTTED_TITLES"))
                path.write_text(html, encoding="utf-8")
        except DestinationError as error:
            self._usage(str(error))
            return
        except OSError as error:
            self._fail(f"writing {opts.output} failed, nothing written under that name: {error}")
            return
        except (jsonlines.InvalidLineError, UnicodeDecodeError) as error:
            self._fail(f"damaged archive file, no report written: {error} (see `archive verify`)")
            return
        self._say(opts, f"report of {progress.count} review(s) written to {opts.output}")

    def _titles(self, layout: ArchiveLayout, opts: argparse.Namespace) -> set[str] | None:
        """The titles named with --title (empty: all); None after saying why they will not do."""
        titles = {t.strip() for arg in opts.title for t in arg.split(",") if t.strip()}
        bad = sorted(t for t in titles if not TITLE.valid(t))
        if bad:
            self._usage(f"not an IMDb title id (ttNNNNNNN): {', '.join(bad)}")
            return None
        known = {p.name for p in layout.reviews_dir.glob("tt*") if p.is_dir()}
        if titles - known:
            known |= {t for run in read_runs(layout).runs for t in run.titles}
        missing = sorted(titles - known)
        if missing:
            self._usage(f"not in the archive {layout.root}: {', '.join(missing)}")
            return None
        return titles

    def _progress(self, opts: argparse.Namespace) -> ReadProgress:
        assert self.settings is not None
        interval = self.settings.getfloat("ARCHIVE_PROGRESS_INTERVAL")
        return ReadProgress(0 if self._quiet(opts) else interval)

    def _quiet(self, opts: argparse.Namespace) -> bool:
        assert self.settings is not None
        level = logging.getLevelName(str(self.settings.get("LOG_LEVEL")).upper())
        return bool(opts.quiet) or (isinstance(level, int) and level > logging.INFO)

    def _say(self, opts: argparse.Namespace, line: str) -> None:
        if not self._quiet(opts):
            print(line, file=sys.stderr)

    def _stats(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        rows = title_stats(layout, self._skipped(layout))
        if opts.json:
            print(json.dumps(rows, indent=2))
            return
        columns = ("reviews", "versions", "runs")
        print(f"{'title':<12}" + "".join(f"{name:>10}" for name in columns), end="")
        print(f"  {'last_run':<24}{'rejects':>8}  {'crawl':<11}{'order':<8}{'newest':<11}", end="")
        print("last_complete_run")
        for title_id, row in rows.items():
            counts = "".join(f"{row[name]:>10}" for name in columns)
            crawl = row["crawl"] or {}
            print(
                f"{title_id:<12}{counts}  {row['last_run'] or '-':<24}{row['rejects']:>8}", end=""
            )
            print(
                f"  {crawl.get('status') or '-':<11}{crawl.get('order') or '-':<8}"
                f"{crawl.get('newest_review') or '-':<11}{crawl.get('last_complete_run') or '-'}"
            )

    def _verify(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        with self._locked(layout) as locked:
            if not locked:
                return
            result = verify(layout)
            if result.damage:
                note_damage(layout, [damage.where(layout.root) for damage in result.damage])
            else:
                clear_damage_note(layout)
        for line in (*result.problems, *(f"note: {note}" for note in result.notes)):
            print(line)
        summary = ", ".join(f"{count} {name}" for name, count in sorted(result.counts.items()))
        if result.problems:
            self._fail(f"{len(result.problems)} problem(s) in {layout.root} ({summary})")
        else:
            print(f"OK: {layout.root} ({summary})")

    def _reindex(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        with self._locked(layout) as locked:
            if not locked:
                return
            damaged: list[str] = []
            count = build_index(
                layout, on_damage=lambda path, error: damaged.append(f"{path}: {error}")
            )
            # The index of archives made before the database: stale from now on.
            layout.old_index_path.unlink(missing_ok=True)
        print(f"indexed {count} review(s) in {layout.index_path}")
        for line in damaged:
            self._fail(f"damaged, indexed up to the damage: {line}")

    def _ingest(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not self.settings.get("REDIS_URL"):
            self._usage("ingest needs -s REDIS_URL=redis://HOST:PORT/DB")
            return
        try:
            check_settings(self.settings)
        except ValueError as error:
            self._usage(str(error))
            return
        from reviewcrawler.cluster.connection import cluster_problem

        problem = cluster_problem(self.settings)
        if problem is not None:
            self._usage(problem)
            return
        from reviewcrawler.cluster.ingest import ingest

        self.exitcode = ingest(self.settings, layout, opts.until_idle)

    def _repair(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        with self._locked(layout) as locked:
            if not locked:
                return
            result = repair(layout)
            if result.quarantined:
                # The files changed: the index must say what they now hold, so
                # that the next crawl archives again what the damaged lines held.
                build_index(layout, on_damage=lambda path, error: None)
                layout.old_index_path.unlink(missing_ok=True)
        if result.quarantine is None:
            print(f"nothing to repair in {layout.root}")
            return
        for damage in result.quarantined:
            print(f"quarantined {damage.where(layout.root)}: {damage.reason}")
        print(
            f"moved {len(result.quarantined)} damaged line(s) or manifest(s) to "
            f"{layout.relative(result.quarantine)}; rewrote {len(result.rewritten)} file(s), "
            f"removed {len(result.removed)} left empty. The next crawl archives again "
            "the reviews they held."
        )

    @contextmanager
    def _locked(self, layout: ArchiveLayout) -> Iterator[bool]:
        """Hold the archive lock, so that no run commits half-way through a check."""
        lock = ArchiveLock(layout)
        try:
            lock.acquire("scrapy archive")
        except (ArchiveLocked, OSError) as error:
            self._fail(str(error))
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    def _fail(self, message: str) -> None:
        print(f"scrapy archive: error: {message}", file=sys.stderr)
        self.exitcode = ExitStatus.FAILED

    def _usage(self, message: str) -> None:
        print(f"scrapy archive: error: {message}", file=sys.stderr)
        self.exitcode = ExitStatus.USAGE
