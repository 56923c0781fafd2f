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

* legacy: one walk over each ``div.imdb-user-review`` block.
* current: one walk over each ``article.user-review-item`` card, plus one
  ``json.loads`` of ``__NEXT_DATA__`` per page, because the crawl takes date,
  spoiler flag and helpful votes from there (and a collapsed spoiler's body).
  What the crawl does and the floor does not: read a page with no cards from its
  JSON alone, take ``-a title=`` for a fragment that names no title (the floor
  writes ``title_id`` null), note card/JSON disagreements, and keep rejected
  cards (no body, cut off before the footer) aside: the floor just skips them.

Longer than most modules on purpose: one self-contained script, importing nothing
from the project, so that the floor cannot borrow the crawler's speed-ups.
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

import lxml.html
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


def _card_date(value: str) -> str | None:
    """``"Oct 9, 2011"`` → ``"2011-10-09"`` (a card's own date, when the JSON has none)."""
    words = value.replace(",", " ").split()
    if len(words) != 3 or not (words[1].isdigit() and words[2].isdigit()):
        return _iso_date(value)
    month = _MONTH_PREFIXES.get(words[0][:3].lower())
    return f"{int(words[2]):04d}-{month:02d}-{int(words[1]):02d}" if month else None


_MONTH_PREFIXES = {name[:3]: number for name, number in _MONTHS.items()}


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


# Current layout (2024+): cards in the HTML, the same reviews as JSON in __NEXT_DATA__.
_CARDS = _xpath(
    f"//article[{_has_class('user-review-item')}]"
    "[not(ancestor::section[@data-testid='UserReviews'])]"
)
_NEXT_DATA = _xpath("string(//script[@id='__NEXT_DATA__'])")
_CURRENT_TITLE_REFS = _xpath(
    "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"
    " | //comment()[starts-with(normalize-space(), 'saved from url=')]"
)
_SUBTITLE = _xpath("string(//h2[@data-testid='subtitle'])")
_PAGE_TITLE = _xpath("string(//title)")
_PAGE_TITLE_NAME = re.compile(r"^\s*(.+?)\s+\([^()]*\)\s+-\s+User reviews")
_PAGE_TITLE_YEAR = re.compile(r"\(([^()]*)\)\s+-\s+User reviews")
_REVIEW_ID = re.compile(r"/review/(rw\d+)")
_TITLE_OF_REVIEW = re.compile(r"/title/(tt\d+)/review/rw\d+")
_SHORT_COUNT = re.compile(r"^(\d[\d,]*(?:\.\d+)?)\s*([KkMm]?)$")
#: What marks a card as a spoiler (content, collapsed button, signpost).
_SPOILER_TESTID = "review-spoiler-content"
_SPOILER_CLASS = "review-spoiler-button"


def _short_count(value: str | None) -> int | None:
    """``"1,024"`` → 1024, ``"1.2K"`` → 1200 (how a browser shows votes)."""
    match = _SHORT_COUNT.match((value or "").strip())
    if not match:
        return None
    number, suffix = match.group(1).replace(",", ""), match.group(2).lower()
    if not suffix:
        return int(number.split(".")[0])
    return round(float(number) * {"k": 1_000, "m": 1_000_000}[suffix])


def _inline(element: Any) -> str | None:
    """One line of text, icons and buttons left out."""
    return " ".join(body_text(element).split()) or None if element is not None else None


def _card_fields(card: Any) -> dict[str, Any]:
    """One walk over a card: the first element of each field, by testid and class."""
    found: dict[str, Any] = {"hrefs": []}
    for element in card.iter("a", "div", "span", "li", "button", "section"):
        testid = element.get("data-testid")
        classes = element.get("class") or ""
        if element.tag == "a":
            href = element.get("href") or ""
            if testid == "permalink-link":
                found.setdefault("permalink", href)
            elif testid == "author-link":
                found.setdefault("author", element)
            if "/review/rw" in href:
                found["hrefs"].append(href)
        if testid == "review-summary":
            found.setdefault("headline", element)
        elif testid == _SPOILER_TESTID or (
            element.tag == "button" and _SPOILER_CLASS in classes.split()
        ):
            found["spoiler"] = True
        if not classes:
            continue
        tokens = classes.split()
        if "ipc-rating-star--rating" in tokens:
            found.setdefault("rating", element.text)
        elif "ipc-html-content-inner-div" in tokens:
            found.setdefault("body", element)
        elif "review-date" in tokens:
            found.setdefault("date", element)
        elif "ipc-voting__label__count--up" in tokens:
            found.setdefault("up", element.text)
        elif "ipc-voting__label__count--down" in tokens:
            found.setdefault("down", element.text)
        elif "ipc-signpost__text" in tokens and _text(element) == "Spoiler":
            found["spoiler"] = True
    return found


def _next_data_reviews(content: Any) -> dict[str, dict[str, Any]]:
    """Reviews of ``__NEXT_DATA__`` by id, from either shape (2026 first, then 2024-25)."""
    found: dict[str, dict[str, Any]] = {}
    for entry in content.get("reviews") or ():
        review = entry.get("review") or {}
        review_id = review.get("reviewId")
        if isinstance(review_id, str) and review_id not in found:
            author = review.get("author") or {}
            votes = review.get("helpfulnessVotes") or {}
            found[review_id] = {
                "rating": review.get("authorRating"),
                "headline": review.get("reviewSummary"),
                "author": (author.get("username") or {}).get("text", author.get("nickName")),
                "author_id": author.get("userId"),
                "date": review.get("submissionDate"),
                "spoiler": review.get("spoiler"),
                "text": review.get("reviewText"),
                "up": votes.get("upVotes"),
                "down": votes.get("downVotes"),
            }
    edges = (((content.get("data") or {}).get("title") or {}).get("reviews") or {}).get("edges")
    for edge in edges or ():
        node = edge.get("node") or {}
        review_id = node.get("id")
        if isinstance(review_id, str) and review_id not in found:
            author = node.get("author") or {}
            votes = node.get("helpfulness") or {}
            found[review_id] = {
                "rating": node.get("authorRating"),
                "headline": (node.get("summary") or {}).get("originalText"),
                "author": (author.get("username") or {}).get("text", author.get("nickName")),
                "author_id": author.get("userId"),
                "date": node.get("submissionDate"),
                "spoiler": node.get("spoiler"),
                "text": ((node.get("text") or {}).get("originalText") or {}).get("plaidHtml"),
                "up": votes.get("upVotes"),
                "down": votes.get("downVotes"),
            }
    return found


def _html_text(markup: str) -> str | None:
    """Review HTML held as a string (the JSON's) as plain text."""
    return body_text(lxml.html.fragment_fromstring(markup, create_parent="div")) or None


def _json_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def current_reviews(root: Any, url: str, scraped_at: str) -> list[dict[str, Any]] | None:
    """Every review card of a current page; None if it has no card.

    Cards name the reviews and give rating, headline, author and body; the
    JSON gives date, spoiler flag and votes, and fills what a card lacks (the
    body of a collapsed spoiler). Not done, unlike the crawl: a page without
    cards is not read from its JSON alone; no ``-a title=`` hint (a fragment
    naming no title gets ``title_id`` null); card/JSON disagreements are not
    noted. Cards without a body or cut off before their footer are skipped, as
    the crawl rejects them.
    """
    cards = _CARDS(root)
    if not cards:
        return None
    try:
        data = json.loads(_NEXT_DATA(root) or "{}")
        content = data["props"]["pageProps"]["contentData"]
    except (ValueError, KeyError, TypeError):
        data, content = {}, {}
    stored = _next_data_reviews(content) if isinstance(content, dict) else {}
    meta = content.get("entityMetadata") or {}
    title = (content.get("data") or {}).get("title") or {}
    title_id = next(
        (m.group(1) for ref in _CURRENT_TITLE_REFS(root) if (m := _TITLE_ID.search(str(ref)))),
        None,
    )
    if title_id is None:
        title_id = next(
            (
                value
                for value in (
                    meta.get("id"),
                    title.get("id"),
                    (data.get("query") or {}).get("tconst"),
                )
                if isinstance(value, str) and value.startswith("tt")
            ),
            None,
        )
    page_title = _PAGE_TITLE(root)
    movie_title = " ".join(_SUBTITLE(root).split()) or None
    if movie_title is None:
        name = (meta.get("titleText") or title.get("titleText") or {}).get("text")
        match = _PAGE_TITLE_NAME.search(page_title)
        movie_title = name if isinstance(name, str) else match.group(1) if match else None
    year = (meta.get("releaseYear") or title.get("releaseYear") or {}).get("year")
    if _json_int(year) is None:
        match = _YEAR.search(m.group(1)) if (m := _PAGE_TITLE_YEAR.search(page_title)) else None
        year = int(match.group(1)) if match else None
    records = []
    for card in cards:
        found = _card_fields(card)
        review_id = next(
            (m.group(1) for href in found["hrefs"] if (m := _REVIEW_ID.search(href))), None
        )
        if review_id is None:
            continue
        json_review = stored.get(review_id, {})
        body = found.get("body")
        text = body_text(body) if body is not None else None
        if not text and isinstance(json_review.get("text"), str):
            text = _html_text(json_review["text"])
        author = found.get("author")
        footer = "permalink" in found or (author is not None and "date" in found)
        if not text or not footer:
            continue
        page_title_id = title_id or next(
            (m.group(1) for href in found["hrefs"] if (m := _TITLE_OF_REVIEW.search(href))), None
        )
        rating = (found.get("rating") or "").strip()
        author_id = _USER_ID.search(author.get("href", "")) if author is not None else None
        if isinstance(json_review.get("spoiler"), bool):
            spoiler = json_review["spoiler"]
        else:
            spoiler = bool(found.get("spoiler"))
        up, down = _json_int(json_review.get("up")), _json_int(json_review.get("down"))
        if up is None or down is None:
            up, down = _short_count(found.get("up")), _short_count(found.get("down"))
        date = json_review.get("date")
        if not isinstance(date, str):
            date = _card_date(_text(found.get("date")))
        records.append(
            {
                "review_id": review_id,
                "title_id": page_title_id,
                "movie_title": movie_title,
                "movie_year": year,
                "rating": int(rating) if rating.isdigit() else _json_int(json_review.get("rating")),
                "headline": _inline(found.get("headline")) or json_review.get("headline"),
                "author": _inline(author) or json_review.get("author"),
                "author_id": author_id.group(1) if author_id else json_review.get("author_id"),
                "date": date,
                "spoiler": spoiler,
                "text": text,
                "helpful_yes": up if down is not None else None,
                "helpful_total": up + down if up is not None and down is not None else None,
                "permalink": f"https://www.imdb.com/review/{review_id}/",
                "source_url": url,
                "scraped_at": scraped_at,
            }
        )
    return records


#: One per layout: the page's records, or None when the page is not of that layout.
Extractor = Callable[[Any, str, str], list[dict[str, Any]] | None]
EXTRACTORS: list[Extractor] = [legacy_reviews, current_reviews]


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
