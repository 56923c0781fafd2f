"""Measuring: what a 1-page crawl pays for opening an archive of 100,000 reviews.

Runs when ``reviewcrawler.archive`` exists. Each round crawls a page of 25 new
reviews three times: into an empty archive, into (a copy of) the big one, and
into the big one without its ``index.db``. The big archive is written by a real
4,000-page crawl once and kept in ``WORKDIR/reviewcrawler-bench-cache`` for the
next runs, keyed on the crawler's code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.corpus import FIXTURES, REVIEWS_PER_PAGE, TEMPLATES, generate
from benchmarks.measure import (
    ROOT,
    BenchmarkError,
    Run,
    check_count,
    crawl_command,
    execute,
    one_page_run,
    project_state,
)
from reviewcrawler.archive.files import write_json_atomic

ARCHIVE_REVIEWS = 100_000
#: Review numbers of the extra corpora, far from the main corpus and each other.
ARCHIVE_FIRST_REVIEW = 60_000_000
SMALL_FIRST_REVIEW = 90_000_000
#: The 1-page crawls of the archive step: empty archive, big archive, big archive without index.
ARCHIVE_KINDS = ("empty", "open", "rebuild")
#: The big archive is kept between runs in ``WORKDIR/reviewcrawler-bench-cache``.
CACHE_DIR_NAME = "reviewcrawler-bench-cache"
CACHE_FORMAT = 1
BUILD_INFO = "build.json"


def archive_cache_key(reviews: int, options: dict[str, Any]) -> str:
    """What the cached archive depends on: the crawler's code, the corpus, its sources.

    Any change to a ``reviewcrawler`` module, to the corpus generator or to the
    pages it copies gives a new key, so a cached archive is never one that
    another version of the crawl wrote.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([CACHE_FORMAT, reviews, ARCHIVE_FIRST_REVIEW, options]).encode())
    sources = [
        *sorted((ROOT / "reviewcrawler").rglob("*.py")),
        ROOT / "benchmarks" / "corpus.py",
        *sorted(FIXTURES.glob("*/*.html")),
        *sorted(TEMPLATES.glob("*/*.html")),
    ]
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cached_archive(
    cache: Path, reviews: int, options: dict[str, Any], logs: Path
) -> tuple[Path, dict[str, Any]]:
    """An archive of `reviews` reviews written by a real crawl, built once per key.

    Built by ``scrapy crawl`` over a corpus of ``reviews / 25`` pages into a
    temporary directory beside the cache entry, renamed into place only when the
    crawl wrote every review; entries of other keys are then removed. Returns
    the archive (never to be written to: copy it) and how it was built.
    """
    key = archive_cache_key(reviews, options)
    entry = cache / f"archive-{reviews}-{key}"
    info_path = entry / BUILD_INFO
    if info_path.is_file():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        return entry / "archive", {**info, "reused": True}
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"building-{reviews}-{key}-", dir=cache))
    try:
        pages = math.ceil(reviews / REVIEWS_PER_PAGE)
        print(
            f"archive: building an archive of {pages * REVIEWS_PER_PAGE:,} reviews "
            f"({pages:,}-page crawl, cached in {entry}) ...",
            flush=True,
        )
        big = generate(building / "big", pages, **{**options, "first_review": ARCHIVE_FIRST_REVIEW})
        build_out = building / "build.jsonl"
        build = execute(
            "b",
            crawl_command(big.pages_dir, build_out, building / "archive"),
            build_out,
            pages,
            0,
            logs,
            label="build",
        )
        check_count(build, big.reviews)
        shutil.rmtree(big.directory)
        build_out.unlink()
        info = {
            "key": key,
            "archive_reviews": big.reviews,
            "corpus": big.manifest(),
            "built": datetime.now(UTC).isoformat(timespec="seconds"),
            "built_by_commit": project_state()["commit"],
            "build_wall_s": build.wall_s,
            "build_maxrss_mib": build.maxrss_mib,
        }
        write_json_atomic(building / BUILD_INFO, info)
        building.rename(entry)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    for stale in cache.glob("archive-*"):
        if stale != entry:
            shutil.rmtree(stale, ignore_errors=True)
    return entry / "archive", {**info, "reused": False}


def archive_open_cost(
    repeat: int, work: Path, cache: Path | None, reviews: int, options: dict[str, Any]
) -> dict[str, Any]:
    """What a 1-page crawl pays for an archive of `reviews` reviews, before its first page.

    Each round crawls a page of 25 reviews new to every archive three times:
    into an empty archive, into a copy of the big one (the index is opened), and
    into that copy with ``index.db`` deleted (the index is rebuilt
    from every review file). The differences of the medians to the empty run are
    the opening and the rebuild costs. `cache` keeps the big archive between
    benchmark runs (``None``: build it in `work`, drop it at the end).
    """
    try:
        available = importlib.util.find_spec("reviewcrawler.archive") is not None
    except ModuleNotFoundError:
        available = False
    if not available:
        return {"skipped": "reviewcrawler.archive is not importable (no archive in this branch)"}
    from reviewcrawler.archive import ArchiveLayout

    base = work / "archive-open"
    logs = base / "logs"
    logs.mkdir(parents=True)
    source, info = cached_archive(cache or base / "cache", reviews, options, logs)
    # Every run below writes into the archive: work on a copy, keep the cache pristine.
    archive = base / "archive"
    started = time.perf_counter()
    shutil.copytree(source, archive)
    copy_s = time.perf_counter() - started
    files = [f for f in archive.rglob("*") if f.is_file()]
    index = ArchiveLayout.at(archive).index_path
    if not index.is_file():
        raise BenchmarkError(f"{source}: the crawl that built this archive left no {index.name}")
    runs: dict[str, list[Run]] = {kind: [] for kind in ARCHIVE_KINDS}
    for round_ in range(repeat):
        for offset, kind in enumerate(ARCHIVE_KINDS):
            # A page of reviews new to every archive, different in every run.
            first = SMALL_FIRST_REVIEW + 1000 * round_ + 100 * offset
            small = generate(base / f"{kind}{round_}", 1, **{**options, "first_review": first})
            if kind == "rebuild":
                index.unlink()
            target = base / f"empty{round_}" if kind == "empty" else archive
            output = base / f"{kind}{round_}.jsonl"
            run = one_page_run(small, target, output, round_, logs, f"{kind}-{round_}")
            if not index.is_file():
                raise BenchmarkError(f"the {kind} run left no {index.name} in {archive}")
            runs[kind].append(run)
    wall = {kind: statistics.median(r.wall_s for r in runs[kind]) for kind in ARCHIVE_KINDS}
    rss = {kind: statistics.median(r.maxrss_mib for r in runs[kind]) for kind in ARCHIVE_KINDS}
    result: dict[str, Any] = {
        "archive_reviews": info["archive_reviews"],
        "archive_bytes": sum(f.stat().st_size for f in files),
        "archive_files": len(files),
        "index_bytes": index.stat().st_size,
        "cache": {
            "path": str(source.parent),
            "key": info["key"],
            "reused": info["reused"],
            "built": info["built"],
            "built_by_commit": info["built_by_commit"],
        },
        "build_wall_s": info["build_wall_s"],
        "build_maxrss_mib": info["build_maxrss_mib"],
        "copy_s": round(copy_s, 3),
        "runs": {kind: [asdict(r) for r in runs[kind]] for kind in ARCHIVE_KINDS},
        "median_wall_s": {kind: round(wall[kind], 4) for kind in ARCHIVE_KINDS},
        "median_maxrss_mib": {kind: round(rss[kind], 1) for kind in ARCHIVE_KINDS},
        # Kept under their old names too: the figures docs/benchmarks.md quotes.
        "median_empty_s": round(wall["empty"], 4),
        "median_full_s": round(wall["open"], 4),
        "open_cost_s": round(wall["open"] - wall["empty"], 4),
        "rebuild_cost_s": round(wall["rebuild"] - wall["empty"], 4),
        "in_process": index_timings(archive, repeat),
    }
    return result


def index_timings(archive: Path, repeat: int) -> dict[str, Any]:
    """Where an opening's time goes, timed inside this process (median of `repeat`).

    ``open_index`` (open ``index.db`` and check it: what every run does) and
    ``build_index`` (read every review file: ``scrapy archive reindex``, or a
    run finding the index damaged), into a scratch file. Diagnostic only: these
    are the archive package's internal functions, and if they change the step
    says so instead of failing.
    """
    try:
        from reviewcrawler.archive import ArchiveLayout
        from reviewcrawler.archive.index import build_index, open_index

        layout = ArchiveLayout.at(archive)
        opening, rebuild = [], []
        scratch = Path(tempfile.mkdtemp(prefix="index-timing-"))
        try:
            for _ in range(repeat):
                started = time.perf_counter()
                index = open_index(layout)
                opening.append(time.perf_counter() - started)
                if index is None:
                    return {"skipped": "open_index found no index"}
                entries = index.count()
                index.close()
                started = time.perf_counter()
                rebuilt = build_index(layout, target=scratch / "index.db")
                rebuild.append(time.perf_counter() - started)
                if rebuilt != entries:
                    return {"skipped": "build_index and the saved index disagree"}
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return {
            "entries": entries,
            "open_index_s": round(statistics.median(opening), 4),
            "build_index_s": round(statistics.median(rebuild), 4),
        }
    except (ImportError, AttributeError, TypeError, ValueError, OSError) as error:
        return {"skipped": f"{type(error).__name__}: {error}"}
