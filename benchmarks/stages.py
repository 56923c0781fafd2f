"""Where a crawl's time goes, per review and per layout: ``python -m benchmarks.stages``.

A breakdown to read beside ``benchmarks.run``'s end-to-end figures. Everything
is CPU time of this process (``time.process_time``), the median of a few
rounds over the same generated pages:

- ``floor``: the plain lxml pass of ``benchmarks.floor`` (parse + extract);
- ``html``: building the page's `Selector` as the parsers get it (decoding and
  parsing the page, `reviewcrawler.parsers.xpath.page_selector`);
- ``detect``: choosing the layout (`parser_for`);
- ``parse``: the layout parser, loaders included;
- ``handoff``: a page sent to a parsing worker and its outcome sent back
  (`reviewcrawler.crawl.reading`), pickled and unpickled once each;
- ``validate``, ``dedupe``, ``archive``, ``export``: what the three pipelines
  and the feed exporter do per review (validation, the in-run duplicate check,
  the archive's verdict and line, its content ``fingerprint`` shown apart though
  ``archive`` includes it, a JSON Lines line);
- ``engine``: Scrapy's own cost per item, measured as a subprocess crawl of
  the same files by a spider that yields empty items, less its start-up; once
  bare, once with what our crawl adds around each item (a ``-O`` feed, three
  pass-through pipelines);
- ``crawl``: the real ``scrapy crawl reviews`` of the same pages, CPU per
  review less a one-page crawl's: what the stages above should add up to.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from scrapy.http import HtmlResponse

from benchmarks import floor
from benchmarks.corpus import generate
from benchmarks.measure import scrapy_command
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import build_index, open_index
from reviewcrawler.archive.layout import ArchiveLayout, new_run_id
from reviewcrawler.archive.writer import RunWriter
from reviewcrawler.crawl.reading import PortableResponse
from reviewcrawler.feeds import ReviewJsonLinesExporter
from reviewcrawler.items import REVIEW_FIELDS, Review, as_record
from reviewcrawler.parsers import PageContext, ParsedPage, parser_for
from reviewcrawler.parsers.xpath import page_selector
from reviewcrawler.pipelines.validate import review_problems

PROJECT = Path(__file__).resolve().parent.parent

EMPTY_ITEMS_SPIDER = """
import scrapy
from pathlib import Path

class PassThrough:
    def process_item(self, item):
        return item

class First(PassThrough): pass
class Second(PassThrough): pass
class Third(PassThrough): pass

class EmptyItems(scrapy.Spider):
    name = "empty_items"
    custom_settings = {"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False}

    async def start(self):
        for path in sorted(Path(self.pages).glob("*.html")):
            yield scrapy.Request(path.resolve().as_uri())

    def parse(self, response):
        for _ in range(int(self.per_page)):
            yield {}
"""


def layout_stages(pages: list[Path], rounds: int) -> dict[str, float]:
    """CPU µs per review of each in-process stage, for `pages` of one layout."""
    bodies = [(page.as_uri(), page.read_bytes()) for page in pages]
    floor_out = Path(tempfile.gettempdir()) / "stages-floor.jsonl"
    times: dict[str, list[float]] = {}
    count = 0
    for _ in range(rounds):
        for name, seconds in _one_round(pages, bodies, floor_out).items():
            times.setdefault(name, []).append(seconds)
        count = int(times.pop("reviews")[-1])
    return {name: statistics.median(t) / count * 1e6 for name, t in times.items()}


def _one_round(
    pages: list[Path], bodies: list[tuple[str, bytes]], floor_out: Path
) -> dict[str, float]:
    clock = time.process_time
    seconds: dict[str, float] = {}
    start = clock()
    floor.run(pages, floor_out)
    seconds["floor"] = clock() - start

    responses = [HtmlResponse(url=url, body=body) for url, body in bodies]
    start = clock()
    selectors = [page_selector(response) for response in responses]
    seconds["html"] = clock() - start

    start = clock()
    parsers = [parser_for(selector) for selector in selectors]
    seconds["detect"] = clock() - start

    start = clock()
    reviews: list[Review] = []
    outcomes: list[ParsedPage] = []
    for response, selector, parser in zip(responses, selectors, parsers, strict=True):
        assert parser is not None, response.url
        context = PageContext(url=response.url, scraped_at="now")
        outcomes.append(parser.parse(selector, context))
        reviews.extend(outcomes[-1].reviews)
    seconds["parse"] = clock() - start

    # The hop to a parsing worker and back (`PARSE_PROCESSES`): the page out, its
    # outcome back, each pickled and unpickled once (the pipe itself is not timed).
    start = clock()
    for response, outcome in zip(responses, outcomes, strict=True):
        pickle.loads(pickle.dumps(PortableResponse.of(response)))
        pickle.loads(pickle.dumps(outcome))
    seconds["handoff"] = clock() - start

    start = clock()
    for review in reviews:
        review_problems(review)
    seconds["validate"] = clock() - start

    seen: set[str] = set()
    start = clock()
    for review in reviews:
        # DeduplicateReviewsPipeline's work for a review not seen before.
        if review.review_id not in seen:
            seen.add(review.review_id or "")
    seconds["dedupe"] = clock() - start

    with tempfile.TemporaryDirectory() as archive_dir:
        layout = ArchiveLayout.at(archive_dir)
        build_index(layout)
        index = open_index(layout)
        assert index is not None
        writer = RunWriter(layout, new_run_id(), index)
        start = clock()
        for review in reviews:
            writer.archive(as_record(review))
        seconds["archive"] = clock() - start
        writer.discard()
        index.close()

    start = clock()
    for review in reviews:
        content_fingerprint(as_record(review))
    seconds["fingerprint"] = clock() - start

    start = clock()
    _export(reviews)
    seconds["export"] = clock() - start
    seconds["reviews"] = len(reviews)
    return seconds


def _export(reviews: list[Review]) -> None:
    exporter = ReviewJsonLinesExporter(
        io.BytesIO(), encoding="utf-8", fields_to_export=list(REVIEW_FIELDS)
    )
    exporter.start_exporting()
    for review in reviews:
        exporter.export_item(review)


#: What our crawl puts around each item, for the empty-items spider: a feed, three pipelines.
PLUMBING = [
    "-O",
    "items.jsonl",
    "-s",
    'ITEM_PIPELINES={"empty_items.First": 100, "empty_items.Second": 200, '
    '"empty_items.Third": 300}',
]


def engine_per_item(
    pages_dir: Path, pages: int, per_page: int, rounds: int, extra: Sequence[str] = ()
) -> float:
    """Scrapy's CPU µs per item: an empty-items crawl of `pages`, less a one-page crawl."""
    with tempfile.TemporaryDirectory() as tmp:
        spider = Path(tmp) / "empty_items.py"
        spider.write_text(EMPTY_ITEMS_SPIDER)
        one = Path(tmp) / "one"
        one.mkdir()
        first = sorted(pages_dir.glob("*.html"))[0]
        (one / first.name).write_bytes(first.read_bytes())

        def crawl(directory: Path, items: int) -> float:
            command = scrapy_command(
                "runspider", str(spider), "-a", f"pages={directory}", "-a", f"per_page={items}",
                *extra,
            )  # fmt: skip
            before = _children_cpu()
            env = {**os.environ, "PYTHONPATH": tmp}  # the pipelines, by module name
            subprocess.run(command, check=True, capture_output=True, cwd=tmp, env=env)
            return _children_cpu() - before

        full = statistics.median(crawl(pages_dir, per_page) for _ in range(rounds))
        start_up = statistics.median(crawl(one, 0) for _ in range(rounds))
    return (full - start_up) / (pages * per_page) * 1e6


def crawl_per_review(pages_dir: Path, reviews: int, rounds: int) -> float:
    """The project's crawl, CPU µs per review: `pages_dir` less a one-page crawl."""
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one"
        one.mkdir()
        first = sorted(pages_dir.glob("*.html"))[0]
        (one / first.name).write_bytes(first.read_bytes())

        def crawl(directory: Path, run: int) -> float:
            command = scrapy_command(
                "crawl", "reviews", "-a", f"path={directory}",
                "-O", str(Path(tmp) / f"out-{run}.jsonl"),
                "-s", f"ARCHIVE_DIR={Path(tmp) / f'archive-{run}'}", "-s", "LOG_LEVEL=WARNING",
            )  # fmt: skip
            before = _children_cpu()
            subprocess.run(command, check=True, capture_output=True, cwd=PROJECT)
            return _children_cpu() - before

        full = statistics.median(crawl(pages_dir, run) for run in range(rounds))
        start_up = statistics.median(crawl(one, rounds + run) for run in range(rounds))
    return (full - start_up) / reviews * 1e6


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__)
    parser.add_argument("--pages", type=int, default=80, help="pages per layout (default 80)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"CPU µs per review, median of {args.rounds} rounds, {args.pages} pages per layout")
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {}
        ours = {}
        for layout in ("legacy", "current"):
            corpus = corpora[layout] = generate(Path(tmp) / layout, args.pages, layouts=[layout])
            pages = sorted(corpus.pages_dir.glob("*.html"))
            stages = layout_stages(pages, args.rounds)
            # The fingerprint is shown on its own but is part of `archive`.
            ours[layout] = sum(v for k, v in stages.items() if k not in ("floor", "fingerprint"))
            print(
                f"{layout:8s} "
                + "  ".join(f"{k} {v:6.1f}" for k, v in stages.items())
                + f"  | ours without engine {ours[layout]:6.1f}"
            )
        per_page = corpus.reviews_per_page
        engine = engine_per_item(corpus.pages_dir, args.pages, per_page, args.rounds)
        plumbed = engine_per_item(corpus.pages_dir, args.pages, per_page, args.rounds, PLUMBING)
        print(
            f"engine   Scrapy per item (empty items, same files): {engine:6.1f} bare, "
            f"{plumbed:6.1f} with a -O feed and three pipelines"
        )
        for layout, corpus in corpora.items():
            crawl = crawl_per_review(corpus.pages_dir, args.pages * per_page, args.rounds)
            accounted = ours[layout] + plumbed
            print(
                f"{layout:8s} crawl {crawl:6.1f}  = stages + engine {accounted:6.1f}"
                f"  + unaccounted {crawl - accounted:6.1f} ({(crawl - accounted) / crawl:+.0%})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
