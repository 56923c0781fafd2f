"""How far the crawl of each title got, as stats a scheduler can read."""

from __future__ import annotations

from dataclasses import dataclass

STATS_PREFIX = "reviewcrawler/title"
INCOMPLETE_KEY = "reviewcrawler/titles_incomplete"
#: Signal sent with ``progress=`` when a title's chain of pages ends, complete or
#: not: in cluster mode the worker that read its last page reports its outcome.
TITLE_ENDED = object()


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
    #: Cluster mode: the round the title was enqueued in (`reviewcrawler.cluster.state`).
    cluster_round: int | None = None

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
