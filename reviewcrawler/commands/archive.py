"""``scrapy archive ACTION``: read the archive back, check it, rebuild its index.

One command with four actions, so that they share one option set and one help
page. They need no crawler; they read ``ARCHIVE_DIR`` from the settings
(``-s ARCHIVE_DIR=...``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, ClassVar, NoReturn

import jsonlines
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from reviewcrawler.archive.index import rebuild_index
from reviewcrawler.archive.layout import TITLE_ID, ArchiveLayout
from reviewcrawler.archive.lock import ArchiveLock, ArchiveLocked
from reviewcrawler.archive.reader import latest_reviews, title_stats, verify

ACTIONS = {
    "export": "the latest version of every review, each once (-O FILE, --title)",
    "stats": "per title: reviews, versions, runs, last run, rejects (--json)",
    "verify": "every file parses, the index agrees with the files; exit 1 if not",
    "reindex": "rebuild index.json from the review files",
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
            "-O", "--output", metavar="FILE", default="-", help="export to FILE (default: stdout)"
        )
        parser.add_argument(
            "--title",
            action="append",
            default=[],
            metavar="TT",
            help="export only this title (repeat or comma-separate for more)",
        )
        parser.add_argument("--json", action="store_true", help="stats as JSON")
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
        getattr(self, f"_{args[0]}")(layout, opts)

    def _export(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        titles = {t.strip() for arg in opts.title for t in arg.split(",") if t.strip()}
        bad = sorted(t for t in titles if not TITLE_ID.fullmatch(t))
        if bad:
            raise UsageError(f"not an IMDb title id (ttNNNNNNN): {', '.join(bad)}")
        with _output(opts.output) as out, jsonlines.Writer(out, compact=True) as writer:
            count = 0
            for record in latest_reviews(layout, titles or None):
                writer.write(record)
                count += 1
        print(f"exported {count} review(s) from {layout.root}", file=sys.stderr)

    def _stats(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        rows = title_stats(layout)
        if opts.json:
            print(json.dumps(rows, indent=2))
            return
        columns = ("reviews", "versions", "runs", "last_run", "rejects")
        print(f"{'title':<12}" + "".join(f"{name:>10}" for name in columns[:3]), end="")
        print(f"  {'last_run':<24}{'rejects':>8}")
        for title_id, row in rows.items():
            counts = "".join(f"{row[name]:>10}" for name in columns[:3])
            print(f"{title_id:<12}{counts}  {row['last_run'] or '-':<24}{row['rejects']:>8}")

    def _verify(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        with self._locked(layout) as locked:
            if not locked:
                return
            result = verify(layout)
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
            index = rebuild_index(
                layout, on_damage=lambda path, error: damaged.append(f"{path}: {error}")
            )
            index.save(layout)
        print(f"indexed {len(index.entries)} review(s) in {layout.index_path}")
        for line in damaged:
            self._fail(f"damaged, indexed up to the damage: {line}")

    def _ingest(self, layout: ArchiveLayout, opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not self.settings.get("REDIS_URL"):
            self._usage("ingest needs -s REDIS_URL=redis://HOST:PORT/DB")
        from reviewcrawler.cluster.connection import cluster_problem

        problem = cluster_problem(self.settings)
        if problem is not None:
            self._usage(problem)
        from reviewcrawler.cluster.ingest import ingest

        self.exitcode = ingest(self.settings, layout, opts.until_idle)

    def _usage(self, message: str) -> NoReturn:
        print(f"scrapy archive: error: {message}", file=sys.stderr)
        sys.exit(2)

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
        self.exitcode = 1


@contextmanager
def _output(name: str) -> Iterator[IO[str]]:
    if name == "-":
        yield sys.stdout
        return
    with Path(name).open("w", encoding="utf-8", newline="\n") as out:
        yield out
