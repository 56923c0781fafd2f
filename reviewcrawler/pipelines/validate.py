"""Reject reviews that are not well-formed, with every reason, never silently."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from reviewcrawler.ids import REVIEW, TITLE, USER, shown
from reviewcrawler.items import (
    InvalidReview,
    Problem,
    RejectedReview,
    Review,
    as_record,
    problem_code,
)
from reviewcrawler.loaders import PERMALINK_BASE

logger = logging.getLogger(__name__)

_IDS = {"review_id": REVIEW, "title_id": TITLE, "author_id": USER}
STATS_PREFIX = "reviewcrawler/rejected"
#: Never guessed: a page that does not name its title (a fragment copied out of
#: the page) needs the user to name it.
MISSING_TITLE_ID = Problem(
    "missing_title_id", "missing title_id: the page does not name its title; pass -a title=ttNNN"
)


def review_problems(review: Review, today: date | None = None) -> list[str]:
    """Every reason `review` is not a valid record (empty when it is)."""
    problems: list[str] = []
    for name, rule in _IDS.items():
        value = getattr(review, name)
        if value is None:
            problems.append(MISSING_TITLE_ID if name == "title_id" else _missing(name))
        elif not rule.valid(value):
            problems.append(
                Problem(f"malformed_{name}", f"malformed {name}: {shown(value)} (not {rule.rule})")
            )
    if review.rating is not None and not (
        isinstance(review.rating, int) and 1 <= review.rating <= 10
    ):
        problems.append(
            Problem("rating_out_of_range", f"rating out of range 1-10: {review.rating!r}")
        )
    problems.extend(_date_problems(review.date, today))
    for name in ("headline", "text", "author"):
        if not getattr(review, name):
            problems.append(_missing(name))
    problems.extend(_helpful_problems(review.helpful_yes, review.helpful_total))
    if not _on_imdb(review.permalink or ""):
        problems.append(
            Problem("permalink_off_site", f"permalink not on imdb.com: {review.permalink!r}")
        )
    return problems


def _on_imdb(url: str) -> bool:
    # Every permalink the loader builds starts so; only others need parsing.
    if url.startswith(PERMALINK_BASE):
        return True
    host = urlsplit(url).hostname or ""
    return host == "imdb.com" or host.endswith(".imdb.com")


def _missing(name: str) -> Problem:
    return Problem(f"missing_{name}", f"missing {name}")


def _date_problems(value: str | None, today: date | None) -> list[str]:
    if value is None:
        return [_missing("date")]
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return [Problem("not_a_date", f"not a date: {value!r}")]
    # A day's grace: IMDb dates reviews in US time, we may run ahead of it.
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    return [Problem("date_in_future", f"date in the future: {value}")] if day > latest else []


def _helpful_problems(yes: int | None, total: int | None) -> list[str]:
    if yes is None and total is None:
        return []
    if yes is None or total is None:
        return [
            Problem("helpful_votes_half", "helpful votes: only one of helpful_yes/helpful_total")
        ]
    if yes < 0 or total < 0:
        return [Problem("helpful_votes_negative", f"helpful votes negative: {yes}/{total}")]
    if yes > total:
        return [Problem("helpful_yes_over_total", f"helpful_yes {yes} > helpful_total {total}")]
    return []


class ValidateReviewsPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RejectedReview):
            rejected = item
        elif isinstance(item, Review):
            reasons = review_problems(item)
            if not reasons:
                return item
            rejected = RejectedReview(
                record=as_record(item), reasons=reasons, source_url=item.source_url
            )
        else:
            return item
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(STATS_PREFIX)
        for reason in rejected.reasons:
            stats.inc_value(f"{STATS_PREFIX}/{problem_code(reason)}")
        raise InvalidReview(rejected)
