"""The JSON IMDb's current pages carry: ``__NEXT_DATA__`` and GraphQL answers.

Two shapes hold the same reviews: ``contentData.reviews[].review`` (2026
pages) and the GraphQL ``ReviewsConnection``, ``edges[].node`` (2024-25 pages'
``contentData.data.title.reviews``, and every ``TitleReviewsRefine`` answer).
Values stay raw here; `reviewcrawler.loaders` cleans them like any other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from parsel import Selector

from reviewcrawler.parsers.jsonvalues import as_list, dig

NEXT_DATA = "//script[@id='__NEXT_DATA__']"


@dataclass(frozen=True, slots=True)
class JsonReview:
    """One review as ``__NEXT_DATA__`` holds it, values still raw."""

    review_id: str
    rating: Any
    headline: Any
    author: Any
    author_id: Any
    date: Any
    spoiler: Any
    text: Any
    up: Any
    down: Any


@dataclass(slots=True)
class NextData:
    """What the reviews page's ``__NEXT_DATA__`` says, in either of its shapes."""

    title_ids: list[str]
    movie_titles: list[str]
    movie_years: list[int]
    total: int | None
    reviews: dict[str, JsonReview]
    #: Why the JSON could not be used, when it is there but unreadable.
    problem: str | None = None
    #: ``pageInfo.endCursor`` when ``hasNextPage``: where the next page starts.
    end_cursor: str | None = None


NO_NEXT_DATA = NextData([], [], [], None, {})


def read_next_data(page: Selector) -> NextData:
    """The reviews page's ``__NEXT_DATA__``, either shape; empty if absent."""
    raw = page.xpath(f"{NEXT_DATA}/text()").get()
    if raw is None:
        return NO_NEXT_DATA
    try:
        root = json.loads(raw)
    except ValueError as error:
        return NextData([], [], [], None, {}, problem=f"__NEXT_DATA__ is not JSON ({error})")
    content = dig(root, "props", "pageProps", "contentData")
    if not isinstance(content, dict):
        return NextData([], [], [], None, {}, problem="__NEXT_DATA__ has no contentData")
    title = dig(content, "data", "title")
    meta = content.get("entityMetadata")
    entries = as_list(content.get("reviews"))
    title_ids = [
        value
        for value in (
            dig(meta, "id"),
            dig(title, "id"),
            dig(root, "query", "tconst"),
            *(dig(entry, "titleId") for entry in entries),
        )
        if isinstance(value, str)
    ]
    movie_titles = [
        value
        for value in (
            dig(meta, "titleText", "text"),
            dig(title, "titleText", "text"),
            content.get("titleText"),
            *(dig(entry, "titleText") for entry in entries),
        )
        if isinstance(value, str)
    ]
    movie_years = [
        value
        for value in (dig(meta, "releaseYear", "year"), dig(title, "releaseYear", "year"))
        if isinstance(value, int) and not isinstance(value, bool)
    ]
    total = next(
        (
            value
            for value in (
                content.get("reviewCount"),
                dig(title, "reviews", "total"),
                dig(meta, "subNavReviews", "total"),
            )
            if isinstance(value, int) and not isinstance(value, bool)
        ),
        None,
    )
    return NextData(
        title_ids,
        movie_titles,
        movie_years,
        total,
        _json_reviews(content),
        end_cursor=next_cursor(content.get("pageInfo"), dig(title, "reviews", "pageInfo")),
    )


def _json_reviews(content: dict[str, Any]) -> dict[str, JsonReview]:
    """Reviews by id, page order: ``reviews[].review`` (2026), then the
    GraphQL-shaped ``data.title.reviews.edges[].node`` (2024-25) for any id the
    first did not have. Pages of early 2026 carry both, same reviews."""
    found: dict[str, JsonReview] = {}
    for entry in as_list(content.get("reviews")):
        review = dig(entry, "review")
        review_id = dig(review, "reviewId")
        if isinstance(review_id, str) and review_id not in found:
            found[review_id] = JsonReview(
                review_id=review_id,
                rating=dig(review, "authorRating"),
                headline=dig(review, "reviewSummary"),
                author=_username(dig(review, "author")),
                author_id=dig(review, "author", "userId"),
                date=dig(review, "submissionDate"),
                spoiler=dig(review, "spoiler"),
                text=dig(review, "reviewText"),
                up=dig(review, "helpfulnessVotes", "upVotes"),
                down=dig(review, "helpfulnessVotes", "downVotes"),
            )
    for review_id, entry in node_reviews(dig(content, "data", "title", "reviews", "edges")).items():
        found.setdefault(review_id, entry)
    return found


def node_reviews(edges: Any) -> dict[str, JsonReview]:
    """``edges[].node`` of a GraphQL ``ReviewsConnection`` (the page's JSON and
    the ``TitleReviewsRefine`` answers alike), by review id, in order."""
    found: dict[str, JsonReview] = {}
    for edge in as_list(edges):
        node = dig(edge, "node")
        review_id = dig(node, "id")
        if isinstance(review_id, str) and review_id not in found:
            found[review_id] = JsonReview(
                review_id=review_id,
                rating=dig(node, "authorRating"),
                headline=dig(node, "summary", "originalText"),
                author=_username(dig(node, "author")),
                author_id=dig(node, "author", "userId"),
                date=dig(node, "submissionDate"),
                spoiler=dig(node, "spoiler"),
                text=dig(node, "text", "originalText", "plaidHtml"),
                up=dig(node, "helpfulness", "upVotes"),
                down=dig(node, "helpfulness", "downVotes"),
            )
    return found


def next_cursor(*page_infos: Any) -> str | None:
    """The cursor of the next page from the first ``pageInfo`` that has one.

    The last page has ``endCursor: null`` and ``hasNextPage: false``.
    """
    for info in page_infos:
        cursor = dig(info, "endCursor")
        if dig(info, "hasNextPage") is False:
            return None
        if isinstance(cursor, str) and cursor.strip():
            return cursor
    return None


def _username(author: Any) -> Any:
    name = dig(author, "username", "text")
    return name if name is not None else dig(author, "nickName")
