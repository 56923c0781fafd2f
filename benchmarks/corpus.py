"""A deterministic benchmark corpus: N review pages of both layouts with unique review ids.

Pages are cut from *source pages* of each layout into a head, the review blocks
and a tail:

* legacy (until 2024): the fixture pages ``legacy/pusher2-page1.html`` (full
  page) and ``pusher2-page2.html`` (``_ajax`` fragment) when they are there,
  otherwise the hand-written templates under ``benchmarks/templates/legacy/``;
  blocks are ``div.imdb-user-review``.
* current (2024+): the fixture page ``current/pusher2-2026.html``, a full
  server page whose cards (``article.user-review-item``) are repeated as JSON in
  ``<script id="__NEXT_DATA__">``, in both of its shapes.

Every generated page is a source skeleton filled with `REVIEWS_PER_PAGE` blocks
taken round-robin from all the source blocks of its layout; each review gets a
new, corpus-unique ``rwN`` wherever the page names it (legacy: data attribute,
vote URL, headline and Permalink links; current: headline and Permalink links
*and* its entries in ``__NEXT_DATA__``, which is rebuilt to hold exactly the
page's reviews), and the page's title a new ``ttN``. Author ids, names and texts
are kept as they are. Nothing is random: the same arguments give the same bytes
(see `Corpus.digest`).

Pages are grouped into titles of `PAGES_PER_TITLE` pages, and titles alternate
between the layouts (``--layouts legacy,current``, the default: title 0 legacy,
title 1 current, ...). A legacy title's first page is a full page, its others
``_ajax`` fragments, as a crawl of IMDb saves them; every page of a current
title is a full page. Every page is written in its last-page form (legacy: the
load-more widget without a ``data-key``; current: ``hasNextPage`` false) so
that a crawler that follows pagination never leaves the corpus.

Adding a layout: implement the `Layout` protocol (how to cut a page into blocks,
how to give a block a new review id) and register it in `LAYOUTS`;
`benchmarks.floor` needs an extractor for it too.

    python -m benchmarks.corpus OUT_DIR --pages 40 [--layouts legacy,current] [--source auto]

Longer than most modules on purpose: both layouts' cutting and renaming rules sit
beside the generator they feed, one file a reader follows from top to bottom.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

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


# --- the current layout (React/Next.js, 2024+) ---------------------------------------------------

_CARD_START = re.compile(r"""<article\b[^>]*\bclass\s*=\s*["'][^"']*\buser-review-item\b""")
_CARD_END = "</article>"
_CARD_REVIEW_ID = re.compile(r"/review/(rw\d+)")
_CANONICAL_TITLE = re.compile(r"""<link\b[^>]*rel="canonical"[^>]*/title/(tt\d+)""")
_NEXT_DATA = re.compile(
    r"""(<script\b[^>]*\bid="__NEXT_DATA__"[^>]*>)(.*?)(</script>)""", re.DOTALL
)
_TOTAL_REVIEWS = re.compile(r"""(data-testid="tturv-total-reviews"[^>]*>)[\d,]+(\s+reviews?<)""")
#: What Next.js escapes in ``__NEXT_DATA__`` so that the JSON is safe inside ``<script>``.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def split_cards(html: str, origin: str) -> Skeleton:
    """Cut a current page at its ``article.user-review-item`` cards (they never nest)."""
    blocks: list[str] = []
    head_end = tail_start = -1
    position = 0
    while match := _CARD_START.search(html, position):
        start = match.start()
        end = html.find(_CARD_END, start)
        if end < 0:
            raise ValueError(f"{origin}: review card at offset {start} is never closed")
        end += len(_CARD_END)
        if head_end < 0:
            head_end = start
        blocks.append(html[start:end])
        tail_start = position = end
    if not blocks:
        raise ValueError(f"{origin}: no review card (article.user-review-item) found")
    return Skeleton(
        origin=origin, head=html[:head_end], blocks=tuple(blocks), tail=html[tail_start:]
    )


class CurrentLayout:
    """A full server page: HTML cards plus the same reviews in ``__NEXT_DATA__``.

    The source is the fixture page ``current/pusher2-2026.html`` (6 cards; its
    JSON holds both shapes, ``contentData.reviews[].review`` and
    ``data.title.reviews.edges[].node``). A generated page is that page with 25
    cards, and a JSON that holds the same 25 reviews under their new ids in both
    shapes, totals set to the title's, no next page. Every page of a title is a
    full page: a current-layout fragment (a ``<section>`` copied out of the DOM)
    names no title, and a crawl of ``path=`` would reject its reviews.
    """

    name: ClassVar[str] = "current"
    FIXTURE_PAGE = "current/pusher2-2026.html"

    def load(self, source: Source, fixtures: Path) -> LayoutSource:
        page = fixtures / self.FIXTURE_PAGE
        if source == "template":
            raise ValueError(
                "the current layout has no hand-written template; use --source auto or fixtures"
            )
        if not page.is_file():
            raise FileNotFoundError(f"no current-layout fixture page: {page}")
        skeleton = split_cards(page.read_text(encoding="utf-8"), str(page))
        if not _CANONICAL_TITLE.search(skeleton.head) or not _NEXT_DATA.search(skeleton.tail):
            raise ValueError(f"{page}: no canonical title link or no __NEXT_DATA__ after the cards")
        for block in skeleton.blocks:
            if len(set(_CARD_REVIEW_ID.findall(block))) != 1:
                raise ValueError(f"{page}: a card that does not name exactly one review id")
        return LayoutSource(
            layout=self.name, origin="fixtures", page=skeleton, fragment=None, pool=skeleton.blocks
        )

    def render(
        self,
        skeleton: Skeleton,
        blocks: Sequence[str],
        review_ids: Sequence[str],
        title_id: str,
        declared_total: int,
    ) -> str:
        source_title = _CANONICAL_TITLE.search(skeleton.head)
        assert source_title is not None  # checked by `load`
        cards = []
        renames: list[tuple[str, str]] = []
        for block, review_id in zip(blocks, review_ids, strict=True):
            match = _CARD_REVIEW_ID.search(block)
            assert match is not None  # checked by `load`
            renames.append((match.group(1), review_id))
            cards.append(_rename(block, match.group(1), review_id))
        head = _TOTAL_REVIEWS.sub(rf"\g<1>{declared_total:,}\g<2>", skeleton.head, 1)
        tail = _NEXT_DATA.sub(
            lambda m: m.group(1) + _next_data(m.group(2), renames, declared_total) + m.group(3),
            skeleton.tail,
            1,
        )
        page = head + "".join(cards) + tail
        return re.sub(rf"\b{source_title.group(1)}\b", title_id, page)


def _rename(text: str, old_id: str, new_id: str) -> str:
    return re.sub(rf"\b{old_id}\b", new_id, text)


def _next_data(raw: str, renames: Sequence[tuple[str, str]], declared_total: int) -> str:
    """The page's ``__NEXT_DATA__`` describing the generated cards, in both shapes.

    Serialised as Next.js does (compact, ``<``, ``>``, ``&`` escaped): for the
    source page this gives back its exact bytes.
    """
    root = json.loads(raw)
    content = root["props"]["pageProps"]["contentData"]
    connection = content.get("data", {}).get("title", {}).get("reviews")

    def renamed(entries: list[Any], review_id_of: Callable[[Any], Any]) -> list[Any]:
        by_id = {review_id_of(entry): json.dumps(entry, ensure_ascii=False) for entry in entries}
        return [json.loads(_rename(by_id[old], old, new)) for old, new in renames if old in by_id]

    if isinstance(content.get("reviews"), list):
        content["reviews"] = renamed(content["reviews"], lambda e: e["review"]["reviewId"])
    if isinstance(connection, dict) and isinstance(connection.get("edges"), list):
        connection["edges"] = renamed(connection["edges"], lambda e: e["node"]["id"])
    # The title's total wherever the JSON states it; last page: nothing after this one.
    if "reviewCount" in content:
        content["reviewCount"] = declared_total
    for holder in (
        connection,
        content.get("entityMetadata", {}).get("subNavReviews"),
        content.get("data", {}).get("title", {}).get("subNavReviews"),
    ):
        if isinstance(holder, dict) and "total" in holder:
            holder["total"] = declared_total
    for holder in (content, connection):
        if isinstance(holder, dict) and isinstance(holder.get("pageInfo"), dict):
            holder["pageInfo"]["hasNextPage"] = False
    text = json.dumps(root, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


#: Layouts by name.
LAYOUTS: dict[str, type[Layout]] = {
    LegacyLayout.name: LegacyLayout,
    CurrentLayout.name: CurrentLayout,
}
#: What a corpus mixes unless told otherwise: titles alternate between these.
DEFAULT_LAYOUTS: tuple[str, ...] = ("legacy", "current")


# --- generation --------------------------------------------------------------------------------


@dataclass(slots=True)
class Corpus:
    directory: Path
    pages: int
    reviews: int
    layouts: list[str]
    #: Where each layout's source pages came from: ``"fixtures"`` or ``"template"``.
    origins: dict[str, str]
    #: How many of the pages are of each layout.
    pages_per_layout: dict[str, int]
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
    layouts: Sequence[str] = DEFAULT_LAYOUTS,
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
    renderers = {name: LAYOUTS[name]() for name in layouts}
    sources = {name: renderers[name].load(source, fixtures) for name in layouts}
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
        pages_per_layout={name: used[name] // REVIEWS_PER_PAGE for name in layouts},
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
    parser.add_argument(
        "--layouts",
        default=",".join(DEFAULT_LAYOUTS),
        help="comma-separated, mixed title by title: " + ",".join(LAYOUTS),
    )
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
