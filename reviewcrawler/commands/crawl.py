"""``scrapy crawl`` with arguments checked up front and an honest exit status."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from reviewcrawler.checks import check_settings
from reviewcrawler.crawl.graphql import ReviewsQuery
from reviewcrawler.middlewares.cookies import check_cookies_file
from reviewcrawler.outcome import ExitStatus, exit_reason, exit_status


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        return (
            "Run a spider. Exit status: 0 complete, 1 failed (an error was logged), "
            "2 bad arguments, 3 incomplete (some title could not be read to its end). "
            "A run that does not exit 0 ends with a line saying why."
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # Checked here, before Scrapy starts logging, so that a bad argument is
        # the only line on stderr.
        if len(args) == 1:
            self._check_spider_arguments(args[0], opts.spargs)
            self._check_settings(args[0])

    def _check_spider_arguments(self, name: str, spider_args: dict[str, str]) -> None:
        assert self.settings is not None
        try:
            spider_class = get_spider_loader(self.settings).load(name)
        except KeyError:
            return  # `run` reports an unknown spider as Scrapy does
        check = getattr(spider_class, "check_arguments", None)
        if check is None:
            return
        arguments: dict[str, Any] = dict(spider_args)
        if self.settings.get("REDIS_URL"):
            arguments["_cluster"] = True
        try:
            check(arguments)
        except ValueError as error:
            print(f"scrapy crawl {name}: error: {error}", file=sys.stderr)
            sys.exit(ExitStatus.USAGE)

    def _check_settings(self, name: str) -> None:
        """Unusable settings (`reviewcrawler.checks`, ``COOKIES_FILE``, ``IMDB_GRAPHQL_*``)
        are usage errors too."""
        settings = self.settings
        assert settings is not None
        try:
            check_settings(settings)
            check_cookies_file(settings)
            ReviewsQuery.checked(
                settings.get("IMDB_GRAPHQL_URL"),
                settings.get("IMDB_GRAPHQL_HASH"),
                settings.get("IMDB_BASE_URL"),
            )
        except ValueError as error:
            print(f"scrapy crawl {name}: error: {error}", file=sys.stderr)
            sys.exit(ExitStatus.USAGE)
        if settings.get("REDIS_URL"):
            from reviewcrawler.cluster.connection import cluster_problem

            problem = cluster_problem(settings)
            if problem is not None:
                print(f"scrapy crawl {name}: error: {problem}", file=sys.stderr)
                sys.exit(ExitStatus.USAGE)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = ExitStatus.FAILED
            print("exit 1: the crawl could not start (see above)", file=sys.stderr)
            return
        stats = crawler.stats.get_stats()
        if "finish_reason" not in stats:
            # Stopped before the spider could close (a second stop signal).
            self.exitcode = ExitStatus.FAILED
            why = "stopped before the run could close (a second stop signal)"
            print(f"exit 1: {why}", file=sys.stderr)
            return
        self.exitcode = exit_status(stats)
        if self.exitcode != ExitStatus.COMPLETE:
            # After Scrapy's own last lines: a scheduler's log ends with the reason.
            print(exit_reason(stats), file=sys.stderr)
