"""Cluster processes as a user starts them: workers, the ingester, `scrapy enqueue`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests import currentpages, launcher
from tests.launcher import Launched
from tests.localsite import LocalSite

#: Legacy-layout titles of the cluster tests. Exactly-once and the export's
#: equality do not depend on size, so each has 2 to 4 pages of 10 reviews
#: (`title_pages`) rather than the hundreds of a real title.
LEGACY_TITLES = [f"tt{9_100_000 + n}" for n in range(19)]
TITLES = [currentpages.TITLE_ID, *LEGACY_TITLES]
#: These titles are served in one order, IMDb's default: crawled in it, as the
#: single-process tests of such pages do (newest first: `tests.orderedsite`).
HELPFUL = "helpful"
#: A killed or lost worker's titles are leased for 2 s: long beside a page of the local
#: site, short enough to wait out. Their successors and the ingester wait for it while
#: they idle (a title leased is work to come: `ClusterWorker._busy`, `Status.idle`).
LEASE = "CLUSTER_TITLE_LEASE=2"


def title_pages(index: int) -> int:
    """How many pages the legacy title at `index` of `LEGACY_TITLES` has."""
    return 2 + index % 3


def serve_titles(site: LocalSite, titles: list[str] = LEGACY_TITLES) -> None:
    """The current-layout Pusher II (page + 2 GraphQL answers) and legacy titles."""
    currentpages.serve(site)
    for index, title_id in enumerate(titles):
        first = (index + 1) * 1000
        pages = title_pages(index)
        site.serve_title(
            [range(first + 10 * p, first + 10 * p + 10) for p in range(pages)], title_id
        )


def site_args(site: LocalSite) -> list[str]:
    return [
        "-s", f"IMDB_BASE_URL={site.url}",
        "-s", f"IMDB_GRAPHQL_URL={site.graphql_url}",
        "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "DOWNLOAD_DELAY=0",
        "-s", "RETRY_BACKOFF_BASE=0.05",
        "-s", "REMOTE_CONTROL_ENABLED=False",
        "-s", "PROGRESS_INTERVAL=0",
    ]  # fmt: skip


def start(args: list[str], log: Path) -> Launched:
    """``scrapy ARGS`` in the background, its output in `log`."""
    return launcher.start(args, log=log, merge=True)


def worker(
    redis_url: str,
    site: LocalSite,
    log: Path,
    *settings: str,
    idle: float = 0.5,
    order: str = HELPFUL,
) -> Launched:
    """A worker started after its titles were enqueued: idle for `idle` seconds (no title
    queued or leased, nothing of its own to do) means the queue is done."""
    args = ["crawl", "reviews", "-a", f"order={order}", "-s", f"REDIS_URL={redis_url}"]
    args += site_args(site)
    args += ["-s", f"MAX_IDLE_TIME_BEFORE_CLOSE={idle}", "-s", "CLUSTER_REQUESTS_PER_SECOND=0"]
    for setting in settings:
        args += ["-s", setting]
    return start(args, log)


def ingester(
    redis_url: str, archive: Path, log: Path, *settings: str, idle: float = 0.5
) -> Launched:
    args = ["archive", "ingest", "-s", f"REDIS_URL={redis_url}", "-s", f"ARCHIVE_DIR={archive}"]
    args += ["--until-idle", str(idle), "-s", "INGEST_BATCH_SECONDS=0.5"]
    for setting in settings:
        args += ["-s", setting]
    return start(args, log)


def lease_cluster(
    redis_url: str, site: LocalSite, archive: Path, logs: Path, workers: int, run: str = ""
) -> tuple[list[Launched], Launched]:
    """`workers` workers and the ingester, for a test in which a title's lease runs out
    (leases of `LEASE`). Logs: ``{run}worker{n}.log`` and ``{run}ingest.log`` in `logs`."""
    started = [worker(redis_url, site, logs / f"{run}worker{n}.log", LEASE) for n in range(workers)]
    return started, ingester(redis_url, archive, logs / f"{run}ingest.log")


def scrapy(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return launcher.run(args, timeout=timeout)


def export(archive: Path) -> list[dict[str, object]]:
    """The archive's export, without the per-run field ``scraped_at``."""
    import json

    done = scrapy("archive", "export", "-s", f"ARCHIVE_DIR={archive}")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    for record in records:
        record.pop("scraped_at", None)
    return sorted(records, key=lambda r: str(r["review_id"]))


def single_process_crawl(site: LocalSite, archive: Path, titles: list[str]) -> None:
    """The reference a cluster's archive is compared with: one process, pages in parallel
    (what it archives does not depend on how many at once)."""
    args = ["crawl", "reviews", "-a", f"title={','.join(titles)}", "-a", f"order={HELPFUL}"]
    args += ["-s", f"ARCHIVE_DIR={archive}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]
    done = scrapy(*args, *site_args(site))
    assert done.returncode == 0, done.stderr[-3000:]


def versions_per_review(archive: Path) -> dict[str, int]:
    """How many times each review id was written into the archive's review files."""
    import json
    from collections import Counter

    counts: Counter[str] = Counter()
    for path in (archive / "reviews").rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            counts[json.loads(line)["review_id"]] += 1
    return dict(counts)


def wait_all(processes: list[Launched], timeout: float = 120) -> list[int]:
    return [process.wait(timeout=timeout) for process in processes]


def enqueue_ok(redis_url: str, *titles: str) -> None:
    done = scrapy("enqueue", *titles, "-s", f"REDIS_URL={redis_url}")
    assert done.returncode == 0, done.stderr
