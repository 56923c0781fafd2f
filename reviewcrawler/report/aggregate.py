"""Figures the report plots, gathered review by review: nothing holds the reviews.

Memory grows with titles and months, never with reviews: each title keeps
counters keyed by month, quarter, rating and helpful-vote bin.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: Helpful votes a review received, binned: (lowest, highest or None, label).
HELPFUL_BINS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "0"),
    (1, 1, "1"),
    (2, 4, "2-4"),
    (5, 9, "5-9"),
    (10, 24, "10-24"),
    (25, 99, "25-99"),
    (100, None, "100+"),
)
NO_VOTES = "not shown"


@dataclass(slots=True)
class TitleFigures:
    title_id: str
    movie_title: str | None = None
    movie_year: int | None = None
    reviews: int = 0
    #: ``YYYY-MM`` of the review date → reviews.
    per_month: Counter[str] = field(default_factory=Counter)
    undated: int = 0
    ratings: Counter[int] = field(default_factory=Counter)
    unrated: int = 0
    #: ``YYYY-Qn`` → (sum of ratings, rated reviews).
    per_quarter: dict[str, tuple[int, int]] = field(default_factory=dict)
    spoilers: int = 0
    helpful: Counter[str] = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> None:
        self.reviews += 1
        self.movie_title = record.get("movie_title") or self.movie_title
        self.movie_year = record.get("movie_year") or self.movie_year
        day = record.get("date")
        rating = record.get("rating")
        if isinstance(day, str) and len(day) >= 7:
            self.per_month[day[:7]] += 1
        else:
            self.undated += 1
        if isinstance(rating, int):
            self.ratings[rating] += 1
            if isinstance(day, str) and len(day) >= 7:
                quarter = f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"
                total, count = self.per_quarter.get(quarter, (0, 0))
                self.per_quarter[quarter] = (total + rating, count + 1)
        else:
            self.unrated += 1
        if record.get("spoiler"):
            self.spoilers += 1
        self.helpful[helpful_bin(record.get("helpful_yes"))] += 1

    @property
    def mean_rating(self) -> float | None:
        rated = sum(self.ratings.values())
        return sum(r * n for r, n in self.ratings.items()) / rated if rated else None


def helpful_bin(votes: Any) -> str:
    if not isinstance(votes, int):
        return NO_VOTES
    for lowest, highest, label in HELPFUL_BINS:
        if votes >= lowest and (highest is None or votes <= highest):
            return label
    return NO_VOTES


@dataclass(slots=True)
class ArchiveFigures:
    titles: dict[str, TitleFigures] = field(default_factory=dict)
    reviews: int = 0

    def add(self, record: dict[str, Any]) -> None:
        title_id = str(record.get("title_id"))
        figures = self.titles.get(title_id)
        if figures is None:
            figures = self.titles[title_id] = TitleFigures(title_id)
        figures.add(record)
        self.reviews += 1
