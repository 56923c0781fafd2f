"""A deterministic benchmark corpus: N review pages with unique review ids.

Pages are cut from *source pages* of each layout — the project's fixture pages
when they are there, otherwise the small hand-written templates under
``benchmarks/templates/<layout>/`` — into a head, the review blocks and a tail.
Every generated page is a source skeleton filled with `REVIEWS_PER_PAGE` blocks
taken round-robin from all the source blocks of its layout; in each block the
review id (``data-review-id``, ``data-vote-url``, headline and Permalink hrefs)
becomes a new, corpus-unique ``rwN``, and the page's title id (canonical link,
title links, vote URLs, the ``_ajax`` URL) a new ``ttN``. Author ids, names and
texts are kept as they are. Nothing is random: the same arguments give the same
bytes (see `Corpus.digest`).

Pages are grouped into titles of `PAGES_PER_TITLE` pages: a title's first page
is a full page, its others ``_ajax`` fragments, as a crawl of IMDb saves them.
Every page is written in its last-page form (the load-more widget without a
``data-key``) so that a crawler that follows pagination never leaves the corpus.

Adding a layout (e.g. the current, 2024+ one): write its source pages, implement
the `Layout` protocol (how to cut a page into blocks, how to give a block a new
review id) and register it in `LAYOUTS`; ``--layouts legacy,current`` then
mixes the two, title by title. `benchmarks.floor` needs an extractor for it too.

    python -m benchmarks.corpus OUT_DIR --pages 40 [--layouts legacy] [--source auto]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, Protocol

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
TEMPLATES = Path(__file__).resolve().parent / "templates"

REVIEWS_PER_PAGE = 25
PAGES_PER_TITLE = 4
#: Generated ids are 8-digit ``rw``/7-digit ``tt`` numbers from these on.
FIRST_REVIEW_NUMBER = 20_000_000
FIRST_TITLE_NUMBER = 9_000_000
PAGES_DIR = "pages"
MANIFEST = "manifest.json"

Source = Literal["auto", "fixtures", "template"]


@dataclass(frozen=True, slots=True)
class Skeleton:
    """One source page cut at its review blocks: ``head + blocks + tail``."""

    origin: str
    head: str
    blocks: tuple[str, ...]
    tail: str


@dataclass(frozen=True, slots=True)
class LayoutSource:
    """What a layout generates from: a full page, maybe a fragment, a block pool."""

    layout: str
    origin: str
    page: Skeleton
    fragment: Skeleton | None
    #: Every review block of every source page, in order.
    pool: tuple[str, ...]


class Layout(Protocol):
    """How to cut one IMDb layout's pages and give their reviews new ids."""

    name: ClassVar[str]

    def load(self, source: Source, fixtures: Path) -> LayoutSource: ...

    def render(
        self,
        skeleton: Skeleton,
        blocks: Sequence[str],
        review_ids: Sequence[str],
        title_id: str,
        declared_total: int,
    ) -> str: ...


# --- the legacy layout (server-rendered, until 2024) -------------------------------------------

_BLOCK_START = re.compile(r"""<div\b[^>]*\bclass\s*=\s*["'][^"']*\bimdb-user-review\b""")
_DIV_TAG = re.compile(r"<(/?)div\b", re.IGNORECASE)
_REVIEW_ID = re.compile(r"\brw\d+\b")
_TITLE_ID = re.compile(r"\btt\d+\b")
_DATA_KEY = re.compile(r"""\sdata-key\s*=\s*("[^"]*"|'[^']*')""")
_DECLARED_TOTAL = re.compile(r">(\s*)[\d,]+(\s+Reviews?\s*)<")


def split_blocks(html: str, origin: str) -> Skeleton:
    """Cut a page at its ``div.imdb-user-review`` blocks (by ``<div>`` nesting)."""
    blocks: list[str] = []
    head_end = tail_start = -1
    position = 0
    while match := _BLOCK_START.search(html, position):
        start = match.start()
        depth = 0
        for tag in _DIV_TAG.finditer(html, start):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = html.index(">", tag.end()) + 1
                break
        else:
            raise ValueError(f"{origin}: review block at offset {start} is never closed")
        if head_end < 0:
            head_end = start
        blocks.append(html[start:end])
        tail_start = position = end
    if not blocks:
        raise ValueError(f"{origin}: no review block (div.imdb-user-review) found")
    return Skeleton(
        origin=origin, head=html[:head_end], blocks=tuple(blocks), tail=html[tail_start:]
    )


class LegacyLayout:
    name: ClassVar[str] = "legacy"
    #: The fixture pages, when the project has them; the templates otherwise.
    FIXTURE_PAGE = "legacy/pusher2-page1.html"
    FIXTURE_FRAGMENT = "legacy/pusher2-page2.html"
    TEMPLATE_PAGE = "legacy/page.html"
    TEMPLATE_FRAGMENT = "legacy/fragment.html"

    def load(self, source: Source, fixtures: Path) -> LayoutSource:
        page, fragment = fixtures / self.FIXTURE_PAGE, fixtures / self.FIXTURE_FRAGMENT
        have_fixtures = page.is_file() and fragment.is_file()
        if source == "fixtures" and not have_fixtures:
            raise FileNotFoundError(f"no legacy fixture pages: {page}, {fragment}")
        if source == "template" or not have_fixtures:
            page, fragment = TEMPLATES / self.TEMPLATE_PAGE, TEMPLATES / self.TEMPLATE_FRAGMENT
            origin = "template"
        else:
            origin = "fixtures"
        skeletons = [split_blocks(p.read_text(encoding="utf-8"), str(p)) for p in (page, fragment)]
        return LayoutSource(
            layout=self.name,
            origin=origin,
            page=skeletons[0],
            fragment=skeletons[1],
            pool=tuple(block for skeleton in skeletons for block in skeleton.blocks),
        )

    def render(
        self,
        skeleton: Skeleton,
        blocks: Sequence[str],
        review_ids: Sequence[str],
        title_id: str,
        declared_total: int,
    ) -> str:
        def chrome(markup: str) -> str:
            # Last-page form: no pagination key, so nothing points outside the corpus.
            return _DATA_KEY.sub("", _TITLE_ID.sub(title_id, markup))

        head = _DECLARED_TOTAL.sub(rf">\g<1>{declared_total:,}\g<2><", chrome(skeleton.head), 1)
        body = "\n".join(
            _TITLE_ID.sub(title_id, _REVIEW_ID.sub(review_id, block))
            for block, review_id in zip(blocks, review_ids, strict=True)
        )
        return f"{head}{body}{chrome(skeleton.tail)}"


#: Layouts by name. Register the current (2024+) layout here once it has source pages.
LAYOUTS: dict[str, type[Layout]] = {LegacyLayout.name: LegacyLayout}


# --- generation --------------------------------------------------------------------------------


@dataclass(slots=True)
class Corpus:
    directory: Path
    pages: int
    reviews: int
    layouts: list[str]
    #: Where each layout's source pages came from: ``"fixtures"`` or ``"template"``.
    origins: dict[str, str]
    first_review_id: str
    last_review_id: str
    bytes: int = 0
    #: SHA-256 over every page's name and bytes, in order.
    digest: str = ""
    reviews_per_page: int = REVIEWS_PER_PAGE
    pages_per_title: int = PAGES_PER_TITLE
    files: list[str] = field(default_factory=list, repr=False)

    @property
    def pages_dir(self) -> Path:
        return self.directory / PAGES_DIR

    def manifest(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("files")
        data["directory"] = str(self.directory)
        return data


def generate(
    directory: Path,
    pages: int,
    *,
    layouts: Sequence[str] = ("legacy",),
    source: Source = "auto",
    fixtures: Path = FIXTURES,
    first_review: int = FIRST_REVIEW_NUMBER,
    first_title: int = FIRST_TITLE_NUMBER,
    pages_per_title: int = PAGES_PER_TITLE,
) -> Corpus:
    """Write `pages` pages under ``directory/pages/`` and a manifest beside them."""
    if pages < 1:
        raise ValueError("pages must be at least 1")
    unknown = [name for name in layouts if name not in LAYOUTS]
    if unknown or not layouts:
        raise ValueError(f"unknown layouts {unknown}; known: {sorted(LAYOUTS)}")
    sources = {name: LAYOUTS[name]().load(source, fixtures) for name in layouts}
    renderers = {name: LAYOUTS[name]() for name in layouts}
    pages_dir = directory / PAGES_DIR
    pages_dir.mkdir(parents=True, exist_ok=False)

    digest = hashlib.sha256()
    used = dict.fromkeys(layouts, 0)  # blocks taken so far from each layout's pool
    files: list[str] = []
    total_bytes = 0
    for number in range(pages):
        title, page_in_title = divmod(number, pages_per_title)
        layout = layouts[title % len(layouts)]
        src = sources[layout]
        skeleton = src.page if page_in_title == 0 or src.fragment is None else src.fragment
        start = used[layout]
        blocks = [src.pool[(start + i) % len(src.pool)] for i in range(REVIEWS_PER_PAGE)]
        used[layout] += REVIEWS_PER_PAGE
        first = first_review + number * REVIEWS_PER_PAGE
        review_ids = [f"rw{first + i}" for i in range(REVIEWS_PER_PAGE)]
        title_id = f"tt{first_title + title:07d}"
        titles_pages = min(pages_per_title, pages - title * pages_per_title)
        html = renderers[layout].render(
            skeleton, blocks, review_ids, title_id, titles_pages * REVIEWS_PER_PAGE
        )
        name = f"{title_id}-{page_in_title + 1:02d}.html"
        data = html.encode("utf-8")
        (pages_dir / name).write_bytes(data)
        digest.update(name.encode() + b"\0" + data)
        files.append(name)
        total_bytes += len(data)

    corpus = Corpus(
        directory=directory,
        pages=pages,
        reviews=pages * REVIEWS_PER_PAGE,
        layouts=list(layouts),
        origins={name: src.origin for name, src in sources.items()},
        first_review_id=f"rw{first_review}",
        last_review_id=f"rw{first_review + pages * REVIEWS_PER_PAGE - 1}",
        bytes=total_bytes,
        digest=digest.hexdigest(),
        pages_per_title=pages_per_title,
        files=files,
    )
    (directory / MANIFEST).write_text(json.dumps(corpus.manifest(), indent=2) + "\n")
    return corpus


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__)
    parser.add_argument("directory", type=Path, help="new directory to write the corpus into")
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--layouts", default="legacy", help="comma-separated: " + ",".join(LAYOUTS))
    parser.add_argument("--source", choices=("auto", "fixtures", "template"), default="auto")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--first-review", type=int, default=FIRST_REVIEW_NUMBER)
    args = parser.parse_args(argv)
    corpus = generate(
        args.directory,
        args.pages,
        layouts=[name.strip() for name in args.layouts.split(",") if name.strip()],
        source=args.source,
        fixtures=args.fixtures,
        first_review=args.first_review,
    )
    print(json.dumps(corpus.manifest(), indent=2))


if __name__ == "__main__":
    main()
