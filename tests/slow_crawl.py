"""Test-only: a crawl in the background that archives slowly (`tests.slow_pipeline`),
so that a test can stop or kill it mid-write."""

from __future__ import annotations

import json
from pathlib import Path

from reviewcrawler import settings as project
from tests import launcher


def slow_crawl(
    pages: Path, archive: Path, *settings: str, seconds: float = 1.0
) -> launcher.Launched:
    """``scrapy crawl reviews -a path=PAGES`` into `archive`, archiving one review every
    `seconds` (this pipeline after the archive's), in the background; `settings` as ``-s``."""
    pipelines = {**project.ITEM_PIPELINES, "tests.slow_pipeline.SlowPipeline": 350}
    args = ["crawl", "reviews", "-a", f"path={pages}", "-s", f"ARCHIVE_DIR={archive}"]
    args += ["-s", f"ITEM_PIPELINES={json.dumps(pipelines)}"]
    args += ["-s", f"TEST_SLOW_ITEM_SECONDS={seconds}"]
    for setting in settings:
        args += ["-s", setting]
    return launcher.start(args)
