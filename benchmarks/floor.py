"""The floor: a plain lxml pass over the same pages, no Scrapy, no itemloaders.

It reads every page file, finds the review blocks with compiled XPath, pulls the
same fields the crawler does (ids, rating, headline, author, date, spoiler flag,
body text with ``<br>`` as line breaks, helpful counts, permalink) into a dict
per review and writes them as JSON lines. It is what the crawl would cost if
parsing were all it did; it checks its own result (the review count) so that a
fast but wrong pass cannot pass as the floor.

    python -m benchmarks.floor PAGES_DIR -o floor.jsonl [--expect N]

Exit status 1 when the count differs from ``--expect``. One extractor per
layout, picked by a marker in the page (`EXTRACTORS`); add one per new layout.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

PAGE_SUFFIXES = (".html", ".htm")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression, smart_strings=False)


# Legacy layout: one compiled expression per field, relative to a review block.
_BLOCKS = _xpath(f"//div[{_has_class('imdb-user-review')}]")
_TITLE_REFS = _xpath("//link[@rel='canonical']/@href | //h3[@itemprop='name']/a/@href")
_MOVIE_TITLE = _xpath("string(//h3[@itemprop='name']/a)")
_MOVIE_YEAR = _xpath(f"string(//h3[@itemprop='name']/span[{_has_class('nobr')}])")
_RATING = _xpath(
    f".//span[{_has_class('rating-other-user-rating')}]/span[not({_has_class('point-scale')})]"
    "/text()"
)
_HEADLINE = _xpath(f"string(.//a[{_has_class('title')}])")
_AUTHOR = _xpath(f"string(.//span[{_has_class('display-name-link')}]//a)")
_AUTHOR_HREF = _xpath(f".//span[{_has_class('display-name-link')}]//a/@href")
_DATE = _xpath(f"string(.//span[{_has_class('review-date')}])")
_SPOILER = _xpath(f"boolean(.//span[{_has_class('spoiler-warning')}])")
_BODY = _xpath(f".//div[{_has_class('text')} and {_has_class('show-more__control')}]")
_ACTIONS = _xpath(f"string(.//div[{_has_class('actions')}])")

_SPACES = re.compile(r"\s+")
_HELPFUL = re.compile(r"([\d,]+)\s+out\s+of\s+([\d,]+)\s+found\s+this\s+helpful")
_TITLE_ID = re.compile(r"/title/(tt\d+)")
_USER_ID = re.compile(r"\b(ur\d+)\b")
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""")
_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "li", "ul", "ol"})
_SKIPPED_TAGS = frozenset({"script", "style", "button", "svg", "template"})
_PARSERS: dict[str, etree.HTMLParser] = {}


def parse_html(data: bytes) -> Any:
    """The page's root element; the charset from a ``<meta>``, UTF-8 otherwise."""
    match = _CHARSET.search(data[:2048])
    encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
    parser = _PARSERS.get(encoding)
    if parser is None:
        parser = _PARSERS[encoding] = etree.HTMLParser(encoding=encoding)
    return etree.fromstring(data, parser)


def body_text(element: Any) -> str:
    """``<br>`` is a line break, a block element a paragraph break; spaces collapse."""
    parts: list[str] = []
    _render(element, parts)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _render(element: Any, parts: list[str]) -> None:
    if element.text:
        parts.append(_SPACES.sub(" ", element.text))
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag == "br":
            parts.append("\n")
        elif tag in _BLOCK_TAGS:
            parts.append("\n\n")
            _render(child, parts)
            parts.append("\n\n")
        elif tag is not None and tag not in _SKIPPED_TAGS:
            _render(child, parts)
        if child.tail:
            parts.append(_SPACES.sub(" ", child.tail))


def _count(value: str) -> int:
    return int(value.replace(",", ""))


def _iso_date(value: str) -> str | None:
    try:
        return datetime.strptime(" ".join(value.split()), "%d %B %Y").date().isoformat()
    except ValueError:
        return None


def legacy_reviews(root: Any, url: str, scraped_at: str) -> Iterator[dict[str, Any]]:
    title_id = next((m.group(1) for ref in _TITLE_REFS(root) if (m := _TITLE_ID.search(ref))), None)
    movie_title = " ".join(_MOVIE_TITLE(root).split()) or None
    year = _YEAR.search(_MOVIE_YEAR(root))
    movie_year = int(year.group(1)) if year else None
    for block in _BLOCKS(root):
        review_id = block.get("data-review-id")
        vote = _TITLE_ID.search(block.get("data-vote-url") or "")
        rating = _RATING(block)
        author_href = _AUTHOR_HREF(block)
        author_id = _USER_ID.search(author_href[0]) if author_href else None
        body = _BODY(block)
        helpful = _HELPFUL.search(_ACTIONS(block))
        yield {
            "review_id": review_id,
            "title_id": vote.group(1) if vote else title_id,
            "movie_title": movie_title,
            "movie_year": movie_year,
            "rating": int(rating[0].strip()) if rating else None,
            "headline": " ".join(_HEADLINE(block).split()),
            "author": " ".join(_AUTHOR(block).split()) or None,
            "author_id": author_id.group(1) if author_id else None,
            "date": _iso_date(_DATE(block)),
            "spoiler": _SPOILER(block),
            "text": body_text(body[0]) if body else None,
            "helpful_yes": _count(helpful.group(1)) if helpful else None,
            "helpful_total": _count(helpful.group(2)) if helpful else None,
            "permalink": f"https://www.imdb.com/review/{review_id}/",
            "source_url": url,
            "scraped_at": scraped_at,
        }


Extractor = Callable[[Any, str, str], Iterator[dict[str, Any]]]
#: (marker, extractor): the first layout whose marker matches reads the page.
EXTRACTORS: list[tuple[etree.XPath, Extractor]] = [
    (_xpath(f"boolean(//div[{_has_class('imdb-user-review')}])"), legacy_reviews),
]


def page_files(paths: Sequence[Path]) -> list[Path]:
    files: dict[Path, None] = {}
    for path in paths:
        found = path.rglob("*") if path.is_dir() else [path]
        for file in sorted(p for p in found if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()):
            files.setdefault(file.resolve())
    return list(files)


def run(paths: Sequence[Path], output: Path) -> tuple[int, int]:
    """Extract every review under `paths` into `output`; (pages, reviews)."""
    scraped_at = datetime.now(UTC).isoformat(timespec="seconds")
    pages = reviews = 0
    with output.open("w", encoding="utf-8") as out:
        for file in page_files(paths):
            root = parse_html(file.read_bytes())
            pages += 1
            if root is None:
                continue
            url = file.as_uri()
            for marker, extract in EXTRACTORS:
                if marker(root):
                    for record in extract(root, url, scraped_at):
                        out.write(json.dumps(record, ensure_ascii=False))
                        out.write("\n")
                        reviews += 1
                    break
    return pages, reviews


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path, help="pages or directories of pages")
    parser.add_argument("-o", "--output", type=Path, required=True, help="JSON Lines to write")
    parser.add_argument("--expect", type=int, help="the number of reviews there must be")
    args = parser.parse_args(argv)
    pages, reviews = run(args.paths, args.output)
    if args.expect is not None and reviews != args.expect:
        print(
            f"floor: found {reviews} reviews in {pages} pages, expected {args.expect}",
            file=sys.stderr,
        )
        return 1
    print(f"floor: {reviews} reviews from {pages} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
