"""The archive-scale step: a daily run into archives of 10k, 100k and 1M reviews.

A daily run (one page of 25 reviews new to the archive, ``scrapy crawl reviews
-a path=PAGE``) is timed into archives of each size, as a whole process: wall
time and peak RSS (``os.wait4``), median of ``--repeat`` rounds, each into a
fresh copy of the archive; within a round the sizes take turns. Figures are
printed as ratios to the smallest archive; the issue's target is a daily run
into 1M reviews within 1.25x the wall time and 1.3x the peak RSS of the same run
into 10k. The targets are printed as
PASS/FAIL figures, never asserted.

The archives are generated in the archive's own file layout (``reviews/<tt>/
<run_id>.jsonl`` plus a manifest per run: 1,000 reviews per title over four
runs) and indexed by ``scrapy archive reindex``, as a user upgrading an archive
would. They are cached between runs in ``$TMPDIR/reviewcrawler-bench-cache``,
keyed on the generator, the index schema and the fingerprint (``--cache`` to
move it).

    python -m benchmarks.archive_scale [--sizes 10000,100000,1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.archive_open import CACHE_DIR_NAME
from benchmarks.corpus import REVIEWS_PER_PAGE, generate
from benchmarks.measure import (
    ROOT,
    BenchmarkError,
    Run,
    measure,
    one_page_run,
    scrapy_command,
)
from benchmarks.summary import RESULTS
from reviewcrawler.archive.files import write_json_atomic

SIZES = (10_000, 100_000, 1_000_000)
REPEAT = 3
REVIEWS_PER_TITLE = 1_000
RUNS = ("20250101T060000Z-000000", "20250201T060000Z-000000", "20250301T060000Z-000000",
        "20250401T060000Z-000000")  # fmt: skip
GENERATOR_FORMAT = 1
#: Review numbers of the daily page: far from the generated ones (which count from 0).
DAILY_FIRST_REVIEW = 70_000_000
TARGET_WALL_RATIO = 1.25
TARGET_RSS_RATIO = 1.3
RESULT_FILE = "archive-scale.json"


def record(number: int, title_id: str) -> dict[str, Any]:
    """A review record in the archive's field order, as a crawl writes it."""
    return {
        "review_id": f"rw{number:08d}",
        "title_id": title_id,
        "movie_title": f"Generated title {title_id}",
        "movie_year": 2000 + number % 25,
        "rating": number % 10 + 1,
        "headline": f"Headline of review {number}",
        "author": f"Reviewer {number % 9973}",
        "author_id": f"ur{number % 9973 + 1000000}",
        "date": f"20{10 + number % 15}-{number % 12 + 1:02d}-{number % 28 + 1:02d}",
        "spoiler": number % 7 == 0,
        "text": f"Body of generated review {number}. " * 8 + "The end.",
        "helpful_yes": number % 50,
        "helpful_total": number % 50 + number % 13,
        "permalink": f"https://www.imdb.com/review/rw{number:08d}/",
        "source_url": f"https://www.imdb.com/title/{title_id}/reviews/",
        "scraped_at": "2025-01-01T06:00:00+00:00",
    }


def generate_archive(archive: Path, reviews: int) -> None:
    """`reviews` reviews in the archive's layout: titles of 1,000, each spread over RUNS."""
    per_run: dict[str, dict[str, Any]] = {run_id: {} for run_id in RUNS}
    for first in range(0, reviews, REVIEWS_PER_TITLE):
        title_id = f"tt{9_000_000 + first // REVIEWS_PER_TITLE}"
        numbers = range(first, min(first + REVIEWS_PER_TITLE, reviews))
        chunk = -(-len(numbers) // len(RUNS))
        for index, run_id in enumerate(RUNS):
            part = numbers[index * chunk : (index + 1) * chunk]
            if not part:
                continue
            path = archive / "reviews" / title_id / f"{run_id}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as out:
                for number in part:
                    out.write(json.dumps(record(number, title_id), separators=(",", ":")) + "\n")
            per_run[run_id][title_id] = {"pages": 1, "complete": 1, "new": len(part)}
    for run_id, titles in per_run.items():
        manifest = {
            "format": 1,
            "run_id": run_id,
            "status": "finished",
            "arguments": {"order": "newest"},
            "titles": titles,
            "files": [f"reviews/{title_id}/{run_id}.jsonl" for title_id in sorted(titles)],
        }
        write_json_atomic(archive / "runs" / f"{run_id}.json", manifest)


def cache_key(reviews: int) -> str:
    """What a generated, reindexed archive depends on: the generator (bump
    GENERATOR_FORMAT when it changes), the index schema and the fingerprint."""
    from reviewcrawler.archive.index import SCHEMA_VERSION

    digest = hashlib.sha256(json.dumps([GENERATOR_FORMAT, reviews, RUNS, SCHEMA_VERSION]).encode())
    digest.update((ROOT / "reviewcrawler" / "archive" / "fingerprint.py").read_bytes())
    return digest.hexdigest()[:16]


def cached_archive(cache: Path, reviews: int, logs: Path) -> tuple[Path, dict[str, Any]]:
    """The archive of `reviews` reviews, generated and reindexed once per key."""
    entry = cache / f"scale-{reviews}-{cache_key(reviews)}"
    info_path = entry / "build.json"
    if info_path.is_file():
        return entry / "archive", {**json.loads(info_path.read_text()), "reused": True}
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"building-scale-{reviews}-", dir=cache))
    try:
        print(f"archive-scale: generating {reviews:,} reviews (cached in {entry}) ...", flush=True)
        started = time.perf_counter()
        generate_archive(building / "archive", reviews)
        generated_s = time.perf_counter() - started
        reindex = scrapy_command("archive", "reindex", "-s", f"ARCHIVE_DIR={building / 'archive'}")
        wall, usage, code = measure(reindex, logs, f"reindex-{reviews}")
        if code != 0:
            raise BenchmarkError(f"scrapy archive reindex of {reviews:,} reviews exited {code}")
        indexed = (logs / f"reindex-{reviews}.stdout").read_text()
        if f"indexed {reviews} review(s)" not in indexed:
            raise BenchmarkError(f"reindex of {reviews:,} reviews said: {indexed.strip()}")
        info = {
            "reviews": reviews,
            "generate_s": round(generated_s, 2),
            "reindex_wall_s": round(wall, 2),
            "reindex_maxrss_mib": round(usage.ru_maxrss / 1024, 1),
        }
        write_json_atomic(building / "build.json", info)
        building.rename(entry)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    for stale in cache.glob(f"scale-{reviews}-*"):
        if stale != entry:
            shutil.rmtree(stale, ignore_errors=True)
    return entry / "archive", {**info, "reused": False}


def daily_run(reviews: int, source: Path, round_: int, work: Path, logs: Path) -> Run:
    """One daily run of 25 new reviews into a fresh copy of the archive `source`."""
    base = work / f"scale-{reviews}" / f"round{round_}"
    archive = base / "archive"
    shutil.copytree(source, archive)
    page = generate(base / "page", 1, first_review=DAILY_FIRST_REVIEW + 100 * round_)
    output = base / "daily.jsonl"
    run = one_page_run(page, archive, output, round_, logs, f"daily-{reviews}-{round_}")
    manifest = sorted((archive / "runs").glob("*.json"))[-1]
    new = json.loads(manifest.read_text())["counts"]["new"]
    if new != REVIEWS_PER_PAGE:
        raise BenchmarkError(f"the daily run into {reviews:,} archived {new}, not 25 new")
    shutil.rmtree(base)
    return run


def daily_runs(sizes: Sequence[int], repeat: int, work: Path, cache: Path) -> list[dict[str, Any]]:
    """`repeat` rounds of a daily run into each archive, the sizes taking turns
    within a round, so that a busy moment of the machine is shared, not pinned on one."""
    logs = work / "scale-logs"
    logs.mkdir(parents=True)
    archives = {reviews: cached_archive(cache, reviews, logs) for reviews in sizes}
    runs: dict[int, list[Run]] = {reviews: [] for reviews in sizes}
    for round_ in range(repeat):
        for reviews in sizes:
            runs[reviews].append(daily_run(reviews, archives[reviews][0], round_, work, logs))
    return [
        {
            "reviews": reviews,
            "index_bytes": (archives[reviews][0] / "index.db").stat().st_size,
            "archive_build": archives[reviews][1],
            "wall_s": [run.wall_s for run in runs[reviews]],
            "maxrss_mib": [run.maxrss_mib for run in runs[reviews]],
            "cpu_s": [round(run.user_s + run.sys_s, 4) for run in runs[reviews]],
            "median_cpu_s": round(
                statistics.median(run.user_s + run.sys_s for run in runs[reviews]), 4
            ),
            "median_wall_s": round(statistics.median(run.wall_s for run in runs[reviews]), 4),
            "median_maxrss_mib": round(
                statistics.median(run.maxrss_mib for run in runs[reviews]), 1
            ),
        }
        for reviews in sizes
    ]


def with_ratios(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = sizes[0]
    for size in sizes:
        size["wall_ratio"] = round(size["median_wall_s"] / base["median_wall_s"], 3)
        # CPU time (user + sys): steadier than wall time on a busy machine.
        size["cpu_ratio"] = round(size["median_cpu_s"] / base["median_cpu_s"], 3)
        size["rss_ratio"] = round(size["median_maxrss_mib"] / base["median_maxrss_mib"], 3)
        size["index_ratio"] = round(size["index_bytes"] / base["index_bytes"], 1)
    return sizes


def checks(sizes: list[dict[str, Any]]) -> list[dict[str, str]]:
    base, top = sizes[0], sizes[-1]
    if len(sizes) < 2:
        return []
    name = f"daily run into {top['reviews']:,} vs {base['reviews']:,} reviews"
    return [
        {
            "name": f"{name}: wall within {TARGET_WALL_RATIO}x",
            "status": "PASS" if top["wall_ratio"] <= TARGET_WALL_RATIO else "FAIL",
            "value": f"{top['wall_ratio']:.3f}x",
        },
        {
            "name": f"{name}: peak RSS within {TARGET_RSS_RATIO}x",
            "status": "PASS" if top["rss_ratio"] <= TARGET_RSS_RATIO else "FAIL",
            "value": f"{top['rss_ratio']:.3f}x",
        },
    ]


def table(sizes: list[dict[str, Any]]) -> str:
    lines = [
        "archive-scale: a daily run of 25 new reviews (median of "
        f"{len(sizes[0]['wall_s'])}), ratios to the {sizes[0]['reviews']:,}-review archive",
        f"{'archive':>12} {'wall s':>8} {'x':>6} {'cpu s':>7} {'x':>6} {'peak RSS MiB':>13} "
        f"{'x':>6} {'index MiB':>10} {'x':>7}",
    ]
    for size in sizes:
        lines.append(
            f"{size['reviews']:>12,} {size['median_wall_s']:>8.3f} {size['wall_ratio']:>6.3f} "
            f"{size['median_cpu_s']:>7.3f} {size['cpu_ratio']:>6.3f} "
            f"{size['median_maxrss_mib']:>13.1f} {size['rss_ratio']:>6.3f} "
            f"{size['index_bytes'] / 2**20:>10.1f} {size['index_ratio']:>7.1f}"
        )
    return "\n".join(lines)


def archive_scale(sizes: Sequence[int], repeat: int, work: Path, cache: Path) -> dict[str, Any]:
    measured = with_ratios(daily_runs(sorted(sizes), repeat, work, cache))
    return {"sizes": measured, "checks": checks(measured)}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.archive_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="archive sizes")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="daily runs per size (median)")
    parser.add_argument("--cache", type=Path, help=f"default: $TMPDIR/{CACHE_DIR_NAME}")
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="where archive-scale.json goes"
    )
    args = parser.parse_args(argv)
    args.sizes = sorted(int(size) for size in args.sizes.split(",") if size.strip())
    if args.repeat < 1 or not args.sizes or args.sizes[0] < 1:
        parser.error("--repeat and every size must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cache = args.cache or Path(tempfile.gettempdir()) / CACHE_DIR_NAME
    work = Path(tempfile.mkdtemp(prefix="reviewcrawler-scale-"))
    try:
        result = archive_scale(args.sizes, args.repeat, work, cache)
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(result["sizes"]))
    for item in result["checks"]:
        print(f"  {item['status']:<4}  {item['name']}: {item['value']}")
    path = args.results / RESULT_FILE
    write_json_atomic(path, result)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
