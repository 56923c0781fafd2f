"""The ingester's exit: 3 when a title ended incomplete; SIGTERM mid-batch commits
what it holds, exit 0, nothing lost."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ResponseError

from reviewcrawler.cluster.state import GROUP
from tests.cluster import harness
from tests.cluster.harness import enqueue_ok
from tests.cluster.redisserver import RedisServer
from tests.localsite import LocalSite, Reply

pytestmark = pytest.mark.slow

STREAM = "reviews:stream"


def pending(client: Redis) -> int:
    """Entries the ingester has read and not yet acknowledged (0 before it made its group)."""
    try:
        return int(client.xpending(STREAM, GROUP)["pending"])
    except ResponseError:
        return 0


def test_until_idle_exits_3_when_a_title_ended_incomplete(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    whole, cut = harness.LEGACY_TITLES[:2]
    harness.serve_titles(local_site, [whole, cut])
    # The cut title's second page is gone (of its 3 pages of 10 reviews: 10 read).
    local_site.serve(f"/title/{cut}/reviews/_ajax?paginationKey=key2", Reply("gone", status=404))
    enqueue_ok(redis_server.url, whole, cut)
    worker = harness.worker(redis_server.url, local_site, tmp_path / "worker.log")
    ingester = harness.ingester(redis_server.url, tmp_path / "archive", tmp_path / "ingest.log")
    # The worker that read the title's last page says so too, as `scrapy crawl` would.
    assert worker.wait(timeout=60) == 3
    log = tmp_path / "ingest.log"
    assert ingester.wait(timeout=60) == 3, log.read_text()[-3000:]
    assert f"{cut}: INCOMPLETE after 1 page(s), 10 review(s)" in log.read_text()
    # What was read is archived all the same, and the archive knows which title to finish.
    versions = harness.versions_per_review(tmp_path / "archive")
    assert len(versions) == 10 * harness.title_pages(0) + 10 and set(versions.values()) == {1}
    stats = harness.scrapy(
        "archive", "stats", "--json", "-s", f"ARCHIVE_DIR={tmp_path / 'archive'}"
    )
    crawl = {title: row["crawl"]["status"] for title, row in json.loads(stats.stdout).items()}
    assert crawl == {whole: "complete", cut: "incomplete"}
    status = harness.scrapy("enqueue", "--status", "-s", f"REDIS_URL={redis_server.url}")
    assert "1 done, 1 failed; 0 stream entries" in status.stdout


def test_sigterm_mid_batch_commits_what_the_ingester_holds(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    titles = harness.LEGACY_TITLES[:3]
    harness.serve_titles(local_site, titles)
    enqueue_ok(redis_server.url, *titles)
    worker = harness.worker(redis_server.url, local_site, tmp_path / "worker.log")
    assert worker.wait(timeout=60) == 0
    client = Redis.from_url(redis_server.url)
    entries = client.xlen(STREAM)
    reviews = 10 * sum(harness.title_pages(index) for index in range(len(titles)))
    assert entries == reviews + len(titles)  # every review and each title's outcome
    # A batch that would wait a minute for more: the ingester holds what it read.
    archive = tmp_path / "archive"
    log = tmp_path / "ingest.log"
    ingester = harness.ingester(redis_server.url, archive, log, "INGEST_BATCH_SECONDS=60", idle=60)
    deadline = time.monotonic() + 30
    while pending(client) < entries:
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.1)
    assert not any(archive.glob("reviews/**/*.jsonl"))  # read, not yet committed
    ingester.send_signal(signal.SIGTERM)
    assert ingester.wait(timeout=60) == 0, log.read_text()[-3000:]
    versions = harness.versions_per_review(archive)
    assert len(versions) == reviews and set(versions.values()) == {1}
    assert client.xlen(STREAM) == 0
    assert pending(client) == 0
    assert "Ingester stopping (SIGTERM): committing what it holds" in log.read_text()
