"""``scrapy check`` whose contracts (on the bundled saved pages) never touch the archive."""

from __future__ import annotations

import argparse

from scrapy.commands.check import Command as ScrapyCheckCommand


class Command(ScrapyCheckCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # Scrapy disables the item pipelines for contracts; the archive run that
        # feeds on them would still lock the archive and write an empty run.
        self.settings.set("ARCHIVE_ENABLED", False, priority="cmdline")
