"""Scheduled runs as a scheduler starts them: ``scrapy crawl`` subprocesses,
killed, stopped and started twice over one ARCHIVE_DIR."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from reviewcrawler import settings as project
from tests import launcher
from tests.archive_helpers import assert_valid_archive, manifests, review_files
from tests.conftest import read_jsonl, scrapy_cmd
from tests.pages import review, write_pages
from tests.slow_crawl import slow_crawl

pytestmark = pytest.mark.slow

REVIEWS = 24
SLOW_ITEM_SECONDS = 0.15


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    directory = tmp_path / "pages"
    write_pages(
        directory,
        {
            "a.html": [review(n) for n in range(12)],
            "b.html": [review(n, title_id="tt0000002") for n in range(12, REVIEWS)],
        },
    )
    return directory


def crawl_args(pages: Path, archive: Path, *extra: str) -> list[str]:
    return ["crawl", "reviews", "-a", f"path={pages}", "-s", f"ARCHIVE_DIR={archive}", *extra]


def wait_for_partial_lines(archive: Path, lines: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for partial in archive.glob("reviews/*/*.partial"):
            if partial.read_text(encoding="utf-8").count("\n") >= lines:
                return
        time.sleep(0.05)
    raise AssertionError(f"no partial review file with {lines} lines after {timeout}s")


def archived_ids(archive: Path) -> list[str]:
    return [r["review_id"] for path in review_files(archive) for r in read_jsonl(path)]


def test_killed_run_leaves_a_valid_archive_and_a_second_run_is_refused(pages, tmp_path):
    archive = tmp_path / "archive"
    # Slow enough that the first run is still mid-write however long the second one
    # takes to start on a loaded machine; it is killed, so this costs no test time.
    slow = slow_crawl(pages, archive, seconds=3.0)
    try:
        wait_for_partial_lines(archive, 1)  # mid-write: 23 reviews, 69 s, still to go

        # A second run while the first holds the lock: refused at once, one line, exit 1.
        started = time.monotonic()
        second = scrapy_cmd(*crawl_args(pages, archive), timeout=60)
        assert second.returncode == 1
        assert time.monotonic() - started < 30
        errors = [line for line in second.stderr.splitlines() if " ERROR: " in line]
        assert len(errors) == 1, second.stderr
        assert "is in use by run 2" in errors[0]
        assert f"pid {slow.pid}" in errors[0]

        slow.send_signal(signal.SIGKILL)
        slow.wait(timeout=30)
    finally:
        slow.close()

    # Killed mid-write: nothing committed, every file there is valid.
    assert review_files(archive) == []
    assert manifests(archive) == []
    assert list(archive.glob("reviews/*/*.partial"))
    assert_valid_archive(archive)
    verified = scrapy_cmd("archive", "verify", "-s", f"ARCHIVE_DIR={archive}")
    assert verified.returncode == 0, verified.stdout
    assert "note: " in verified.stdout  # the partial files, ignored

    # The next run cleans up and archives every review, once.
    rerun = scrapy_cmd(*crawl_args(pages, archive))
    assert rerun.returncode == 0, rerun.stderr
    (manifest,) = manifests(archive)
    assert manifest["counts"]["new"] == REVIEWS
    assert manifest["removed_partials"]
    assert not list(archive.rglob("*.partial"))
    assert sorted(archived_ids(archive)) == sorted(f"rw{1000 + n}" for n in range(REVIEWS))
    assert scrapy_cmd("archive", "verify", "-s", f"ARCHIVE_DIR={archive}").returncode == 0


def test_sigterm_commits_what_was_done_and_says_interrupted(pages, tmp_path):
    archive = tmp_path / "archive"
    slow = slow_crawl(pages, archive, seconds=SLOW_ITEM_SECONDS)
    try:
        wait_for_partial_lines(archive, 3)
        slow.send_signal(signal.SIGTERM)
        assert slow.wait(timeout=60) == 1
    finally:
        slow.close()
    (interrupted,) = manifests(archive)
    assert interrupted["status"] == "interrupted"
    assert interrupted["exit_status"] == 1
    committed = archived_ids(archive)
    assert len(committed) == interrupted["counts"]["new"] >= 3
    assert not list(archive.rglob("*.partial"))
    assert_valid_archive(archive)

    rerun = scrapy_cmd(*crawl_args(pages, archive))
    assert rerun.returncode == 0, rerun.stderr
    assert manifests(archive)[-1]["counts"]["new"] == REVIEWS - len(committed)
    assert sorted(archived_ids(archive)) == sorted(f"rw{1000 + n}" for n in range(REVIEWS))


def test_unwritable_archive_exits_1_with_one_line(pages, tmp_path):
    (tmp_path / "file").write_text("")
    result = scrapy_cmd(*crawl_args(pages, tmp_path / "file" / "archive"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if " ERROR: " in line]
    assert len(errors) == 1
    assert "is not writable" in errors[0]


def killed_crawl(pages: Path, archive: Path, point: str) -> subprocess.CompletedProcess[str]:
    """A crawl that SIGKILLs itself at `point` of its commit (tests/killpoints.py)."""
    extensions = {**project.EXTENSIONS, "tests.killpoints.KillDuringCommit": 900}
    args = crawl_args(
        pages, archive, "-s", f"EXTENSIONS={json.dumps(extensions)}", "-s", f"TEST_KILL_AT={point}"
    )
    return launcher.run(args)


@pytest.mark.parametrize("point", ["before_index_commit", "between_renames"])
def test_a_kill_between_the_renames_and_the_index_commit_loses_and_duplicates_nothing(
    pages, tmp_path, point
):
    archive = tmp_path / "archive"
    first = scrapy_cmd(*crawl_args(pages, archive))
    assert first.returncode == 0, first.stderr
    # New reviews for both titles, then a run killed -9 in the middle of its commit.
    write_pages(
        pages,
        {
            "c.html": [review(n) for n in range(100, 105)],
            "d.html": [review(n, title_id="tt0000002") for n in range(105, 110)],
        },
    )
    killed = killed_crawl(pages, archive, point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    first_run = manifests(archive)[0]["run_id"]
    renamed = [path for path in review_files(archive) if path.stem != first_run]
    assert renamed, "the killed run renamed at least one file"
    assert_valid_archive(archive)
    noted = scrapy_cmd("archive", "verify", "-s", f"ARCHIVE_DIR={archive}")
    assert noted.returncode == 0, noted.stdout
    assert "killed before their index commit; the next run indexes their files" in noted.stdout

    rerun = scrapy_cmd(*crawl_args(pages, archive), "-s", "LOG_LEVEL=INFO")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "was killed before its index commit; indexed its files" in rerun.stderr
    ids = archived_ids(archive)
    expected = {f"rw{1000 + n}" for n in (*range(REVIEWS), *range(100, 110))}
    assert sorted(ids) == sorted(expected)  # each review archived once: nothing lost, nothing twice
    last = manifests(archive)[-1]
    assert last["counts"]["new"] == 10 - sum(1 for p in renamed for _ in read_jsonl(p))
    assert not list(archive.rglob("*.partial"))
    verified = scrapy_cmd("archive", "verify", "-s", f"ARCHIVE_DIR={archive}")
    assert verified.returncode == 0, verified.stdout
