"""A failed archive write costs only what it must: one line per cause, exit 1."""

from __future__ import annotations

import errno
import logging
import os

import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.archive.files import AtomicJsonLines
from reviewcrawler.outcome import ExitStatus, exit_status
from tests.archive_helpers import manifests
from tests.conftest import archive_settings, crawl
from tests.hardening.faults import (
    OTHER_TITLE,
    archived,
    assert_quiet,
    clean_run,
    crawl_cmd,
    error_lines,
    feed,
    last_manifest,
    two_titles,
)
from tests.pages import TITLE_ID


def test_one_titles_folder_unusable_costs_only_that_title(tmp_path):
    pages = two_titles(tmp_path / "pages")
    expected_archive, expected_feed = clean_run(tmp_path, pages)
    archive, out, outside = tmp_path / "archive", tmp_path / "feed.jsonl", tmp_path / "outside"
    outside.mkdir()
    (archive / "reviews").mkdir(parents=True)
    # A planted link would take the title's file out of the archive.
    (archive / "reviews" / OTHER_TITLE).symlink_to(outside)

    done = crawl_cmd(archive, "-a", f"path={pages}", feed=out)

    assert done.returncode == ExitStatus.FAILED
    assert_quiet(done)
    (error,) = error_lines(done.stderr)
    assert "Archive write failed" in error
    assert "leads out of the archive" in error
    assert f"4 record(s) kept out of the archive ({OTHER_TITLE}: 4)" in error
    assert list(outside.iterdir()) == []
    assert feed(out) == expected_feed  # the feed keeps every valid review
    others = {rid: r for rid, r in expected_archive.items() if r["title_id"] == TITLE_ID}
    assert archived(archive) == others  # the other title still committed
    manifest = last_manifest(archive)
    assert (manifest["status"], manifest["exit_status"]) == ("failed", 1)
    assert manifest["write_failures"] and manifest["titles"][TITLE_ID]["new"] == 5

    # Once the folder is fixed, the next run archives what was kept out.
    (archive / "reviews" / OTHER_TITLE).unlink()
    again = crawl_cmd(archive, "-a", f"path={pages}")
    assert again.returncode == ExitStatus.COMPLETE, again.stderr[-3000:]
    assert archived(archive) == expected_archive


@pytest_twisted.inlineCallbacks
def test_a_full_disk_is_one_line_and_the_manifest_is_still_written(tmp_path, monkeypatch, caplog):
    pages = two_titles(tmp_path / "pages")
    archive = tmp_path / "archive"

    def disk_full(self, record):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(AtomicJsonLines, "write", disk_full)
    with caplog.at_level(logging.INFO):
        result = yield deferred_from_coro(crawl(archive_settings(archive), path=str(pages)))

    assert exit_status(result.stats) is ExitStatus.FAILED
    assert len(result.items) == 9  # the feed gets every valid review
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        "Archive write failed (No space left on device): 9 record(s) kept out of the archive "
        f"({TITLE_ID}: 5, {OTHER_TITLE}: 4); the feed still has every valid review, "
        "and the next run archives them"
    ]
    assert not any(r.exc_info for r in caplog.records)
    assert result.stats["reviewcrawler/archive/not_written"] == 9
    assert result.stats["reviewcrawler/archive/new"] == 0
    (manifest,) = manifests(archive)
    assert manifest["status"] == "failed"
    assert manifest["files"] == []
    assert not list((archive / "reviews").rglob("*.jsonl*"))


def test_a_symlinked_lock_is_refused_and_its_target_untouched(tmp_path):
    pages = two_titles(tmp_path / "pages")
    archive, target = tmp_path / "archive", tmp_path / "precious.txt"
    archive.mkdir()
    target.write_text("keep me\n")
    (archive / ".lock").symlink_to(target)

    done = crawl_cmd(archive, "-a", f"path={pages}")

    assert done.returncode == ExitStatus.FAILED
    assert_quiet(done)
    (error,) = error_lines(done.stderr)
    assert ".lock is a symbolic link; refusing to follow it" in error
    assert target.read_text() == "keep me\n"
    assert not (archive / "reviews").exists()


def test_an_archive_dir_that_is_a_symlink_is_fine(tmp_path):
    pages = two_titles(tmp_path / "pages")
    expected_archive, _ = clean_run(tmp_path, pages)
    real = tmp_path / "disk" / "archive"
    real.mkdir(parents=True)
    (tmp_path / "archive").symlink_to(real)
    done = crawl_cmd(tmp_path / "archive", "-a", f"path={pages}")
    assert done.returncode == ExitStatus.COMPLETE, done.stderr[-3000:]
    assert archived(real) == expected_archive
