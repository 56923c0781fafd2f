"""``scrapy archive export|stats|verify|reindex`` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.archive.lock import ArchiveLock
from tests.archive_helpers import review_files
from tests.conftest import read_jsonl, scrapy_cmd
from tests.pages import review, write_pages

OTHER_TITLE = "tt0000002"


def archive_cmd(archive: Path, *args: str):
    return scrapy_cmd("archive", *args, "-s", f"ARCHIVE_DIR={archive}")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> Path:
    """Run 1 archives 6 reviews of two titles; run 2 finds rw1001 edited and one reject."""
    tmp = tmp_path_factory.mktemp("archive-command")
    pages, archive = tmp / "pages", tmp / "archive"
    for edited in (False, True):
        title_a = [
            review(n, **({"headline": "Edited"} if edited and n == 1 else {})) for n in range(4)
        ]
        title_b = [review(n, title_id=OTHER_TITLE) for n in range(4, 6)]
        if edited:
            title_b.append(review(9, title_id=OTHER_TITLE, rating=None, date="someday"))
        write_pages(pages, {"a.html": title_a, "b.html": title_b})
        result = scrapy_cmd(
            "crawl", "reviews", "-a", f"path={pages}", "-s", f"ARCHIVE_DIR={archive}"
        )
        assert result.returncode == 0, result.stderr
    return archive


def test_export_gives_each_review_once_latest_version(two_runs, tmp_path):
    out = tmp_path / "all.jsonl"
    result = archive_cmd(two_runs, "export", "-O", str(out))
    assert result.returncode == 0, result.stderr
    records = read_jsonl(out)
    assert sorted(r["review_id"] for r in records) == [f"rw{1000 + n}" for n in range(6)]
    assert next(r for r in records if r["review_id"] == "rw1001")["headline"] == "Edited"


def test_export_one_title_to_stdout(two_runs):
    result = archive_cmd(two_runs, "export", "--title", OTHER_TITLE)
    assert result.returncode == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["review_id"] for r in records] == ["rw1004", "rw1005"]
    assert archive_cmd(two_runs, "export", "--title", "nope").returncode == 2


def test_stats_per_title(two_runs):
    result = archive_cmd(two_runs, "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    last_run = sorted(p.stem for p in (two_runs / "runs").glob("*.json"))[-1]
    assert stats["tt1355644"] == {
        "reviews": 4,
        "versions": 5,
        "runs": 2,
        "last_run": last_run,
        "rejects": 0,
        # Saved pages (path=) say nothing of what IMDb holds: no crawl state.
        "crawl": None,
    }
    assert stats[OTHER_TITLE]["rejects"] == 1
    assert stats[OTHER_TITLE]["versions"] == 2
    table = archive_cmd(two_runs, "stats")
    assert table.stdout.splitlines()[0].split() == [
        "title", "reviews", "versions", "runs", "last_run", "rejects",
        "crawl", "order", "newest", "last_complete_run",
    ]  # fmt: skip


def test_verify_passes_on_a_sound_archive(two_runs):
    result = archive_cmd(two_runs, "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: ")


def test_verify_fails_on_damage_and_reindex_repairs_the_index(two_runs, tmp_path):
    archive = tmp_path / "copy"
    shutil.copytree(two_runs, archive)
    (archive / "index.db").unlink()
    assert archive_cmd(archive, "verify").returncode == 1
    assert archive_cmd(archive, "reindex").returncode == 0
    assert archive_cmd(archive, "verify").returncode == 0

    damaged = review_files(archive)[0]
    damaged.write_text(damaged.read_text() + '{"review_id": "rw1", \n')
    result = archive_cmd(archive, "verify")
    assert result.returncode == 1
    assert f"{damaged.parent.name}/{damaged.name}:" in result.stdout
    assert "not valid JSON Lines" in result.stdout


def test_verify_and_reindex_wait_for_no_run(two_runs):
    with ArchiveLock(ArchiveLayout.at(two_runs)) as lock:
        lock.acquire("run 20261125T080000Z-000000")
        for action in ("verify", "reindex"):
            result = archive_cmd(two_runs, action)
            assert result.returncode == 1
            assert "in use by run 20261125T080000Z-000000" in result.stderr


def test_missing_archive_is_an_error(tmp_path):
    result = archive_cmd(tmp_path / "none", "stats")
    assert result.returncode == 1
    assert "no archive at" in result.stderr
