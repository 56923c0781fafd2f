"""``scrapy crawl`` with arguments checked up front and an honest exit status."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from reviewcrawler.outcome import ExitStatus, exit_status


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        return (
            "Run a spider. Exit status: 0 complete, 1 failed (an error was logged), "
            "2 bad arguments, 3 incomplete (some title could not be read to its end)."
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process is not None
        spider_class = self.crawler_process.spider_loader.load(args[0])
        check = getattr(spider_class, "check_arguments", None)
        if check is not None:
            try:
                check(opts.spargs)
            except ValueError as error:
                print(f"scrapy crawl {args[0]}: error: {error}", file=sys.stderr)
                self.exitcode = ExitStatus.USAGE
                return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = ExitStatus.FAILED
            return
        self.exitcode = exit_status(crawler.stats.get_stats())
