"""The title a page names only in its header links.

A ``<section>`` copied out of the current site's DOM has no canonical link, no
og:url and no JSON; its one mention of the title may be the header above the
reviews: the poster link and the "Name (Year)" back link, both to
``/title/ttN/`` with a ``?ref_=`` query. Those links name the title only when
every link to a title's page outside the reviews names the same one: links to
two titles give no title at all (never a guess).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.etree import _Element

from reviewcrawler.loaders import inline_text

#: A title's own page, any query or fragment: ``/title/tt0396184/?ref_=tturv_ov_back``.
TITLE_PAGE = re.compile(r"/title/(tt\d+)/?")
#: The back link's text: "Pusher II (2004)", "Some Series (TV Series 2004-2010)".
NAME_AND_YEAR = re.compile(r"^(?P<name>.*\S)\s*\((?P<year>[^()]*\b\d{4}\b[^()]*)\)$")


@dataclass(frozen=True, slots=True)
class HeaderTitle:
    #: Every title the links name, in page order; one, or they disagree.
    title_ids: tuple[str, ...]
    #: From the first of the links whose text has the "Name (Year)" shape.
    movie_title: str | None = None
    movie_year: str | None = None

    @property
    def title_id(self) -> str | None:
        return self.title_ids[0] if len(self.title_ids) == 1 else None


def header_title(links: Iterable[_Element]) -> HeaderTitle:
    """What `links` (the page's ``<a>`` elements outside its reviews) say about its title."""
    title_ids: dict[str, None] = {}
    name = year = None
    for anchor in links:
        title_id = title_of(anchor.get("href") or "")
        if title_id is None:
            continue
        title_ids[title_id] = None
        shape = NAME_AND_YEAR.match(inline_text(anchor) or "")
        if shape and name is None:
            name, year = shape.group("name"), shape.group("year")
    return HeaderTitle(tuple(title_ids), name, year)


def title_of(href: str) -> str | None:
    """The title id of a link to a title's own page (relative or absolute), else ``None``."""
    match = TITLE_PAGE.fullmatch(urlsplit(href.strip()).path)
    return match.group(1) if match else None
