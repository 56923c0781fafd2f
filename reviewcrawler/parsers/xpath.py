"""Small XPath helpers shared by the layout parsers.

lxml types a compiled XPath's result as any XPath value (a number, a string, a
list of nodes or strings); `elements` and `strings` say which one a query of
ours returns, so the parsers read typed lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from lxml.etree import XPath, _Element
from lxml.html import HtmlElement


def has_class(name: str) -> str:
    """XPath predicate body: the element's class list contains `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def elements(query: str) -> Callable[[_Element], list[_Element]]:
    """A compiled `query` that selects elements."""
    return cast("Callable[[_Element], list[_Element]]", XPath(query))


def strings(query: str) -> Callable[[_Element], list[str]]:
    """A compiled `query` that selects attribute values or text."""
    return cast("Callable[[_Element], list[str]]", XPath(query))


def text_content(element: _Element) -> str:
    """The text of `element` and its descendants (parsel's trees are lxml.html ones)."""
    text: str = cast(HtmlElement, element).text_content()
    return text
