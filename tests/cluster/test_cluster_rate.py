"""CLUSTER_REQUESTS_PER_SECOND holds for the whole cluster, not per worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cluster import harness
from tests.cluster.harness import enqueue_ok
from tests.cluster.redisserver import RedisServer
from tests.localsite import LocalSite

pytestmark = pytest.mark.slow

RATE = 8


def busiest_second(times: list[float]) -> int:
    """The most requests that started within any one second."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))


def test_three_workers_share_one_rate(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    # The cap does not depend on the titles' size: a title per worker, 2 to 4 pages each.
    titles = harness.LEGACY_TITLES[:3]
    harness.serve_titles(local_site, titles)
    enqueue_ok(redis_server.url, *titles)
    rate = f"CLUSTER_REQUESTS_PER_SECOND={RATE}"
    workers = [
        harness.worker(redis_server.url, local_site, tmp_path / f"worker{n}.log", rate, idle=2)
        for n in range(3)
    ]
    assert harness.wait_all(workers) == [0, 0, 0]
    times = [hit.at for hit in local_site.hits]
    pages = [hit for hit in local_site.hits if "robots.txt" not in hit.path]
    assert len(pages) == sum(harness.title_pages(index) for index in range(len(titles)))
    assert busiest_second(times) <= RATE + 1
    # Slots are 1/RATE apart across workers: the whole crawl cannot be faster. The
    # site sees arrivals, not slots: the first request (a new connection) may arrive
    # up to a slot late. Uncapped, these requests take well under a second.
    assert max(times) - min(times) >= (len(times) - 2) / RATE
