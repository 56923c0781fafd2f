"""Bad ids, no Redis, Redis lost mid-run, a second ingester, passwords, rounds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.cluster import harness
from tests.cluster.harness import TITLES, enqueue_ok
from tests.cluster.redisserver import RedisServer
from tests.localsite import LocalSite
from tests.ports import free_port

pytestmark = pytest.mark.slow


def status(redis_url: str) -> str:
    return harness.scrapy("enqueue", "--status", "-s", f"REDIS_URL={redis_url}").stdout.strip()


def test_a_bad_id_queues_nothing(redis_server: RedisServer, tmp_path: Path) -> None:
    listing = tmp_path / "titles.txt"
    listing.write_text("# festival\ntt0000001\ntt12x  # typo\n", encoding="utf-8")
    for args in (("tt0000001", "tt9x"), ("tt0000001", "nm0000002"), ("--from-file", str(listing))):
        done = harness.scrapy("enqueue", *args, "-s", f"REDIS_URL={redis_server.url}")
        assert done.returncode == 2
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert "not an IMDb title id" in done.stderr
    assert status(redis_server.url).startswith("titles: 0 queued")
    listing.write_text("# festival\ntt0000001\n\ntt0000002  # opening night\n", encoding="utf-8")
    done = harness.scrapy(
        "enqueue", "--from-file", str(listing), "--status", "-s", f"REDIS_URL={redis_server.url}"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("titles: 2 queued, 0 in flight")


def test_redis_unreachable_at_start_is_one_line_and_exit_2(
    local_site: LocalSite, tmp_path: Path
) -> None:
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    runs = {
        "enqueue": harness.scrapy("enqueue", "tt0000001", "-s", f"REDIS_URL={url}"),
        "crawl": harness.scrapy(
            "crawl", "reviews", "-s", f"REDIS_URL={url}", *harness.site_args(local_site)
        ),
        "ingest": harness.scrapy(
            "archive", "ingest", "-s", f"REDIS_URL={url}", "-s", f"ARCHIVE_DIR={tmp_path}"
        ),
    }
    for name, done in runs.items():
        assert done.returncode == 2, (name, done.stderr)
        assert len(done.stderr.splitlines()) == 1, (name, done.stderr)
        assert "is unreachable" in done.stderr
        assert "s3cret" not in done.stderr + done.stdout
        assert ":***@127.0.0.1" in done.stderr


def test_redis_lost_mid_run_then_a_rerun_completes(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    harness.serve_titles(local_site)
    local_site.slowness = 0.03  # time to kill or lose things mid-crawl
    enqueue_ok(redis_server.url, *TITLES)
    archive = tmp_path / "cluster"
    workers, ingester = harness.lease_cluster(redis_server.url, local_site, archive, tmp_path, 2)
    deadline = time.monotonic() + 60
    while len(local_site.hits) < 20:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    redis_server.stop()
    local_site.slowness = 0  # lost mid-run: the rest can be quick
    assert harness.wait_all([*workers, ingester], timeout=60) == [1, 1, 1]
    for log in [*tmp_path.glob("worker*.log"), tmp_path / "ingest.log"]:
        lost = [line for line in log.read_text().splitlines() if "Lost Redis at" in line]
        assert len(lost) == 1, log.read_text()[-3000:]
        assert "Traceback" not in log.read_text()

    redis_server.start()  # the same directory: its append-only file
    workers, ingester = harness.lease_cluster(
        redis_server.url, local_site, archive, tmp_path, 2, run="again-"
    )
    assert harness.wait_all([*workers, ingester]) == [0, 0, 0]
    versions = harness.versions_per_review(archive)
    assert set(versions.values()) == {1}
    harness.single_process_crawl(local_site, tmp_path / "single", TITLES)
    assert harness.export(archive) == harness.export(tmp_path / "single")


def test_a_second_ingester_is_refused(redis_server: RedisServer, tmp_path: Path) -> None:
    first = harness.ingester(redis_server.url, tmp_path, tmp_path / "first.log", idle=30)
    deadline = time.monotonic() + 60
    while "Ingesting from" not in (tmp_path / "first.log").read_text():  # it holds the archive
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    second = harness.scrapy(
        "archive", "ingest", "-s", f"REDIS_URL={redis_server.url}", "-s", f"ARCHIVE_DIR={tmp_path}"
    )
    first.terminate()
    assert first.wait(timeout=30) == 0
    assert second.returncode == 1
    assert "Another ingester is running" in second.stderr


def test_a_title_enqueued_again_is_crawled_again(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    harness.serve_titles(local_site, harness.LEGACY_TITLES[:2])
    titles = harness.LEGACY_TITLES[:2]
    for round_ in (1, 2):
        enqueue_ok(redis_server.url, *titles)
        worker = harness.worker(redis_server.url, local_site, tmp_path / f"w{round_}.log")
        assert worker.wait(timeout=60) == 0
        pages = [hit.path for hit in local_site.hits if "robots.txt" not in hit.path]
        # All of their pages, each round.
        assert len(pages) == round_ * (harness.title_pages(0) + harness.title_pages(1))
    ingester = harness.ingester(redis_server.url, tmp_path / "archive", tmp_path / "i.log")
    assert ingester.wait(timeout=60) == 0
    assert set(harness.versions_per_review(tmp_path / "archive").values()) == {1}


def test_the_password_is_never_shown(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    # `redis_server` only for its skip rules: this test needs a server with a password.
    (tmp_path / "redis-auth").mkdir()
    server = RedisServer(tmp_path / "redis-auth", password="pa55-word-xyz")
    server.start()
    try:
        title = harness.LEGACY_TITLES[0]
        harness.serve_titles(local_site, [title])
        enqueue_ok(server.url, title)
        worker = harness.worker(server.url, local_site, tmp_path / "worker.log")
        ingester = harness.ingester(server.url, tmp_path / "archive", tmp_path / "ingest.log")
        assert harness.wait_all([worker, ingester]) == [0, 0]
        status = harness.scrapy("enqueue", "--status", "-s", f"REDIS_URL={server.url}")
    finally:
        server.stop()
    assert "0 in flight, 1 done" in status.stdout
    written = [*tmp_path.glob("*.log"), *(tmp_path / "archive").rglob("*.json")]
    assert any(path.name.endswith(".json") for path in written)
    for path in written:
        assert "pa55-word-xyz" not in path.read_text(), path
    assert "redis://:***@127.0.0.1" in (tmp_path / "worker.log").read_text()
