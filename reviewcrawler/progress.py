"""How far the crawl of each title got, as stats a scheduler can read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewcrawler.outcome import INCOMPLETE_BECAUSE, TITLE_PREFIX

STATS_PREFIX = "reviewcrawler/title"
INCOMPLETE_KEY = "reviewcrawler/titles_incomplete"


def incomplete_because_key(title_id: str) -> str:
    """The stat holding why `title_id` is incomplete: the reason on its summary line."""
    return f"{TITLE_PREFIX}{title_id}{INCOMPLETE_BECAUSE}"


@dataclass(slots=True)
class TitleProgress:
    title_id: str
    #: The start URL's ``host[:port]``: the only place its pages are fetched
    #: from, besides the configured GraphQL endpoint (`reviewcrawler.urls.refusal`).
    netloc: str
    pages: int = 0
    reviews: int = 0
    #: The last page (one announcing no next page) was read.
    complete: bool = False
    #: Why the title stopped before its last page, once it has.
    shortfall: str | None = None
    #: Shown on the first page only; carried to the fragments that follow it.
    movie_title: str | None = None
    movie_year: int | None = None
    #: Review ids its pages brought in this run.
    seen: set[str] = field(default_factory=set, repr=False)

    def saw(self, review_ids: Iterable[str | None]) -> bool:
        """Note a page's review ids; whether any was new to this run."""
        before = len(self.seen)
        self.seen.update(review_id for review_id in review_ids if review_id)
        return len(self.seen) > before

    def stop_short(self, reason: str) -> None:
        self.shortfall = self.shortfall or reason

    def stats(self) -> dict[str, int]:
        prefix = f"{STATS_PREFIX}/{self.title_id}"
        return {
            f"{prefix}/pages": self.pages,
            f"{prefix}/reviews": self.reviews,
            f"{prefix}/complete": int(self.complete),
        }

    def summary(self) -> str:
        counts = f"{self.pages} page(s), {self.reviews} review(s)"
        if self.complete:
            return f"{self.title_id}: complete, {counts}"
        why = self.shortfall or "no further page was fetched"
        return f"{self.title_id}: INCOMPLETE after {counts}: {why}"
