"""path= inputs that are not saved pages: refused up front, or skipped with one line."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from reviewcrawler import settings as project
from reviewcrawler.filepages import UnreadablePage, read_page_file
from reviewcrawler.outcome import ExitStatus
from tests.conftest import ROOT
from tests.hardening.faults import (
    archived,
    assert_quiet,
    clean_run,
    crawl_cmd,
    feed,
    lines_with,
    two_titles,
)


def special_file(tmp_path: Path, kind: str) -> Path:
    if kind == "fifo":
        path = tmp_path / "stuck.html"
        os.mkfifo(path)
        return path
    if kind == "socket":
        path = tmp_path / "socket.html"
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))  # the socket file stays after it is closed
        return path
    return Path("/dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "device", "socket"])
def test_a_path_that_is_no_regular_file_is_a_usage_error(tmp_path, kind):
    path = special_file(tmp_path, kind)
    done = crawl_cmd(tmp_path / "archive", "-a", f"path={path}")
    assert done.returncode == ExitStatus.USAGE
    assert_quiet(done)
    (line,) = done.stderr.strip().splitlines()
    assert "not a regular file" in line and str(path) in line
    assert not (tmp_path / "archive").exists()


def test_a_fifo_among_pages_is_skipped_with_one_line(tmp_path):
    pages = two_titles(tmp_path / "pages")
    expected_archive, expected_feed = clean_run(tmp_path, pages)
    special_file(pages, "fifo")
    archive, out = tmp_path / "archive", tmp_path / "feed.jsonl"
    done = crawl_cmd(archive, "-a", f"path={pages}", feed=out)  # would block for ever
    assert done.returncode == ExitStatus.COMPLETE, done.stderr[-3000:]
    assert_quiet(done)
    (line,) = lines_with(done.stderr, "stuck.html")
    assert "Skipped" in line and "not a regular file (a FIFO)" in line
    assert archived(archive) == expected_archive
    assert feed(out) == expected_feed


def test_the_reader_never_blocks_on_a_fifo_swapped_in(tmp_path):
    path = special_file(tmp_path, "fifo")
    with pytest.raises(UnreadablePage, match="a FIFO"):
        read_page_file(str(path), 1000)


def test_a_page_over_max_page_bytes_is_skipped_with_one_line(tmp_path):
    assert project.MAX_PAGE_BYTES == 100 * 1024 * 1024
    pages = two_titles(tmp_path / "pages")
    expected_archive, _ = clean_run(tmp_path, pages)
    big = pages / "big.html"
    big.write_text((pages / "a.html").read_text() + "<!-- padding -->" * 2000)
    limit = big.stat().st_size - 1
    assert (pages / "a.html").stat().st_size <= limit
    archive = tmp_path / "archive"
    done = crawl_cmd(archive, "-a", f"path={pages}", "-s", f"MAX_PAGE_BYTES={limit}")
    assert done.returncode == ExitStatus.COMPLETE, done.stderr[-3000:]
    assert_quiet(done)
    (line,) = lines_with(done.stderr, "big.html")
    assert f"over MAX_PAGE_BYTES ({limit:,})" in line
    assert archived(archive) == expected_archive


def unprivileged(command: list[str]) -> list[str]:
    """`command` without the power to read any file (root reads mode 000 files)."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *command]


def test_an_unreadable_page_is_one_line_not_retried_counted_skipped(tmp_path):
    pages = two_titles(tmp_path / "pages")
    expected_archive, _ = clean_run(tmp_path, pages)
    locked = pages / "locked.html"
    shutil.copy(pages / "a.html", locked)
    locked.chmod(0)
    archive = tmp_path / "archive"
    command = [sys.executable, "-m", "scrapy", "crawl", "reviews", "-a", f"path={pages}"]
    command += ["-s", f"ARCHIVE_DIR={archive}"]
    done = subprocess.run(
        unprivileged(command),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == ExitStatus.COMPLETE, done.stderr[-3000:]
    assert_quiet(done)
    (line,) = lines_with(done.stderr, "locked.html")
    assert "Skipped" in line and "Permission denied" in line
    assert "Retrying" not in done.stderr
    assert "'reviewcrawler/pages_skipped': 1" in done.stderr
    assert archived(archive) == expected_archive


def test_nul_characters_are_removed_wherever_they_are(tmp_path):
    pages = two_titles(tmp_path / "pages")
    expected_archive, expected_feed = clean_run(tmp_path, pages)
    for name, at in (("a.html", 200), ("b.html", None)):
        html = (pages / name).read_text()
        if at is None:  # deep in a review's text
            at = html.index("Body of review") + 4
        (pages / name).write_text(html[:at] + "\x00" + html[at:])
    archive, out = tmp_path / "archive", tmp_path / "feed.jsonl"
    done = crawl_cmd(archive, "-a", f"path={pages}", feed=out)
    assert done.returncode == ExitStatus.COMPLETE, done.stderr[-3000:]
    assert_quiet(done)
    assert len(lines_with(done.stderr, "removed 1 NUL character(s)")) == 2
    assert archived(archive) == expected_archive  # neither page is taken for binary
    assert feed(out) == expected_feed
