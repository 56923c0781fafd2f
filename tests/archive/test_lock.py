import os
import signal
import subprocess
import sys
import textwrap

import pytest

from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.archive.lock import ArchiveLock, ArchiveLocked
from tests.conftest import ROOT


def test_second_holder_is_refused_with_one_line_naming_the_first(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    with ArchiveLock(layout) as first:
        first.acquire("run 20261125T080000Z-000001")
        with pytest.raises(ArchiveLocked) as refused:
            ArchiveLock(layout).acquire("run 20261125T080000Z-000002")
    message = str(refused.value)
    assert "\n" not in message
    assert "run 20261125T080000Z-000001" in message
    assert f"pid {os.getpid()}" in message


def test_released_lock_can_be_taken_again(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    lock = ArchiveLock(layout)
    lock.acquire("run a")
    lock.release()
    assert not lock.held
    with ArchiveLock(layout) as second:
        second.acquire("run b")
        assert second.held
        assert second.holder().startswith("run b (pid ")
        with pytest.raises(ArchiveLocked):
            ArchiveLock(layout).acquire("run c")


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys, time
                from reviewcrawler.archive.layout import ArchiveLayout
                from reviewcrawler.archive.lock import ArchiveLock
                ArchiveLock(ArchiveLayout.at({str(tmp_path)!r})).acquire("run dead")
                print("locked", flush=True)
                time.sleep(60)
            """),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ArchiveLocked, match="run dead"):
            ArchiveLock(ArchiveLayout.at(tmp_path)).acquire("run live")
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        ArchiveLock(ArchiveLayout.at(tmp_path)).acquire("run live")
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_unwritable_archive_is_an_os_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(OSError):
        ArchiveLock(ArchiveLayout.at(tmp_path / "file" / "archive")).acquire("run x")
