"""Report and export on a large archive: time as a multiple of export's, and peak RSS.

    python -m benchmarks.report [--reviews 100000] [--titles 200] [--workdir DIR]

Writes a synthetic archive in the archive's own layout (three runs; the last
changes one review in ten), lets ``scrapy archive reindex`` build its index,
then times each command as a whole process (``os.wait4``: wall time, peak RSS).
A tenth-size archive is measured too, so that RSS growth with the archive shows.
Not a test: it prints figures; benchmarks/README.md quotes them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.measure import scrapy_command

ROOT = Path(__file__).resolve().parents[1]
RUNS = ("20260101T060000Z-000001", "20260201T060000Z-000002", "20260301T060000Z-000003")


def review(number: int, title: int, rng: random.Random, edited: bool = False) -> dict:
    day = datetime(2005, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(7000))
    rating = rng.choice([None, *range(1, 11)])
    yes = rng.randrange(200)
    return {
        "review_id": f"rw{number:08d}", "title_id": f"tt{title:07d}",
        "movie_title": f"Title {title}", "movie_year": 1990 + title % 30, "rating": rating,
        "headline": f"Headline {number}{' (edited)' if edited else ''}",
        "author": f"user{number % 5000}", "author_id": f"ur{number % 5000:08d}",
        "date": day.date().isoformat(), "spoiler": rng.random() < 0.1,
        "text": "A review long enough to weigh what real ones weigh. " * 12,
        "helpful_yes": yes, "helpful_total": yes + rng.randrange(50),
        "permalink": f"https://www.imdb.com/review/rw{number:08d}/",
        "source_url": f"https://www.imdb.com/title/tt{title:07d}/reviews/",
        "scraped_at": "2026-03-01T06:00:00+00:00",
    }  # fmt: skip


def write_archive(archive: Path, reviews: int, titles: int) -> None:
    rng = random.Random(reviews)
    per_run = {run: {} for run in RUNS}
    for number in range(reviews):
        run = RUNS[0] if number < reviews // 2 else RUNS[1]
        per_run[run].setdefault(number % titles, []).append(review(number, number % titles, rng))
    for number in range(0, reviews, 10):
        per_run[RUNS[2]].setdefault(number % titles, []).append(
            review(number, number % titles, rng, edited=True)
        )
    for run, by_title in per_run.items():
        files = []
        for title, records in by_title.items():
            path = archive / "reviews" / f"tt{title:07d}" / f"{run}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
            files.append(path.relative_to(archive).as_posix())
        count = sum(map(len, by_title.values()))
        changed = count if run == RUNS[2] else 0
        manifest = {
            "format": 1, "run_id": run, "status": "finished", "exit_status": 0,
            "finish_reason": "finished", "started_at": run, "finished_at": run,
            "counts": {"new": count - changed, "changed": changed},
            "titles": {f"tt{t:07d}": {"complete": 1} for t in by_title}, "files": files,
        }  # fmt: skip
        (archive / "runs").mkdir(exist_ok=True)
        (archive / "runs" / f"{run}.json").write_text(json.dumps(manifest), encoding="utf-8")
    scrapy(archive, "reindex")


def scrapy(archive: Path, *args: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``scrapy archive ARGS``."""
    command = scrapy_command("archive", *args, "-s", f"ARCHIVE_DIR={archive}", "--quiet")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return wall, usage.ru_maxrss / 1024


def measure(workdir: Path, reviews: int, titles: int) -> dict[str, dict[str, float]]:
    archive = workdir / f"archive-{reviews}"
    if not (archive / "runs").is_dir():
        write_archive(archive, reviews, titles)
    results = {}
    for name, args in (
        ("export jsonl", ("export", "-O", str(workdir / "all.jsonl"))),
        ("export sqlite", ("export", "-O", str(workdir / "all.sqlite"))),
        ("report", ("report", "-o", str(workdir / "report.html"))),
    ):
        wall, rss = scrapy(archive, *args)
        results[name] = {"wall_s": round(wall, 2), "peak_rss_mib": round(rss, 1)}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--titles", type=int, default=200)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for reviews in (args.reviews // 10, args.reviews):
            results = measure(workdir, reviews, args.titles)
            base = results["export jsonl"]["wall_s"]
            print(f"{reviews:,} reviews, {args.titles} titles:")
            for name, figures in results.items():
                print(f"  {name:<14} {figures['wall_s']:>7.2f} s  ({figures['wall_s'] / base:.1f}x "
                      f"export)  peak RSS {figures['peak_rss_mib']:>6.1f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
