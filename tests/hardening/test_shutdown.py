"""SIGTERM ends a run within SHUTDOWN_TIMEOUT, committing what it holds; a second
SIGTERM ends it at once and frees the archive."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.archive.lock import ArchiveLock
from tests.archive_helpers import assert_valid_archive, manifests
from tests.hardening.faults import archived, clean_run, crawl_cmd, two_titles
from tests.launcher import Launched
from tests.slow_crawl import slow_crawl

pytestmark = pytest.mark.slow


def wait_for_partial(archive: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.read_text().strip() for p in archive.glob("reviews/*/*.partial")):
            return
        time.sleep(0.05)
    raise AssertionError("the crawl never started writing")


def stop(process: Launched, *signals: signal.Signals) -> tuple[int, float, str]:
    """Send `signals` half a second apart; exit status, seconds to exit, stderr."""
    started = time.monotonic()
    try:
        for number, sent in enumerate(signals):
            if number:
                time.sleep(0.5)
            process.send_signal(sent)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.close()
    assert process.returncode is not None
    return process.returncode, time.monotonic() - started, stderr


def test_sigterm_ends_the_run_within_the_shutdown_timeout(tmp_path):
    pages = two_titles(tmp_path / "pages")
    expected_archive, _ = clean_run(tmp_path, pages)
    archive = tmp_path / "archive"
    # Nine reviews held a second each: a graceful stop alone would take ~9 s.
    slow = slow_crawl(pages, archive, "SHUTDOWN_TIMEOUT=1")
    wait_for_partial(archive)
    status, seconds, stderr = stop(slow, signal.SIGTERM)

    assert status == 1
    assert seconds < 6
    assert "Traceback" not in stderr
    assert "(SHUTDOWN_TIMEOUT); committing what the run holds" in stderr
    (manifest,) = manifests(archive)
    assert manifest["status"] == "interrupted"
    committed = archived(archive)
    assert committed and len(committed) < len(expected_archive)
    assert_valid_archive(archive)
    assert not list(archive.rglob("*.partial"))

    rerun = crawl_cmd(archive, "-a", f"path={pages}")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert archived(archive) == expected_archive


def test_a_second_sigterm_exits_at_once_and_frees_the_archive(tmp_path):
    pages = two_titles(tmp_path / "pages")
    archive = tmp_path / "archive"
    slow = slow_crawl(pages, archive, "SHUTDOWN_TIMEOUT=120")
    wait_for_partial(archive)
    status, seconds, stderr = stop(slow, signal.SIGTERM, signal.SIGTERM)

    assert status != 0
    assert seconds < 5
    assert "Traceback" not in stderr
    with ArchiveLock(ArchiveLayout.at(archive)) as lock:
        lock.acquire("test")  # free: a flock dies with its holder
    rerun = crawl_cmd(archive, "-a", f"path={pages}")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
