"""``scrapy enqueue``: titles for the cluster's workers, and the cluster's status line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand

from reviewcrawler.cluster.connection import cluster_problem
from reviewcrawler.ids import TITLE
from reviewcrawler.outcome import ExitStatus


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[ttNNN ...] [--from-file FILE] [--status] -s REDIS_URL=redis://HOST:PORT/DB"

    def short_desc(self) -> str:
        return "Queue titles for cluster workers, or show the cluster's progress (--status)"

    def long_desc(self) -> str:
        return (
            f"{self.short_desc()}. Ids are checked first: one bad id is one line on stderr, "
            "exit status 2, and nothing is queued. Titles queued again are crawled again."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--from-file", metavar="FILE", help="title ids, one a line; # starts a comment"
        )
        parser.add_argument(
            "--status", action="store_true", help="titles queued, in flight, done, failed"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not self.settings.get("REDIS_URL"):
            self._usage("give -s REDIS_URL=redis://HOST:PORT/DB")
        titles = list(args)
        if opts.from_file:
            titles += self._read_file(opts.from_file)
        problems = [problem for title in titles if (problem := TITLE.problem(title))]
        if problems:
            self._usage(f"{problems[0]}; nothing queued")
        if not titles and not opts.status:
            self._usage("give title ids, --from-file FILE or --status")
        problem = cluster_problem(self.settings)
        if problem is not None:
            self._usage(problem)
        from reviewcrawler.cluster.connection import connect
        from reviewcrawler.cluster.state import ClusterState

        state = ClusterState(connect(self.settings), self.settings.get("CLUSTER_KEY_PREFIX"))
        if titles:
            unique = list(dict.fromkeys(titles))
            dupefilter = self.settings.get("SCHEDULER_DUPEFILTER_KEY")
            round_ = state.enqueue(unique, dupefilter % {"spider": "reviews"})
            print(f"queued {len(unique)} title(s) in round {round_}")
        if opts.status:
            print(state.status().line())

    def _read_file(self, name: str) -> list[str]:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self._usage(f"cannot read {name}: {error}")
        return [
            line.split("#", 1)[0].strip()
            for line in text.splitlines()
            if line.split("#", 1)[0].strip()
        ]

    def _usage(self, message: str) -> None:
        print(f"scrapy enqueue: error: {message}", file=sys.stderr)
        sys.exit(ExitStatus.USAGE)
