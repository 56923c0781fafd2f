"""The floor: a plain lxml pass over the same pages, no Scrapy, no itemloaders.

It reads every page file, finds the review blocks with compiled XPath, pulls the
same fields the crawler does (ids, rating, headline, author, date, spoiler flag,
body text with ``<br>`` as line breaks, helpful counts, permalink) into a dict
per review and writes them as JSON lines. It is what the crawl would cost if
parsing were all it did; it checks its own result (the review count) so that a
fast but wrong pass cannot pass as the floor.

    python -m benchmarks.floor PAGES_DIR -o floor.jsonl [--expect N]

Exit status 1 when the count differs from ``--expect``. One extractor per
layout (`EXTRACTORS`): the first that finds its review blocks reads the page.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

PAGE_SUFFIXES = (".html", ".htm")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression, smart_strings=False)


# Legacy layout: compiled XPath for the page, then one walk over each review block.
_BLOCKS = _xpath(f"//div[{_has_class('imdb-user-review')}]")
_TITLE_REFS = _xpath("//link[@rel='canonical']/@href | //h3[@itemprop='name']/a/@href")
_MOVIE_TITLE = _xpath("string(//h3[@itemprop='name']/a)")
_MOVIE_YEAR = _xpath(f"string(//h3[@itemprop='name']/span[{_has_class('nobr')}])")
#: Class token → field, for the elements of a review block that hold a field.
_FIELD_CLASSES = {
    "rating-other-user-rating": "rating",
    "title": "headline",
    "display-name-link": "author",
    "review-date": "date",
    "spoiler-warning": "spoiler",
    "text": "text",
    "actions": "actions",
}

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


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"),
        start=1,
    )
}  # fmt: skip


def _iso_date(value: str) -> str | None:
    """``"8 February 2009"`` → ``"2009-02-08"``."""
    words = value.split()
    if len(words) != 3 or not (words[0].isdigit() and words[2].isdigit()):
        return None
    month = _MONTHS.get(words[1].lower())
    return f"{int(words[2]):04d}-{month:02d}-{int(words[0]):02d}" if month else None


def _field_elements(block: Any) -> dict[str, Any]:
    """The first element of the block for each field, by its class tokens."""
    found: dict[str, Any] = {}
    for element in block.iter("a", "div", "span"):
        classes = element.get("class")
        if not classes:
            continue
        tokens = classes.split()
        for token in tokens:
            name = _FIELD_CLASSES.get(token)
            if name is None or name in found:
                continue
            if name == "text" and "show-more__control" not in tokens:
                continue
            if name == "headline" and element.tag != "a":
                continue
            found[name] = element
    return found


def _text(element: Any) -> str:
    """The element's text content, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def legacy_reviews(root: Any, url: str, scraped_at: str) -> list[dict[str, Any]] | None:
    """Every review of a legacy page or fragment; None if it has no review block."""
    blocks = _BLOCKS(root)
    if not blocks:
        return None
    title_id = next((m.group(1) for ref in _TITLE_REFS(root) if (m := _TITLE_ID.search(ref))), None)
    movie_title = " ".join(_MOVIE_TITLE(root).split()) or None
    year = _YEAR.search(_MOVIE_YEAR(root))
    movie_year = int(year.group(1)) if year else None
    records = []
    for block in blocks:
        found = _field_elements(block)
        review_id = block.get("data-review-id")
        vote = _TITLE_ID.search(block.get("data-vote-url") or "")
        rating = found.get("rating")
        scores = [
            (span.text or "").strip()
            for span in (rating.iterchildren("span") if rating is not None else ())
            if "point-scale" not in (span.get("class") or "")
        ]
        author = found.get("author")
        author_link = next(author.iter("a"), None) if author is not None else None
        author_id = (
            _USER_ID.search(author_link.get("href", "")) if author_link is not None else None
        )
        date = found.get("date")
        body = found.get("text")
        actions = found.get("actions")
        helpful = _HELPFUL.search(_text(actions)) if actions is not None else None
        records.append(
            {
                "review_id": review_id,
                "title_id": vote.group(1) if vote else title_id,
                "movie_title": movie_title,
                "movie_year": movie_year,
                "rating": int(scores[0]) if scores and scores[0].isdigit() else None,
                "headline": _text(found.get("headline")),
                "author": _text(author_link) or None,
                "author_id": author_id.group(1) if author_id else None,
                "date": _iso_date(_text(date)),
                "spoiler": "spoiler" in found,
                "text": body_text(body) if body is not None else None,
                "helpful_yes": _count(helpful.group(1)) if helpful else None,
                "helpful_total": _count(helpful.group(2)) if helpful else None,
                "permalink": f"https://www.imdb.com/review/{review_id}/",
                "source_url": url,
                "scraped_at": scraped_at,
            }
        )
    return records


#: One per layout: the page's records, or None when the page is not of that layout.
Extractor = Callable[[Any, str, str], list[dict[str, Any]] | None]
EXTRACTORS: list[Extractor] = [legacy_reviews]


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
            for extract in EXTRACTORS:
                records = extract(root, url, scraped_at)
                if records is not None:
                    for record in records:
                        out.write(json.dumps(record, ensure_ascii=False))
                        out.write("\n")
                    reviews += len(records)
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
