"""An archive made by real crawls of the bundled fixtures, shared by the report's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fixture_path, scrapy_cmd

#: Pusher II over two runs (44 reviews, two unrated), Pusher (4 reviews), and a
#: page with a review rejected for its empty text.
CRAWLS = (
    ("legacy/pusher2-page1.html",),
    ("legacy/pusher2-page2.html", "legacy/bad/empty-body.html"),
    ("current/pusher-2025.html",),
)


def archive_cmd(archive: Path, *args: str):
    return scrapy_cmd("archive", *args, "-s", f"ARCHIVE_DIR={archive}")


@pytest.fixture(scope="package")
def fixtures_archive(tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("report") / "archive"
    for pages in CRAWLS:
        paths = ",".join(str(fixture_path(*page.split("/"))) for page in pages)
        result = scrapy_cmd(
            "crawl", "reviews", "-a", f"path={paths}", "-s", f"ARCHIVE_DIR={archive}"
        )
        assert result.returncode in (0, 3), result.stderr[-2000:]
    return archive
