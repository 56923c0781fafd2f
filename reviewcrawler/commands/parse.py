"""``scrapy parse`` that prints a page's reviews without opening an archive run."""

from __future__ import annotations

import argparse
import warnings

from scrapy.commands.parse import Command as ScrapyParseCommand
from scrapy.exceptions import ScrapyDeprecationWarning


class Command(ScrapyParseCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if not opts.pipelines:
            # Items are only printed: an archive run would take the lock and write
            # a manifest for nothing. With --pipelines they are archived as usual.
            self.settings.set("ARCHIVE_ENABLED", False, priority="cmdline")
        # Scrapy's parse command wraps the spider's callback in one of its own that
        # returns a Deferred, then warns about its own wrapper; our callbacks return
        # iterators. Only that warning is silenced.
        warnings.filterwarnings(
            "ignore",
            message=r".* returned a Deferred\. Returning Deferreds from spider callbacks",
            category=ScrapyDeprecationWarning,
        )
