"""The cluster step: crawl throughput with 1, 2 and 4 workers, and ingest throughput.

Workers crawl legacy-layout titles from the local test site (the one the test
suite uses), each response held back by an artificial delay (``--delay``), as a
remote site's latency would: a worker then waits on the network, not the CPU,
and more workers should fetch proportionally more while the per-site cap
(``CLUSTER_REQUESTS_PER_SECOND``, off here) is not binding. Reported: pages/s
and the ratio to one worker. Then the ingester commits the whole stream the
workers filled (``--ingest-reviews`` more synthetic entries are added to make
it long enough to time): reviews/s, its start-up and idle wait excluded.

    python -m benchmarks.cluster [--titles 24] [--pages 5] [--delay 0.2] [--workers 1,2,4]

Per-page and per-review figures for docs/scale.md are printed at the end
(archive bytes per review, Redis bytes per archived review's fingerprint).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from redis import Redis

from reviewcrawler.cluster.state import ClusterState
from tests.cluster import harness
from tests.cluster.redisserver import RedisServer
from tests.localsite import LocalSite

RESULTS = Path(__file__).parent / "results" / "cluster.json"
REVIEWS_PER_PAGE = 10


def serve(site: LocalSite, titles: int, pages: int) -> list[str]:
    ids = [f"tt{8_000_000 + n}" for n in range(titles)]
    for index, title_id in enumerate(ids):
        first = (index + 1) * 1000
        site.serve_title(
            [range(first + 10 * p, first + 10 * p + 10) for p in range(pages)], title_id
        )
    return ids


def crawl_step(work: Path, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    """`workers` workers over a fresh Redis and site; pages/s from the site's own clock."""
    directory = work / f"redis-{workers}"
    directory.mkdir()
    redis = RedisServer(directory)
    redis.start()
    site = LocalSite()
    try:
        titles = serve(site, args.titles, args.pages)
        harness.slow_down(site, args.delay)
        harness.enqueue_ok(redis.url, *titles)
        processes = [
            harness.worker(redis.url, site, work / f"w{workers}-{n}.log", idle=1)
            for n in range(workers)
        ]
        codes = harness.wait_all(processes, timeout=1800)
        if codes != [0] * workers:
            raise SystemExit(f"a worker failed: {codes}; logs in {work}")
        pages = [hit.at for hit in site.hits if "robots.txt" not in hit.path]
        seconds = max(pages) - min(pages) + args.delay
        client = Redis.from_url(redis.url)
        stream = client.xlen("reviews:stream")
        return {
            "workers": workers,
            "pages": len(pages),
            "seconds": round(seconds, 2),
            "pages_per_s": round(len(pages) / seconds, 2),
            "stream_entries": stream,
            "redis": redis,
        }
    finally:
        site.stop()


def ingest_step(work: Path, redis: RedisServer, extra: int) -> dict[str, Any]:
    """Commit the stream the workers filled, plus `extra` synthetic reviews."""
    state = ClusterState(Redis.from_url(redis.url), "reviews")
    for number in range(extra):
        state.add("review", synthetic_review(number))
    reviews = state.client.xlen(state.key("stream"))
    idle = 1.0
    # Start-up and the idle wait, measured on an empty stream of its own.
    baseline = timed_ingest(redis, work / "baseline", "empty", idle)
    total = timed_ingest(redis, work / "archive", "reviews", idle)
    seconds = max(total - baseline, 1e-3)
    archive_bytes = sum(p.stat().st_size for p in (work / "archive" / "reviews").rglob("*.jsonl"))
    memory = fingerprint_memory(state)
    return {
        "entries": reviews,
        "seconds": round(seconds, 2),
        "reviews_per_s": round(reviews / seconds),
        "archive_bytes_per_review": round(archive_bytes / max(reviews, 1)),
        "redis_fingerprint_bytes_per_review": memory,
    }


def timed_ingest(redis: RedisServer, archive: Path, prefix: str, idle: float) -> float:
    started = time.monotonic()
    done = harness.scrapy(
        "archive", "ingest", "-s", f"REDIS_URL={redis.url}", "-s", f"ARCHIVE_DIR={archive}",
        "-s", f"CLUSTER_KEY_PREFIX={prefix}", "-s", "INGEST_BATCH_SECONDS=0.5",
        "--until-idle", str(idle), timeout=3600,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stderr[-2000:]}")
    return time.monotonic() - started


def fingerprint_memory(state: ClusterState) -> float:
    """Bytes of Redis memory per review fingerprint the ingester keeps."""
    keys = list(state.client.scan_iter(match=state.key("fp:*"), count=1000))
    used = sum(int(state.client.memory_usage(key) or 0) for key in keys)
    fields = sum(int(state.client.hlen(key)) for key in keys)
    return round(used / max(fields, 1), 1)


def synthetic_review(number: int) -> dict[str, Any]:
    review_id = f"rw{50_000_000 + number}"
    return {
        "review_id": review_id,
        "title_id": f"tt{7_000_000 + number // 200}",
        "movie_title": "Synthetic",
        "movie_year": 2001,
        "rating": number % 10 + 1,
        "headline": f"Headline {number}",
        "author": f"Viewer {number}",
        "author_id": f"ur{number + 1}",
        "date": "2009-02-08",
        "spoiler": False,
        "text": f"Body of review {number}. " * 40,
        "helpful_yes": 1,
        "helpful_total": 2,
        "permalink": f"https://www.imdb.com/review/{review_id}/",
        "source_url": "https://www.imdb.com/title/tt7000000/reviews/",
        "scraped_at": "2026-01-01T00:00:00Z",
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cluster", description=__doc__)
    parser.add_argument("--titles", type=int, default=24)
    parser.add_argument("--pages", type=int, default=5, help="pages per title")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds added to each response")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--ingest-reviews", type=int, default=20_000)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if shutil.which("redis-server") is None:
        print("the cluster step needs redis-server (apt-get install -y redis-server)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="reviewcrawler-bench-cluster-"))
    steps = []
    servers = []
    try:
        for workers in (int(n) for n in args.workers.split(",")):
            step = crawl_step(work, workers, args)
            servers.append(step.pop("redis"))
            steps.append(step)
            print(json.dumps(step))
        base = steps[0]["pages_per_s"]
        for step in steps:
            step["ratio_to_1"] = round(step["pages_per_s"] / base, 2)
        ingest = ingest_step(work, servers[-1], args.ingest_reviews)
        print(json.dumps(ingest))
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    results = {
        "command": "python -m benchmarks.cluster " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": {k: v for k, v in vars(args).items() if k != "results"},
        "reviews_per_page": REVIEWS_PER_PAGE,
        "crawl": steps,
        "ingest": ingest,
    }
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
