"""Workers and an ingester as separate processes, on the local site and a real Redis."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.cluster import harness
from tests.cluster.harness import TITLES, enqueue_ok
from tests.cluster.redisserver import RedisServer
from tests.localsite import LocalSite

pytestmark = pytest.mark.slow


def expected_reviews() -> int:
    """Pusher II's 11, plus 10 a page for the legacy titles."""
    return 11 + sum(10 * harness.title_pages(index) for index in range(len(harness.LEGACY_TITLES)))


def test_three_workers_and_an_ingester_archive_every_review_once(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    harness.serve_titles(local_site)
    enqueue_ok(redis_server.url, *TITLES)
    workers = [
        harness.worker(redis_server.url, local_site, tmp_path / f"worker{n}.log") for n in range(3)
    ]
    ingester = harness.ingester(redis_server.url, tmp_path / "cluster", tmp_path / "ingest.log")
    assert harness.wait_all(workers) == [0, 0, 0]
    assert ingester.wait(timeout=120) == 0, (tmp_path / "ingest.log").read_text()[-3000:]

    versions = harness.versions_per_review(tmp_path / "cluster")
    assert len(versions) == expected_reviews()
    assert set(versions.values()) == {1}
    harness.single_process_crawl(local_site, tmp_path / "single", TITLES)
    assert harness.export(tmp_path / "cluster") == harness.export(tmp_path / "single")
    # The work was shared, and no page was fetched twice across the workers.
    pages = [hit.path for hit in local_site.hits if "robots.txt" not in hit.path]
    assert len(pages) == 2 * len(set(pages))  # once by the cluster, once by the single crawl
    logs = [(tmp_path / f"worker{n}.log").read_text() for n in range(3)]
    assert sum("Cluster worker: titles from" in log for log in logs) == 3
    for log in [*logs, (tmp_path / "ingest.log").read_text()]:
        # Held to the suite's rule: no warning (scrapy-redis's own included), no traceback.
        assert "Warning" not in log
        assert "Traceback" not in log
    status = harness.scrapy("enqueue", "--status", "-s", f"REDIS_URL={redis_server.url}")
    assert status.stdout.strip() == (
        f"titles: 0 queued, 0 in flight, {len(TITLES)} done, 0 failed; "
        "0 stream entries not yet ingested"
    )


def test_killed_worker_and_ingester_lose_and_duplicate_nothing(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    harness.serve_titles(local_site)
    local_site.slowness = 0.03  # time to kill or lose things mid-crawl
    enqueue_ok(redis_server.url, *TITLES)
    archive = tmp_path / "cluster"
    workers, ingester = harness.lease_cluster(redis_server.url, local_site, archive, tmp_path, 3)
    wait_for(lambda: len(local_site.hits) >= 15)
    os.kill(workers[0].pid, signal.SIGKILL)
    wait_for(lambda: any(archive.glob("reviews/*/*.partial")) or len(local_site.hits) >= 40)
    os.kill(ingester.pid, signal.SIGKILL)
    local_site.slowness = 0  # both killed mid-run: the rest can be quick
    assert workers[0].wait(timeout=10) == -signal.SIGKILL
    assert ingester.wait(timeout=10) == -signal.SIGKILL
    workers[0] = harness.worker(
        redis_server.url, local_site, tmp_path / "worker0b.log", harness.LEASE
    )
    ingester = harness.ingester(redis_server.url, archive, tmp_path / "ingest2.log")
    assert harness.wait_all(workers) == [0, 0, 0]
    assert ingester.wait(timeout=120) == 0, (tmp_path / "ingest2.log").read_text()[-3000:]

    versions = harness.versions_per_review(archive)
    assert len(versions) == expected_reviews()
    assert set(versions.values()) == {1}
    harness.single_process_crawl(local_site, tmp_path / "single", TITLES)
    assert harness.export(archive) == harness.export(tmp_path / "single")
    verified = harness.scrapy("archive", "verify", "-s", f"ARCHIVE_DIR={archive}")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # The killed worker's titles were finished by the others (or its successor).
    logs = "".join(path.read_text() for path in tmp_path.glob("worker*.log"))
    assert "its lease ran out (worker gone?); enqueued again" in logs


def wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
