"""What every layout parser hands back to the spider.

A parser turns one page (a `parsel.Selector` plus the URL it came from) into a
`ParsedPage`. It needs no engine, settings or I/O, so it can be tested on bytes
and a new IMDb layout is one more module beside the existing ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from parsel import Selector

from reviewcrawler.items import RejectedReview, Review, as_record


@dataclass(frozen=True, slots=True)
class PageNote:
    """Something about a page worth one log line and a count, but not an error.

    `kind` names the stats counter (``reviewcrawler/notes/<kind>``); `message`
    is the log line.
    """

    kind: str
    message: str


@dataclass(slots=True)
class ParsedPage:
    layout: str
    reviews: list[Review] = field(default_factory=list)
    rejected: list[RejectedReview] = field(default_factory=list)
    #: Review count the page itself announces ("44 Reviews"), if any.
    declared_total: int | None = None
    #: Review containers found, whether or not they could be read.
    blocks_found: int = 0
    #: Of those, the ones with too little left to be a review (no id, cut off).
    blocks_unreadable: int = 0
    title_id: str | None = None
    #: The title as the page shows it, else as `PageContext` hinted.
    movie_title: str | None = None
    movie_year: int | None = None
    #: Absolute URL of the next page of this title's reviews, if any.
    next_page: str | None = None
    #: The page ends before its markup does (a cut-off download).
    truncated: bool = False
    #: Things the spider logs and counts: sources that disagree, data left aside.
    notes: list[PageNote] = field(default_factory=list)

    def add(self, review: Review, problems: list[str]) -> None:
        """Keep `review`, or set it aside with the `problems` that make it untrustworthy."""
        if problems:
            record = as_record(review)
            self.rejected.append(RejectedReview(record, problems, review.source_url))
        else:
            self.reviews.append(review)

    @property
    def drifted(self) -> bool:
        """The page promises reviews but no review block could be located or read."""
        if self.truncated or not self.declared_total:
            return False
        return self.blocks_found == 0 or self.blocks_unreadable >= self.blocks_found


class Pager(Protocol):
    """Where the page after a cursor is asked for (`reviewcrawler.parsers.graphql`)."""

    def page_url(self, title_id: str, after: str | None) -> str:
        """The URL of `title_id`'s reviews after the opaque cursor `after` (from
        the start when ``None``)."""
        ...


@dataclass(frozen=True, slots=True)
class PageContext:
    """Facts about the fetch that the markup itself does not hold."""

    url: str
    scraped_at: str
    #: Title id supplied by the user for pages that do not name their title.
    title_id: str | None = None
    #: Title and year read from an earlier page of the same title: pagination
    #: fragments do not show them.
    movie_title: str | None = None
    movie_year: int | None = None
    #: The body ends before its markup does (a cut-off download).
    truncated: bool = False
    #: How the crawl asks for a current-layout title's further pages (IMDb's
    #: GraphQL endpoint). ``None`` (saved pages): a parser names no next page
    #: that only a cursor leads to.
    pager: Pager | None = None


class PageParser(Protocol):
    layout: ClassVar[str]

    @staticmethod
    def matches(page: Selector) -> bool:
        """Does this page carry this layout's markers?"""
        ...

    @staticmethod
    def parse(page: Selector, context: PageContext) -> ParsedPage: ...
