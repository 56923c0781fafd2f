"""Small XPath helpers shared by the layout parsers."""

from __future__ import annotations


def has_class(name: str) -> str:
    """XPath predicate body: the element's class list contains `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
