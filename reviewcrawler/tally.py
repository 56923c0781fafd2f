"""What became of the reviews a run, or one title, read: kept or rejected, and why.

A run that read reviews but kept none must not pass for a success (the feed is
empty, the archive unchanged): `all_rejected` says so in one line, with the
commonest reason, for the spider to fail the run or the title with
(`reviewcrawler.verdicts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(slots=True)
class ReviewTally:
    kept: int = 0
    rejected: int = 0
    #: Every reason given, counted once per review that gave it.
    reasons: Counter[str] = field(default_factory=Counter)

    def keep(self) -> None:
        self.kept += 1

    def reject(self, reasons: Iterable[str]) -> None:
        self.rejected += 1
        self.reasons.update(set(reasons))

    def all_rejected(self) -> str | None:
        """``"all 35 reviews rejected: <commonest reason>"`` when none was kept."""
        if self.kept or not self.rejected:
            return None
        return f"all {_reviews(self.rejected)} rejected: {commonest(self.reasons)}"


@dataclass(slots=True)
class RunTally:
    """The tally of the run, and of each crawled title; why saved pages were skipped."""

    run: ReviewTally = field(default_factory=ReviewTally)
    titles: dict[str, ReviewTally] = field(default_factory=dict)
    #: Why pages were skipped (counted by reason), for a run in which every page was.
    skipped: Counter[str] = field(default_factory=Counter)

    def of(self, title_id: str | None) -> list[ReviewTally]:
        """Where a review counts: in the run's tally and, if given, its title's."""
        if title_id is None:
            return [self.run]
        return [self.run, self.titles.setdefault(title_id, ReviewTally())]


def commonest(reasons: Counter[str]) -> str:
    """The reason given most often (the first seen of equals), or a placeholder."""
    return reasons.most_common(1)[0][0] if reasons else "no reason given"


def _reviews(count: int) -> str:
    return f"{count} review{'' if count == 1 else 's'}"
