"""The benchmark of issue 7: the crawl against a plain lxml pass, side by side.

For each size N (pages; 25 reviews each) one corpus is generated, then in every
round, in this order, each as a whole process from the project directory:

  a  the floor: ``python -m benchmarks.floor PAGES -o a.jsonl --expect REVIEWS``
  b  the crawl as a user runs it: ``scrapy crawl reviews -a path=PAGES -O b.jsonl
     -s ARCHIVE_DIR=<fresh dir> -s LOG_LEVEL=WARNING``
  c  the same crawl again over the archive b just filled (the daily "nothing new" run)
  s  start-up: the same crawl over a one-page corpus, into a fresh archive

Wall time and peak RSS are per process (``os.wait4``). Figures are medians over
``--repeat`` rounds. Outputs are checked: the floor must find every review and
b must write exactly that many; a failed check stops the benchmark. The targets
of the issue are printed as PASS/FAIL lines but never fail the run: they are
figures. Then, when ``reviewcrawler.archive`` exists, the cost of opening an
archive of 100,000 reviews: a 1-page crawl into an empty archive, into (a copy
of) the big one, and into the big one without its ``index.db``; the big
archive is written by a real 4,000-page crawl once and kept in
``WORKDIR/reviewcrawler-bench-cache`` for the next runs, keyed on the crawler's
code. Results: ``benchmarks/results/latest.json`` and ``latest.png``. See
benchmarks/README.md.

    python -m benchmarks.run [--quick] [--sizes 40,400] [--repeat 3] [--no-plot]
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.archive_open import ARCHIVE_REVIEWS, CACHE_DIR_NAME, archive_open_cost
from benchmarks.corpus import DEFAULT_LAYOUTS, LAYOUTS, REVIEWS_PER_PAGE, generate
from benchmarks.measure import (
    VARIANTS,
    BenchmarkError,
    crawl_command,
    execute,
    figures,
    floor_command,
    machine,
    measure_size,
    project_state,
    scrapy_command,
    versions,
)
from benchmarks.summary import RESULTS, archive_table, plot, table, target_checks
from reviewcrawler.archive.files import write_json_atomic

SIZES = (40, 400, 4000)
QUICK_SIZES = (40, 400)
REPEAT = 3
#: Review numbers of the start-up corpus, far from every other corpus's.
STARTUP_FIRST_REVIEW = 80_000_000


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="sizes 40,400 only")
    parser.add_argument("--sizes", help="comma-separated page counts (default 40,400,4000)")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="rounds per size (median)")
    parser.add_argument(
        "--layouts",
        default=",".join(DEFAULT_LAYOUTS),
        help="corpus layouts, comma-separated, mixed title by title (default: legacy,current)",
    )
    parser.add_argument(
        "--source",
        choices=("auto", "fixtures", "template"),
        default="auto",
        help="corpus from the fixture pages or the templates (auto: fixtures if present)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="directory for latest.*")
    parser.add_argument("--no-plot", action="store_true", help="skip latest.png")
    parser.add_argument(
        "--no-archive-open", action="store_true", help="skip the 100,000-review archive measurement"
    )
    parser.add_argument("--archive-reviews", type=int, default=ARCHIVE_REVIEWS)
    parser.add_argument(
        "--no-archive-scale",
        action="store_true",
        help="skip the daily run into archives of 10k, 100k and 1M reviews",
    )
    parser.add_argument(
        "--scale-sizes",
        default="10000,100000,1000000",
        help="archive sizes of the archive-scale step (benchmarks/archive_scale.py)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="where the big archive is kept between runs "
        f"(default: WORKDIR/{CACHE_DIR_NAME}, WORKDIR being --workdir or $TMPDIR)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="build the big archive afresh, keep no copy"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where temporary corpora go (default: $TMPDIR)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.sizes:
        args.sizes = tuple(int(x) for x in args.sizes.split(",") if x.strip())
    else:
        args.sizes = QUICK_SIZES if args.quick else SIZES
    if args.repeat < 1 or not args.sizes or min(args.sizes) < 1:
        parser.error("--repeat and every size must be at least 1")
    layouts = [x.strip() for x in args.layouts.split(",") if x.strip()]
    unknown = [x for x in layouts if x not in LAYOUTS]
    if unknown or not layouts:
        parser.error(f"--layouts: unknown {unknown}; known: {', '.join(LAYOUTS)}")
    if args.source == "template" and "current" in layouts:
        parser.error("--source template: the current layout has no template; add --layouts legacy")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    options = {
        "layouts": [x.strip() for x in args.layouts.split(",") if x.strip()],
        "source": args.source,
    }
    work = Path(tempfile.mkdtemp(prefix="reviewcrawler-bench-", dir=args.workdir))
    started = datetime.now(UTC)
    results: dict[str, Any] = {
        "schema": 1,
        "command": "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "project": project_state(),
        "settings": {
            "sizes": list(args.sizes),
            "repeat": args.repeat,
            **options,
            "scrapy": shlex.join(scrapy_command()),
        },
        "variants": VARIANTS,
    }
    try:
        startup = generate(work / "startup", 1, **{**options, "first_review": STARTUP_FIRST_REVIEW})
        results["settings"]["corpus_origins"] = startup.origins
        print(f"corpus: {startup.origins}, {REVIEWS_PER_PAGE} reviews per page; work dir {work}")
        # One unrecorded warm-up of each program (imports, bytecode, file cache).
        warm = work / "warmup"
        warm.mkdir()
        execute("a", floor_command(startup, warm / "a.jsonl"), warm / "a.jsonl", 1, -1, warm)
        execute(
            "s",
            crawl_command(startup.pages_dir, warm / "s.jsonl", warm / "archive"),
            warm / "s.jsonl",
            1,
            -1,
            warm,
        )
        sizes = [measure_size(n, args.repeat, work, startup, options) for n in args.sizes]
        all_startups = [r["wall_s"] for s in sizes for r in s["runs"] if r["variant"] == "s"]
        startup_s = statistics.median(all_startups)
        for size in sizes:
            size["figures"] = figures(size, startup_s)
        results["startup_median_s"] = round(startup_s, 4)
        results["sizes"] = sizes
        if args.no_archive_open:
            archive: dict[str, Any] = {"skipped": "--no-archive-open"}
        else:
            cache = None if args.no_cache else args.cache or work.parent / CACHE_DIR_NAME
            archive = archive_open_cost(args.repeat, work, cache, args.archive_reviews, options)
        results["archive_open"] = archive
        results["checks"] = target_checks(sizes, archive)
        if not args.no_archive_scale:
            from benchmarks import archive_scale

            scale_sizes = sorted(int(x) for x in args.scale_sizes.split(",") if x.strip())
            cache = args.cache or work.parent / CACHE_DIR_NAME
            scale = archive_scale.archive_scale(scale_sizes, args.repeat, work, cache)
            results["archive_scale"] = scale
            results["checks"] += scale["checks"]
            write_json_atomic(args.results / archive_scale.RESULT_FILE, scale)
        results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        print(f"(logs kept in {work})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        raise
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(table(results["sizes"]))
    print()
    print(archive_table(archive))
    if "archive_scale" in results:
        from benchmarks import archive_scale

        print()
        print(archive_scale.table(results["archive_scale"]["sizes"]))
    print("\ntargets (figures, not assertions):")
    for item in results["checks"]:
        print(f"  {item['status']:<4}  {item['name']}: {item['value']}")
    json_path = args.results / "latest.json"
    write_json_atomic(json_path, results)
    print(f"\nresults: {json_path}")
    if not args.no_plot:
        try:
            plot(results, args.results / "latest.png")
            print(f"plot:    {args.results / 'latest.png'}")
        except ImportError:
            print("plot:    skipped, matplotlib is not installed (pip install -e '.[bench]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
