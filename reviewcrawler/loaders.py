"""Item loaders: every cleaning rule for a review field lives here.

Parsers only say *where* a value is; the processors below say what it becomes.
Every field has explicit ``_in``/``_out`` processors on the loader class, so the
loader never falls back to reading dataclass field metadata per value (a
measurable cost per review).

Missing values stay ``None`` (``MapCompose`` drops a ``None`` and the field keeps
its dataclass default), so an unrated review is written with ``"rating": null``.

Longer than most modules on purpose: every cleaning rule of the record is here,
so that both layouts, their JSON and the GraphQL answers clean a value the same way.
"""

from __future__ import annotations

import functools
import locale
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from re import Pattern
from typing import Any, cast

from itemloaders import ItemLoader
from itemloaders.processors import Compose, Identity, MapCompose, TakeFirst
from itemloaders.utils import arg_to_iter
from lxml.etree import HTMLParser, XPath, _Element, fromstring
from parsel import Selector

from reviewcrawler.ids import REVIEW, TITLE, USER, IdRule
from reviewcrawler.items import REVIEW_FIELDS, Review

#: What HTML calls whitespace, and all a browser collapses: U+00A0 and the other
#: Unicode spaces are text (``str.split()`` and ``\s`` would eat them).
HTML_WHITESPACE = " \t\n\r\f"
#: The HTML whitespace characters that are not a space, and runs of spaces once
#: those are spaces too.
_NOT_SPACES = HTML_WHITESPACE.replace(" ", "")
_SPACES = re.compile(" {2,}")
#: C1 control characters (U+0080-U+009F) in IMDb's stored reviews are punctuation
#: an old Windows-1252 page sent as bytes (U+0085 "…", U+0097 "—", U+0092 right quote):
#: decoded with the stdlib codec; its five undefined code points are dropped.
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252", errors="ignore") for code in range(0x80, 0xA0)
}
#: `str.translate` looks every character up; a search finds the rare text that needs it.
_C1 = re.compile("[\x80-\x9f]")
#: A whole count with any thousands separator IMDb's locales use ("1,234",
#: "1.234", "1 234"), or an abbreviation with a decimal point ("1.2K").
_COUNT = re.compile(r"^(\d(?:[\d,.\s\u00a0\u202f]*\d)?)\s*([KkMm]?)$")
_SEPARATORS = re.compile(r"[,.\s\u00a0\u202f]")
#: The date shapes IMDb writes, tried in order on the date's words joined by spaces
#: ("Aug 24, 2013" is read as "Aug 24 2013"): ISO 8601 (the JSON), "8 February 2009"
#: (legacy pages), "Aug 24, 2013" (current cards), each with full or short month names.
#: %B and %b are English: Python never calls setlocale() for LC_TIME, so strptime sees
#: the C locale, and `_c_time_locale` keeps it there if a host program set another.
_DATE_FORMATS = ("%Y %m %d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")
_DATE_WORDS = re.compile(r"[A-Za-z]+|[0-9]+")
#: "Sept", the one short month name the C locale's %b does not know.
_SEPT = re.compile(r"\bsept\b", re.IGNORECASE)
# Tags whose content is page chrome, never review text.
_SKIPPED_TAGS = frozenset({"script", "style", "button", "svg", "template"})
_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "li", "ul", "ol"})


def clean_line(value: str) -> str | None:
    """One line of text as a browser renders it (`html_text`); empty becomes ``None``."""
    return html_text(value) or None


def html_text(value: str) -> str:
    """The text rule: C1 controls decoded as Windows-1252, then each run of HTML
    whitespace collapsed to one space and the ends stripped of it."""
    return collapse_whitespace(decode_c1(value))


def decode_c1(value: str) -> str:
    """C1 controls as the Windows-1252 punctuation they stand for."""
    return value.translate(_C1_AS_CP1252) if _C1.search(value) else value


def collapse_whitespace(value: str) -> str:
    # `str.replace` scans in C, several times faster than a regex of character
    # classes over a whole review; most texts hold no tab, CR or form feed at all.
    for char in _NOT_SPACES:
        if char in value:
            value = value.replace(char, " ")
    if "  " in value:
        value = _SPACES.sub(" ", value)
    return value.strip(" ")


def id_matcher(rule: IdRule) -> re.Pattern[str]:
    """Finds an id leniently: validation, not extraction, judges it (`reviewcrawler.ids`)."""
    return re.compile(rf"\b({rule.found})")


class CleanEach(MapCompose):
    """`MapCompose` of functions that take no loader context.

    `MapCompose` wraps each of its functions for a loader context on every call
    (a lookup and a list per value loaded); these never take one, so the call is
    just the map, with the same results and the same error for a failing function.
    """

    def __call__(self, value: Any, loader_context: Any = None) -> Iterable[Any]:
        values = arg_to_iter(value)
        for function in self.functions:
            mapped: list[Any] = []
            for each in values:
                try:
                    mapped += arg_to_iter(function(each))
                except Exception as error:
                    raise ValueError(
                        f"Error in MapCompose with {function!s} value={value!r} "
                        f"error='{type(error).__name__}: {error!s}'"
                    ) from error
            values = mapped
        return values


def extract_id(pattern: re.Pattern[str]) -> CleanEach:
    def first_match(value: str) -> str | None:
        match = pattern.search(value)
        return match.group(1) if match else None

    return CleanEach(first_match)


def parse_count(value: str) -> int | None:
    """``"1,234"``/``"1.234"`` → 1234; ``"1.2K"`` → 1200 (IMDb rounds such counts)."""
    match = _COUNT.match(value.strip())
    if not match:
        return None
    number, suffix = match.groups()
    if not suffix:
        return int(_SEPARATORS.sub("", number))
    scale = 1_000 if suffix in "Kk" else 1_000_000
    try:
        return round(float(number.replace(",", ".")) * scale)
    except ValueError:  # "1.2.3K"
        return None


@dataclass(frozen=True, slots=True)
class VoteCounts:
    """Helpful votes as the current layout keeps them: an up and a down count.

    Either count may be the text a page shows (``"1,024"``, ``"1.2K"``, ``"0"``)
    or an exact number from the page's JSON. The record keeps ``helpful_yes`` =
    up and ``helpful_total`` = up + down, and neither unless both counts read.
    """

    up: str | int | None
    down: str | int | None

    def counts(self) -> tuple[int, int] | None:
        up, down = _count_of(self.up), _count_of(self.down)
        return None if up is None or down is None else (up, down)


def _count_of(value: str | int | None) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    return value if isinstance(value, int) else parse_count(value)


def helpful_yes(value: str | int | VoteCounts) -> int | None:
    """``"54"`` (legacy "54 out of 62") or the up count of `VoteCounts`."""
    if isinstance(value, VoteCounts):
        counts = value.counts()
        return counts[0] if counts else None
    return _count_of(value)


def helpful_total(value: str | int | VoteCounts) -> int | None:
    """``"62"`` (legacy "54 out of 62") or up + down of `VoteCounts`."""
    if isinstance(value, VoteCounts):
        counts = value.counts()
        return sum(counts) if counts else None
    return _count_of(value)


def parse_rating(value: str) -> int | None:
    value = value.strip().split("/")[0].strip()
    # ASCII only: `str.isdigit` takes "²", which `int` then refuses.
    return int(value) if value.isascii() and value.isdigit() else None


@functools.lru_cache(maxsize=4096)  # dates repeat: strptime runs once per distinct text
def parse_date(value: str) -> str | None:
    """``"8 February 2009"``, ``"Aug 24, 2013"`` or ISO → ``"2009-02-08"``."""
    words = _DATE_WORDS.findall(_SEPT.sub("Sep", value))
    if words and len(words[0]) == 4 and words[0].isdigit():
        words = words[:3]  # ISO 8601: the date, not a time after it
    text = " ".join(words)
    with _c_time_locale():
        for date_format in _DATE_FORMATS:
            try:
                return datetime.strptime(text, date_format).date().isoformat()
            except ValueError:
                continue
    return None


@contextmanager
def _c_time_locale() -> Iterator[None]:
    """Month names in English even if the host program chose another LC_TIME.

    strptime follows LC_TIME. Python leaves it at "C", so this costs one query; a
    program (or library) that called setlocale() gets "C" back for the parse only.
    """
    current = locale.setlocale(locale.LC_TIME)
    if current in ("C", "POSIX"):
        yield
        return
    locale.setlocale(locale.LC_TIME, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_TIME, current)


def parse_year(value: str) -> int | None:
    match = re.search(r"\b(1[89][0-9][0-9]|2[0-9][0-9][0-9])\b", value)
    return int(match.group(1)) if match else None


def body_text(node: Selector | _Element | str) -> str | None:
    """Render a review body as plain text.

    ``<br>`` is a line break, two of them (or a block element) a paragraph
    break; otherwise the text rule of `html_text` applies. Entities arrive
    decoded from the parser.
    """
    if isinstance(node, str):
        return clean_line(node)
    root = node.root if isinstance(node, Selector) else node
    if not isinstance(root, _Element):
        return clean_line(str(root))
    parts: list[str] = []
    _render(root, parts)
    lines: list[str] = []
    for raw_line in decode_c1("".join(parts)).split(_BREAK):
        line = collapse_whitespace(raw_line)
        if line or (lines and lines[-1]):  # at most one blank line in a row
            lines.append(line)
    return "\n".join(lines).strip("\n") or None


#: Marks a line break while rendering; XML text can never contain it.
_BREAK = "\x00"


def inline_text(node: Selector | _Element | str) -> str | None:
    """One line of text (a headline, a name): like `body_text`, breaks as spaces.

    Icons (``<svg>``), buttons and scripts inside the element are left out.
    """
    text = body_text(node)
    return clean_line(text) if text else None


def html_fragment(markup: str) -> _Element:
    """Review HTML kept as a string (the current layout's JSON) as a node for `body_text`.

    Parsed as `parsel.Selector(text=…)` parses it, without building a selector.
    """
    document = f"<div>{markup}</div>".strip().replace("\x00", "").encode("utf-8")
    parser = HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return cast("list[_Element]", _FRAGMENT_DIV(fromstring(document, parser=parser)))[0]


_FRAGMENT_DIV = XPath("/html/body/div")


def _render(element: _Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag == "br":
            parts.append(_BREAK)
        elif tag in _BLOCK_TAGS:
            parts.append(_BREAK * 2)
            _render(child, parts)
            parts.append(_BREAK * 2)
        elif tag is not None and tag not in _SKIPPED_TAGS:
            _render(child, parts)
        if child.tail:
            parts.append(child.tail)


#: Where a review's permalink lives: the one form records get, whatever the page wrote.
PERMALINK_BASE = "https://www.imdb.com/review/"


def permalink(review_id: str) -> str:
    return f"{PERMALINK_BASE}{review_id}/"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _to_permalink(value: str) -> str | None:
    match = _REVIEW_ID.search(value)
    return permalink(match.group(1)) if match else None


_REVIEW_ID = id_matcher(REVIEW)
TAKE_FIRST = TakeFirst()


class ReviewLoader(ItemLoader):
    """Turns raw strings and nodes from a parser into a `Review`."""

    default_item_class = Review
    default_input_processor = CleanEach(clean_line)
    default_output_processor = TAKE_FIRST

    review_id_in = extract_id(_REVIEW_ID)
    title_id_in = extract_id(id_matcher(TITLE))
    author_id_in = extract_id(id_matcher(USER))
    movie_title_in = CleanEach(inline_text)
    movie_year_in = CleanEach(str, parse_year)
    rating_in = CleanEach(str, parse_rating)
    headline_in = CleanEach(inline_text)
    author_in = CleanEach(inline_text)
    date_in = CleanEach(parse_date)
    spoiler_in = CleanEach(bool)
    text_in = CleanEach(body_text)
    helpful_yes_in = CleanEach(helpful_yes)
    helpful_total_in = CleanEach(helpful_total)
    permalink_in = CleanEach(_to_permalink)
    source_url_in = Identity()
    scraped_at_in = Identity()

    review_id_out = title_id_out = author_id_out = movie_title_out = TAKE_FIRST
    movie_year_out = rating_out = headline_out = author_out = date_out = TAKE_FIRST
    # Flagged if any source says so (the default False is among the values).
    spoiler_out = Compose(any)
    text_out = helpful_yes_out = helpful_total_out = TAKE_FIRST
    permalink_out = source_url_out = scraped_at_out = TAKE_FIRST

    def __init__(
        self,
        item: Any = None,
        selector: Any = None,
        parent: ItemLoader | None = None,
        stats: Any = None,
        **context: Any,
    ) -> None:
        if type(item) is not Review or selector is not None or parent or stats or context:
            super().__init__(item, selector, parent, stats, **context)
            return
        # A page's defaults as the initial item: the state itemloaders builds from
        # it (each field's value first among the values), read without an
        # `ItemAdapter` lookup per field. Its fields hold scalars, never lists.
        super().__init__()
        self._local_item = self.context["item"] = item
        self._local_values = {
            name: [] if (value := getattr(item, name)) is None else [value]
            for name in REVIEW_FIELDS
        }

    # itemloaders resolves a field's processor (getattr, unbound-method check)
    # for every value it loads; ours are fixed per class, so resolve them once.
    def get_input_processor(self, field_name: str) -> Callable[..., Any]:
        return _INPUT_PROCESSORS[field_name]

    def get_output_processor(self, field_name: str) -> Callable[..., Any]:
        return _OUTPUT_PROCESSORS[field_name]

    # The light path, for values already extracted (the parsers hand over strings
    # and nodes, never selectors): the field's own processors, called directly.
    # itemloaders would also look for extra processors, a regex and a loader
    # context per value; none of ours takes one. Any other call takes the full path.
    def add_value(
        self,
        field_name: str | None,
        value: Any,
        *processors: Callable[..., Any],
        re: str | Pattern[str] | None = None,
        **kw: Any,
    ) -> ReviewLoader:
        if processors or re or kw or field_name is None or self.parent is not None:
            return super().add_value(field_name, value, *processors, re=re, **kw)
        if value is None:
            return self
        processed = _INPUT_PROCESSORS[field_name](arg_to_iter(value))
        if processed:
            self._local_values.setdefault(field_name, []).extend(arg_to_iter(processed))
        return self

    def load_item(self) -> Any:
        if self.parent is not None:
            return super().load_item()
        item = self._local_item
        for field_name, collected in self._local_values.items():
            value = _OUTPUT_PROCESSORS[field_name](collected)
            if value is not None:
                setattr(item, field_name, value)
        return item


_INPUT_PROCESSORS: dict[str, Callable[..., Any]] = {
    name: getattr(ReviewLoader, f"{name}_in") for name in REVIEW_FIELDS
}
_OUTPUT_PROCESSORS: dict[str, Callable[..., Any]] = {
    name: getattr(ReviewLoader, f"{name}_out") for name in REVIEW_FIELDS
}
