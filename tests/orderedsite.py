"""A title with many reviews, served by `LocalSite` in either layout and either
order: IMDb's default (helpfulness) unless newest first is asked for.

Newest first means what each layout's own parameters ask for: the legacy page's
``sort=submissionDate&dir=desc&ratingFilter=0`` (its load-more keys carry on in
that order), the current page's ``sort=submission_date,desc`` and the GraphQL
query's ``{"by": "SUBMISSION_DATE", "order": "DESC"}``. A current-layout request
in the legacy parameters gets the default order, as IMDb's server would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from urllib.parse import quote

from tests import legacypages
from tests.localsite import JSON, LocalSite, Reply

TITLE_ID = legacypages.TITLE_ID
PAGE_SIZE = 25
OPERATION = "TitleReviewsRefine"
FIRST_DAY = date(2005, 1, 1)
NEWEST_GRAPHQL = "SUBMISSION_DATE"


@dataclass
class SiteReview:
    number: int
    day: date
    #: Higher is shown first in IMDb's default order.
    helpfulness: int
    text: str

    @property
    def review_id(self) -> str:
        return f"rw{1_000_000 + self.number}"


@dataclass
class OrderedTitle:
    """`count` reviews, one a day; the older, the more helpful (so the two orders
    are opposite, and a new review sits at the end of the default order)."""

    layout: str
    count: int = 300
    title_id: str = TITLE_ID
    reviews: list[SiteReview] = field(default_factory=list)
    #: The first review's number: titles served side by side need distinct review ids.
    first: int = 0

    def __post_init__(self) -> None:
        for index in range(self.count):
            self.reviews.append(
                SiteReview(
                    self.first + index, FIRST_DAY + timedelta(days=index), 10_000 - index, ""
                )
            )

    def add_newer(self, how_many: int, helpfulness: int = 50) -> list[str]:
        """Reviews newer than any, placed deep in the default order; their ids."""
        newest = max(review.day for review in self.reviews)
        added = []
        for offset in range(1, how_many + 1):
            number = self.first + len(self.reviews)
            self.reviews.append(
                SiteReview(number, newest + timedelta(days=offset), helpfulness - offset, "")
            )
            added.append(self.reviews[-1].review_id)
        return added

    def edit(self, number: int, text: str) -> str:
        review = self.reviews[number - self.first]
        review.text = text
        return review.review_id

    def in_order(self, newest: bool) -> list[SiteReview]:
        if newest:
            return sorted(self.reviews, key=lambda r: (r.day, r.number), reverse=True)
        return sorted(self.reviews, key=lambda r: (-r.helpfulness, r.number))

    def pages(self, newest: bool) -> list[list[SiteReview]]:
        ordered = self.in_order(newest)
        return [ordered[at : at + PAGE_SIZE] for at in range(0, len(ordered), PAGE_SIZE)]

    def serve(self, site: LocalSite) -> None:
        """(Re)serve every page of both orders as the title now stands."""
        for newest in (False, True):
            if self.layout == "legacy":
                self._serve_legacy(site, newest)
            else:
                self._serve_current(site, newest)

    def review_hits(self, site: LocalSite) -> int:
        """Review pages fetched so far (robots.txt aside)."""
        return sum(
            f"/title/{self.title_id}/reviews" in hit.path or "?graphql=" in hit.path
            for hit in site.hits
        )

    # Legacy: a page, then load-more fragments keyed per order --------------------------

    def _serve_legacy(self, site: LocalSite, newest: bool) -> None:
        pages = self.pages(newest)
        prefix = "n" if newest else "h"
        sort = "?sort=submissionDate&dir=desc&ratingFilter=0" if newest else ""
        for number, reviews in enumerate(pages, start=1):
            next_key = f"{prefix}{number + 1}" if number < len(pages) else None
            numbers = [review.number for review in reviews]
            if number == 1:
                target = f"/title/{self.title_id}/reviews{sort}"
                body = legacypages.first_page(
                    numbers, next_key, title_id=self.title_id, block=self._legacy_block
                )
            else:
                separator = "&" if sort else "?"
                target = (
                    f"/title/{self.title_id}/reviews/_ajax{sort}{separator}"
                    f"paginationKey={prefix}{number}"
                )
                body = legacypages.fragment(
                    numbers, next_key, title_id=self.title_id, block=self._legacy_block
                )
            site.serve(target, Reply(body))

    def _legacy_block(self, number: int) -> str:
        review = self.reviews[number - self.first]
        day = f"{review.day.day} {review.day.strftime('%B %Y')}"
        return legacypages.review_block(
            number, self.title_id, date=day, body=review.text or f"Body of review {number}."
        )

    # Current: a page with __NEXT_DATA__, then GraphQL answers by cursor -----------------

    def _serve_current(self, site: LocalSite, newest: bool) -> None:
        pages = self.pages(newest)
        prefix = "n" if newest else "h"
        cursors = [
            f"{prefix}{number + 1}" if number < len(pages) else None
            for number in range(1, len(pages) + 1)
        ]
        sort = "?sort=submission_date%2Cdesc" if newest else ""
        site.serve(
            f"/title/{self.title_id}/reviews{sort}",
            Reply(self._current_page(pages[0], cursors[0])),
        )
        by = NEWEST_GRAPHQL if newest else "HELPFULNESS_SCORE"
        # The query from its start (as asked when the page ignored the sort) …
        self._serve_answer(site, None, by, pages[0], cursors[0])
        # … and after each page's cursor.
        for number, reviews in enumerate(pages[1:], start=1):
            self._serve_answer(site, cursors[number - 1], by, reviews, cursors[number])

    def _serve_answer(
        self,
        site: LocalSite,
        after: str | None,
        by: str,
        reviews: list[SiteReview],
        cursor: str | None,
    ) -> None:
        variables = {"const": self.title_id, "sort": {"by": by, "order": "DESC"}}
        if after is not None:
            variables["after"] = after
        target = f"/?operationName={OPERATION}&variables={quote(json.dumps(variables))}"
        answer = {
            "data": {"title": {"id": self.title_id, "reviews": self._connection(reviews, cursor)}}
        }
        site.serve(target, Reply(json.dumps(answer), content_type=JSON))

    def _connection(self, reviews: list[SiteReview], cursor: str | None) -> dict[str, object]:
        return {
            "total": len(self.reviews),
            "pageInfo": {"endCursor": cursor, "hasNextPage": cursor is not None},
            "edges": [{"node": self._node(review)} for review in reviews],
        }

    def _node(self, review: SiteReview) -> dict[str, object]:
        return {
            "id": review.review_id,
            "author": {
                "username": {"text": f"Viewer {review.number}"},
                "userId": f"ur{500 + review.number}",
            },
            "summary": {"originalText": f"Review number {review.number}"},
            "text": {
                "originalText": {
                    "plaidHtml": escape(review.text or f"Body of review {review.number}.")
                }
            },
            "authorRating": review.number % 10 + 1,
            "submissionDate": review.day.isoformat(),
            "helpfulness": {"upVotes": review.number, "downVotes": 2},
            "spoiler": False,
        }

    def _current_page(self, reviews: list[SiteReview], cursor: str | None) -> str:
        data = {
            "props": {
                "pageProps": {
                    "contentData": {
                        "data": {
                            "title": {
                                "id": self.title_id,
                                "titleText": {"text": legacypages.MOVIE_TITLE},
                                "releaseYear": {"year": legacypages.MOVIE_YEAR},
                                # No total: without cards, a page announcing reviews is drift.
                                "reviews": {
                                    k: v
                                    for k, v in self._connection(reviews, cursor).items()
                                    if k != "total"
                                },
                            }
                        }
                    }
                }
            },
            "page": "/title/[tconst]/reviews",
            "query": {"tconst": self.title_id},
        }
        script = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{legacypages.MOVIE_TITLE} ({legacypages.MOVIE_YEAR}) - User reviews</title>"
            f'</head><body><script id="__NEXT_DATA__" type="application/json">{script}</script>'
            "</body></html>"
        )
