"""The review record's column types, read from `reviewcrawler.items.Review` itself.

Typed formats (SQLite, Parquet) derive their columns from here, so a field added
to the record reaches every export with its type.
"""

from __future__ import annotations

import types
from typing import get_type_hints

from reviewcrawler.items import REVIEW_FIELDS, Review


def review_columns() -> dict[str, type]:
    """Field name → its Python type (``str``, ``int`` or ``bool``), nullability aside."""
    hints = get_type_hints(Review)
    columns = {}
    for name in REVIEW_FIELDS:
        hint = hints[name]
        if isinstance(hint, types.UnionType):
            (hint,) = (arg for arg in hint.__args__ if arg is not type(None))
        columns[name] = hint
    return columns


def nullable(name: str) -> bool:
    """Whether the record allows ``None`` in field `name` (``spoiler`` does not)."""
    hint = get_type_hints(Review)[name]
    return isinstance(hint, types.UnionType) and type(None) in hint.__args__
