"""The Scrapyd route of the README, end to end, with a real Scrapyd on 127.0.0.1.

Scrapyd gets a temporary home and config; the project is deployed with
``scrapyd-deploy`` from a copy of its files (so the build leaves nothing in the
working tree), a crawl is scheduled with ``schedule.json`` and the archive it
wrote is read back. Scrapyd is always killed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.archive_helpers import assert_valid_archive, manifests, review_files
from tests.conftest import ROOT
from tests.pages import review, write_pages
from tests.ports import free_port

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT = 30
JOB_TIMEOUT = 120
BIN = Path(sys.executable).parent


def call(url: str, **form: str) -> dict[str, Any]:
    data = urllib.parse.urlencode(form).encode() if form else None
    with urllib.request.urlopen(url, data=data, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\nmax_proc = 1\npoll_interval = 0.2\n"
    )
    env = {**os.environ, "HOME": str(home)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with (home / "scrapyd.out").open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "scrapyd")], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                if call(url + "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"scrapyd did not start:\n{(home / 'scrapyd.out').read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        server.kill()
        server.wait()


def deploy(url: str, tmp_path: Path) -> None:
    """``scrapyd-deploy`` as the README says, from a copy of the project."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "reviewcrawler", project / "reviewcrawler")
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    (project / "scrapy.cfg").write_text(
        "[settings]\ndefault = reviewcrawler.settings\n\n"
        f"[deploy]\nurl = {url}\nproject = reviewcrawler\n"
    )
    result = subprocess.run(
        [str(BIN / "scrapyd-deploy")],
        cwd=project,
        env={**os.environ, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["status"] == "ok", result.stdout


def test_scrapyd_runs_a_scheduled_crawl_into_the_archive(scrapyd, tmp_path):
    pages, archive = tmp_path / "pages", tmp_path / "archive"
    write_pages(pages, {"a.html": [review(n) for n in range(5)]})
    deploy(scrapyd, tmp_path)
    assert call(scrapyd + "listspiders.json?project=reviewcrawler")["spiders"] == ["reviews"]

    job = call(
        scrapyd + "schedule.json",
        project="reviewcrawler",
        spider="reviews",
        path=str(pages),
        setting=f"ARCHIVE_DIR={archive}",
    )
    assert job["status"] == "ok", job
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        jobs = call(scrapyd + "listjobs.json?project=reviewcrawler")
        finished = [j for j in jobs["finished"] if j["id"] == job["jobid"]]
        if finished:
            break
        assert time.monotonic() < deadline, f"job still not finished: {jobs}"
        time.sleep(0.3)

    log = next((tmp_path / "scrapyd" / "logs").rglob(f"{job['jobid']}.log")).read_text()
    (manifest,) = manifests(archive)
    assert manifest["status"] == "finished", log
    assert manifest["scrapyd_job"] == job["jobid"]
    assert manifest["counts"]["new"] == 5
    assert manifest["arguments"]["path"] == [str(pages)]
    assert len(review_files(archive)) == 1
    assert_valid_archive(archive)
