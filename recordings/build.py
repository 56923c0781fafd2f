"""Build the bundled recordings from the fixtures: ``make recordings``.

Each recording is what ``-a record=DIR`` would have kept from a crawl of one
title, made from fixture pages instead of the live site: every page under the
URL its ``.meta.json`` names, through the project's own `RecordingWriter`, so
``-a title=tt0396184 -a replay=recordings/<name>`` runs offline. Run it again
after changing one of the fixtures below; a test fails while a recording is
out of date.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import scrapy
from scrapy.http import Request, Response

from reviewcrawler.filepages import saved_response
from reviewcrawler.recording import RecordingWriter

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
RECORDINGS = Path(__file__).resolve().parent

#: Recording name -> the fixture cases of one title's pages, in crawl order.
BUNDLED: dict[str, tuple[str, ...]] = {
    # Today's site: the review page, then two answers of IMDb's GraphQL endpoint.
    "pusher2": (
        "current/pusher2-2026.html",
        "current/graphql/pusher2-page2.json",
        "current/graphql/pusher2-page3.json",
    ),
    # The site until 2024: the review page, then its load-more (_ajax) fragment.
    "pusher2-2024": (
        "legacy/pusher2-page1.html",
        "legacy/pusher2-page2.html",
    ),
}

SOFTWARE = f"reviewcrawler (Scrapy {scrapy.__version__})"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json"}


def recorded_response(page: Path) -> tuple[Request, Response]:
    """The exchange a crawl would have had for the fixture `page`."""
    meta = json.loads(page.with_suffix(".meta.json").read_text(encoding="utf-8"))
    request = Request(meta["url"])
    # The writer names a body's file by its Content-Type: give it the server's.
    response = saved_response(meta["url"], page.read_bytes(), page.name).replace(
        headers={"Content-Type": CONTENT_TYPES[page.suffix]}, request=request
    )
    return request, response


def build(name: str, cases: tuple[str, ...], destination: Path) -> None:
    """Write the recording `name` into `destination` (replaced if it exists)."""
    with tempfile.TemporaryDirectory(dir=destination.parent) as scratch:
        writer = RecordingWriter(Path(scratch) / name, SOFTWARE)
        for case in cases:
            writer.add(*recorded_response(FIXTURES / case))
        writer.close()
        if destination.exists():
            shutil.rmtree(destination)
        (Path(scratch) / name).rename(destination)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--into", type=Path, default=RECORDINGS, help="directory to write them into"
    )
    options = parser.parse_args(argv)
    options.into.mkdir(parents=True, exist_ok=True)
    for name, cases in BUNDLED.items():
        build(name, cases, options.into / name)
        print(f"{options.into / name}: {len(cases)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
