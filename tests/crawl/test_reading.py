"""Pages parsed in worker processes give what parsing in the crawl's process gives."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from benchmarks.corpus import generate
from reviewcrawler.crawl.reading import (
    AUTO_MIN_PAGES,
    PageReader,
    PortableResponse,
    planned_processes,
    read_portable,
)
from reviewcrawler.filepages import saved_response
from reviewcrawler.items import Problem
from reviewcrawler.parsers import read
from tests.conftest import FIXTURES, ROOT, read_jsonl, scrapy_cmd

pytestmark = pytest.mark.slow

SCRAPED_AT = "2026-01-01T00:00:00+00:00"
PAGES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".html", ".json", ".htm"))


def saved(page: Path):
    return saved_response(page.as_uri(), page.read_bytes(), page.name)


def test_every_fixture_page_reads_the_same_from_its_portable_form():
    assert len(PAGES) > 40
    for page in PAGES:
        response = saved(page)
        here = read(response, scraped_at=SCRAPED_AT)
        portable = pickle.loads(pickle.dumps(PortableResponse.of(response)))
        there = pickle.loads(pickle.dumps(read_portable(portable, {"scraped_at": SCRAPED_AT})))
        assert there == here, page


def test_a_problem_keeps_its_code_through_pickling():
    problem = Problem("cut_off", "card ends before its footer")
    copy = pickle.loads(pickle.dumps(problem))
    assert (copy, copy.code, type(copy)) == (problem, "cut_off", Problem)


def test_an_explicit_encoding_travels_with_the_response():
    body = "<html><body><p>caf\u00e9</p></body></html>".encode("cp1252")
    response = saved_response("file:///x.html", body, "x.html").replace(encoding="cp1252")
    rebuilt = PortableResponse.of(response).response()
    assert (type(rebuilt), rebuilt.text) == (type(response), response.text)


@pytest.mark.parametrize("start_method", ["fork", "forkserver", "spawn"])
@pytest_twisted.ensureDeferred
async def test_the_reader_answers_from_a_worker_what_it_answers_in_process(start_method):
    pages = [p for p in PAGES if "pusher2" in p.name][:6]
    reader = PageReader(1, start_method)

    async def read_all():
        outcomes = [await reader.read(saved(p), scraped_at=SCRAPED_AT) for p in pages]
        return outcomes, multiprocessing.active_children()

    try:
        outcomes, children = await deferred_from_coro(read_all())
    finally:
        reader.close()
    assert children, "no worker process was started"
    assert outcomes == [read(saved(p), scraped_at=SCRAPED_AT) for p in pages]


@pytest_twisted.ensureDeferred
async def test_with_no_workers_pages_parse_in_process():
    page = FIXTURES / "legacy" / "pusher2-page1.html"
    before = multiprocessing.active_children()
    outcome = await deferred_from_coro(PageReader(0).read(saved(page), scraped_at=SCRAPED_AT))
    assert outcome == read(saved(page), scraped_at=SCRAPED_AT)
    assert multiprocessing.active_children() == before


@pytest_twisted.ensureDeferred
async def test_a_dead_worker_leaves_the_run_parsing_in_process(caplog):
    page = FIXTURES / "legacy" / "pusher2-page1.html"
    expected = read(saved(page), scraped_at=SCRAPED_AT)
    reader = PageReader(1)

    async def read_kill_read():
        first = await reader.read(saved(page), scraped_at=SCRAPED_AT)
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)
        second = await reader.read(saved(page), scraped_at=SCRAPED_AT)
        third = await reader.read(saved(page), scraped_at=SCRAPED_AT)
        return first, second, third

    with caplog.at_level(logging.WARNING, logger="reviewcrawler.crawl.reading"):
        try:
            outcomes = await deferred_from_coro(read_kill_read())
        finally:
            reader.close()
    assert list(outcomes) == [expected] * 3
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == ["A page-parsing worker process died; parsing in the crawl's process"]


ORPHAN_SCRIPT = """
import asyncio, os, sys, time
from pathlib import Path
from reviewcrawler.crawl.reading import PageReader, read_portable
from reviewcrawler.filepages import saved_response

page = Path(sys.argv[1])
reader = PageReader(1, sys.argv[2])

async def main():
    await reader.read(saved_response(page.as_uri(), page.read_bytes(), page.name), scraped_at="x")
    print(reader._executor().submit(os.getpid).result(), flush=True)
    time.sleep(60)

asyncio.run(main())
"""


@pytest.mark.parametrize("start_method", ["fork", "forkserver"])
def test_a_worker_leaves_when_its_crawl_is_killed(tmp_path, start_method):
    """SIGKILL gives a crawl no chance to stop its workers: they must not linger."""
    page = FIXTURES / "legacy" / "pusher2-page1.html"
    with subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT, str(page), start_method],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    ) as crawl:
        assert crawl.stdout is not None
        worker = int(crawl.stdout.readline())
        crawl.kill()
    deadline = time.monotonic() + 20
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker), f"worker {worker} outlived its crawl"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) has left too.
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" not in status.read_text()


@pytest.mark.parametrize(
    ("configured", "pages", "cpus", "expected"),
    [
        (3, None, 2, 3),
        (0, 10_000, 8, 0),
        (None, 10_000, 2, 1),
        (None, 10_000, 16, 4),
        (None, 10_000, 1, 0),
        (None, AUTO_MIN_PAGES - 1, 8, 0),
        (None, None, 8, 0),
    ],
)
def test_how_many_workers_a_run_gets(monkeypatch, configured, pages, cpus, expected):
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    assert planned_processes(configured, saved_pages=pages) == expected


def _records(path: Path) -> list[str]:
    return sorted(
        json.dumps({k: v for k, v in r.items() if k != "scraped_at"}, sort_keys=True)
        for r in read_jsonl(path)
    )


def _crawl(pages: Path, processes: int, tmp_path: Path) -> tuple[int, Path, set[str]]:
    out = tmp_path / f"out{processes}.jsonl"
    done = scrapy_cmd(
        "crawl", "reviews", "-a", f"path={pages}", "-O", str(out),
        "-s", f"PARSE_PROCESSES={processes}",
        "-s", f"ARCHIVE_DIR={tmp_path / f'archive{processes}'}",
    )  # fmt: skip
    stats = {
        line.strip().rstrip(",")
        for line in done.stderr.splitlines()
        if line.strip().startswith("'reviewcrawler/")
        and "first_url" not in line  # which drifted page came first
    }
    return done.returncode, out, stats


def test_workers_give_the_records_and_stats_of_a_run_without(tmp_path):
    corpus = generate(tmp_path / "corpus", 16).pages_dir
    runs = {n: _crawl(corpus, n, tmp_path) for n in (0, 2)}
    assert runs[0][0] == runs[2][0] == 0
    assert _records(runs[2][1]) == _records(runs[0][1])
    assert len(_records(runs[0][1])) == 16 * 25
    assert runs[2][2] == runs[0][2]


def test_workers_on_every_fixture_page_keep_its_reviews_and_stats(tmp_path):
    """The fixtures hold some reviews on several pages, not always alike: with workers
    as without, a run keeps the copy of the page it was given first (`SavedPageOrder`)."""
    runs = {n: _crawl(FIXTURES, n, tmp_path) for n in (0, 2)}
    assert _records(runs[2][1]) == _records(runs[0][1]) and _records(runs[0][1])
    assert runs[2][0] == runs[0][0]
    assert runs[2][2] == runs[0][2] and runs[0][2]


def test_a_bad_worker_count_is_one_line_and_exit_2(tmp_path):
    done = scrapy_cmd(
        "crawl", "reviews", "-a", f"path={FIXTURES}", "-s", "PARSE_PROCESSES=-1"
    )  # fmt: skip
    assert done.returncode == 2
    assert "PARSE_PROCESSES" in done.stderr
    assert "Traceback" not in done.stderr
