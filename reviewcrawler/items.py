"""The records the crawl produces.

`Review` is the public record, documented field by field in docs/archive.md; its
field order is the order of every JSON line written. `RejectedReview` carries a
block that could not become a valid `Review`, with the reasons, so that it can
be kept aside and counted rather than dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from scrapy.exceptions import DropItem


@dataclass(slots=True)
class Review:
    review_id: str | None = None
    title_id: str | None = None
    movie_title: str | None = None
    movie_year: int | None = None
    rating: int | None = None
    headline: str | None = None
    author: str | None = None
    author_id: str | None = None
    date: str | None = None
    spoiler: bool = False
    text: str | None = None
    helpful_yes: int | None = None
    helpful_total: int | None = None
    permalink: str | None = None
    source_url: str | None = None
    scraped_at: str | None = None


REVIEW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Review))
#: Facts about one run, not about the review.
PER_RUN_FIELDS: tuple[str, ...] = ("source_url", "scraped_at")
#: What a golden fixture (``fixtures/<layout>/<case>.jsonl``) holds, in record order.
GOLDEN_FIELDS: tuple[str, ...] = tuple(f for f in REVIEW_FIELDS if f not in PER_RUN_FIELDS)


def as_record(review: Review) -> dict[str, Any]:
    """The review as a plain dict in field order.

    Field values are immutable, so a shallow copy will do; `dataclasses.asdict`
    deep-copies every value, a measurable cost per review.
    """
    return {name: getattr(review, name) for name in REVIEW_FIELDS}


class Problem(str):
    """One reason a review is rejected: its one-line text, which is what reject
    files and log lines show, and `code`, its fixed name for the stats
    (``reviewcrawler/rejected/<code>``) whatever the details of the text."""

    code: str

    def __new__(cls, code: str, text: str) -> Problem:
        problem = super().__new__(cls, text)
        problem.code = code
        return problem

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        # Pickled (to and from a parsing worker) as it is made: code, then text.
        return (self.code, str(self))


def problem_code(reason: str) -> str:
    """The stats name of `reason` (a `Problem`'s code; ``other`` for plain text)."""
    return reason.code if isinstance(reason, Problem) else "other"


@dataclass(slots=True)
class RejectedReview:
    """A review block that failed extraction or validation."""

    record: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    source_url: str | None = None


class InvalidReview(DropItem):
    """Dropped for failing validation; `rejected` holds the record and reasons."""

    def __init__(self, rejected: RejectedReview) -> None:
        review_id = rejected.record.get("review_id") or "(no id)"
        super().__init__(
            f"invalid review {review_id} in {rejected.source_url}: {'; '.join(rejected.reasons)}",
            log_level="WARNING",
        )
        self.rejected = rejected
