"""Test-only: a run that kills itself (SIGKILL, as ``kill -9``) at a chosen point
of its commit. Enabled only by tests (``-s EXTENSIONS=...``, ``-s TEST_KILL_AT=...``).

- ``between_renames``: after the first file of the run is renamed into place;
- ``before_index_commit``: after every file is renamed and the manifest written,
  before the index transaction.
"""

from __future__ import annotations

import os
import signal
from typing import Self

from scrapy.crawler import Crawler

from reviewcrawler.archive.files import AtomicJsonLines
from reviewcrawler.archive.index import ArchiveIndex


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillDuringCommit:
    def __init__(self, point: str) -> None:
        if point == "before_index_commit":
            ArchiveIndex.finish_commit = lambda *args, **kwargs: _kill()  # type: ignore[method-assign]
        elif point == "between_renames":
            rename = AtomicJsonLines.commit
            renamed = []

            def commit(file: AtomicJsonLines) -> None:
                if renamed:
                    _kill()
                rename(file)
                renamed.append(file.path)

            AtomicJsonLines.commit = commit  # type: ignore[method-assign]
        else:
            raise ValueError(f"unknown TEST_KILL_AT {point!r}")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.get("TEST_KILL_AT"))
