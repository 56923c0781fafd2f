"""Loading a review from the raw values a layout parser located.

A parser returns, per review, a mapping field → a raw value (string, node) or a
list of candidates in order of preference (``None`` for one not found); the
loader keeps the first that cleans to a value. `ReviewLoader` does all the
cleaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from reviewcrawler.items import Review
from reviewcrawler.loaders import ReviewLoader


def page_defaults(**values: object) -> Review:
    """Page-level fields (title, source, time), cleaned once for all reviews of a page."""
    return _load(ReviewLoader(), values)


def load_review(values: Mapping[str, object], defaults: Review | None = None) -> Review:
    # Values given as `item=` skip input processors: `defaults` is already clean.
    loader = ReviewLoader() if defaults is None else ReviewLoader(item=replace(defaults))
    return _load(loader, values)


def _load(loader: ReviewLoader, values: Mapping[str, object]) -> Review:
    for name, value in values.items():
        if isinstance(value, list):
            value = [candidate for candidate in value if candidate is not None]
        if value is not None and value != []:
            loader.add_value(name, value)
    review: Review = loader.load_item()
    return review
