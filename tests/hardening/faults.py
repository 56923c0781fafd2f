"""Shared by the fault tests: a clean run to compare with, and what a fault may print."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import read_jsonl, scrapy_cmd
from tests.pages import review, write_pages

OTHER_TITLE = "tt0000002"
#: Fields that differ between two runs reading the same pages.
RUN_FIELDS = ("scraped_at", "source_url")


def two_titles(pages: Path, extra: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """A directory of saved pages: 5 reviews of one title, 4 of another."""
    write_pages(
        pages,
        {
            "a.html": [review(n) for n in range(5)],
            "b.html": [review(n, title_id=OTHER_TITLE) for n in range(5, 9)],
            **(extra or {}),
        },
    )
    return pages


def crawl_cmd(
    archive: Path, *args: str, feed: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl reviews ARGS`` into `archive`, the feed into `feed` if given."""
    output = ("-O", str(feed)) if feed is not None else ()
    return scrapy_cmd("crawl", "reviews", *args, "-s", f"ARCHIVE_DIR={archive}", *output)


def content(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records by review id, without what differs from run to run."""
    return {r["review_id"]: {k: v for k, v in r.items() if k not in RUN_FIELDS} for r in records}


def feed(path: Path) -> dict[str, dict[str, Any]]:
    return content(read_jsonl(path))


def archived(archive: Path) -> dict[str, dict[str, Any]]:
    """The latest version of every review in `archive`, read file by file."""
    records = [r for p in sorted((archive / "reviews").glob("*/*.jsonl")) for r in read_jsonl(p)]
    return content(records)


#: Clean runs by the content of their pages: most fault tests compare with the same
#: pages (`two_titles`), whose unhindered run need not be crawled again for each.
_CLEAN_RUNS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}


def pages_digest(pages: Path) -> str:
    """What a run over the saved pages under `pages` reads: their names and bytes."""
    digest = hashlib.sha256()
    for page in sorted(path for path in pages.rglob("*") if path.is_file()):
        digest.update(f"{page.relative_to(pages)}\0{page.stat().st_size}\0".encode())
        digest.update(page.read_bytes())
    return digest.hexdigest()


def clean_run(tmp_path: Path, pages: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Archive and feed of an unhindered run over `pages` (the fields of `RUN_FIELDS`
    aside), crawled once per test process for pages of the same content."""
    key = pages_digest(pages)
    if key not in _CLEAN_RUNS:
        archive, out = tmp_path / "clean-archive", tmp_path / "clean.jsonl"
        done = crawl_cmd(archive, "-a", f"path={pages}", feed=out)
        assert done.returncode == 0, done.stderr[-3000:]
        _CLEAN_RUNS[key] = archived(archive), feed(out)
    return copy.deepcopy(_CLEAN_RUNS[key])


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def assert_quiet(done: subprocess.CompletedProcess[str]) -> None:
    """No traceback, however the run ended."""
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    assert "Traceback" not in done.stdout


def last_manifest(archive: Path) -> dict[str, Any]:
    return json.loads(sorted((archive / "runs").glob("*.json"))[-1].read_text())


def error_lines(stderr: str) -> list[str]:
    """The log's ERROR lines (not the stats dump's ``log_count/ERROR``)."""
    return lines_with(stderr, "] ERROR: ")
