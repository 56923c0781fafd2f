"""Incremental rounds in cluster mode: workers ask what the ingester keeps in Redis
(`RedisArchivedState`), and the ingester keeps each title's crawl state in the
archive's index as a single-process run does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cluster import harness
from tests.cluster.harness import enqueue_ok
from tests.cluster.redisserver import RedisServer
from tests.localsite import LocalSite
from tests.orderedsite import OrderedTitle

pytestmark = pytest.mark.slow

#: Two titles of each layout, 60 reviews (3 pages) each, with review ids of their own.
SITE_TITLES = [
    OrderedTitle(layout, count=60, title_id=f"tt{9_200_000 + n}", first=1000 * n)
    for n, layout in enumerate(["legacy", "current", "legacy", "current"])
]


def review_pages(site: LocalSite) -> int:
    """Review pages and GraphQL answers fetched so far, by any worker."""
    return sum("/reviews" in hit.path or "?graphql=" in hit.path for hit in site.hits)


def run_round(
    redis_server: RedisServer, site: LocalSite, logs: Path, name: str, archive: Path
) -> tuple[int, str]:
    """Enqueue every title, then 3 workers and an ingester until idle: pages fetched,
    and the workers' logs."""
    for title in SITE_TITLES:
        title.serve(site)
    before = review_pages(site)
    enqueue_ok(redis_server.url, *(title.title_id for title in SITE_TITLES))
    workers = [
        harness.worker(redis_server.url, site, logs / f"{name}-w{n}.log", order="newest")
        for n in range(3)
    ]
    ingester = harness.ingester(redis_server.url, archive, logs / f"{name}-ingest.log")
    assert harness.wait_all(workers) == [0, 0, 0]
    assert ingester.wait(timeout=120) == 0, (logs / f"{name}-ingest.log").read_text()[-3000:]
    worker_logs = "".join((logs / f"{name}-w{n}.log").read_text() for n in range(3))
    assert "Traceback" not in worker_logs
    return review_pages(site) - before, worker_logs


def crawl_states(archive: Path) -> dict[str, dict[str, object]]:
    done = harness.scrapy("archive", "stats", "--json", "-s", f"ARCHIVE_DIR={archive}")
    assert done.returncode == 0, done.stderr
    return {title: row["crawl"] for title, row in json.loads(done.stdout).items()}


def test_a_round_with_nothing_new_fetches_one_page_per_title_across_all_workers(
    redis_server: RedisServer, local_site: LocalSite, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    titles = [title.title_id for title in SITE_TITLES]

    # 1. New titles are read to their end, newest first.
    pages, _ = run_round(redis_server, local_site, tmp_path, "first", archive)
    assert pages >= 3 * len(titles)
    versions = harness.versions_per_review(archive)
    assert len(versions) == 60 * len(titles) and set(versions.values()) == {1}
    states = crawl_states(archive)
    assert sorted(states) == titles
    for title_id in titles:
        assert states[title_id]["status"] == "complete", states[title_id]
        assert states[title_id]["order"] == "newest"

    # 2. Nothing new: one page per title in total, whichever worker read it.
    pages, logs = run_round(redis_server, local_site, tmp_path, "second", archive)
    assert pages == len(titles)
    for title_id in titles:
        assert f"{title_id}: up to date after 1 page(s), 0 new" in logs
    assert harness.versions_per_review(archive) == versions
    for title_id, state in crawl_states(archive).items():
        assert state["status"] == "complete"
        assert state["last_run"] != states[title_id]["last_run"]

    # 3. Newer reviews on two titles: those, and nothing else, are archived.
    added = SITE_TITLES[0].add_newer(3) + SITE_TITLES[1].add_newer(3)
    pages, _ = run_round(redis_server, local_site, tmp_path, "third", archive)
    assert pages <= 2 * 2 + (len(titles) - 2)
    after = harness.versions_per_review(archive)
    assert set(after) - set(versions) == set(added)
    assert set(after.values()) == {1}
