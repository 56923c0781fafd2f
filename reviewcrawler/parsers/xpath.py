"""Small XPath helpers shared by the layout parsers.

lxml types a compiled XPath's result as any XPath value (a number, a string, a
list of nodes or strings); `elements` and `strings` say which one a query of
ours returns, so the parsers read typed lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from lxml.etree import HTMLParser, XPath, _Element
from parsel import Selector
from parsel.selector import create_root_node
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.response import get_base_url


def has_class(name: str) -> str:
    """XPath predicate body: the element's class list contains `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def elements(query: str) -> Callable[[_Element], list[_Element]]:
    """A compiled `query` that selects elements."""
    return cast("Callable[[_Element], list[_Element]]", XPath(query))


def strings(query: str) -> Callable[[_Element], list[str]]:
    """A compiled `query` that selects attribute values or text."""
    return cast("Callable[[_Element], list[str]]", XPath(query))


#: What lxml.html's ``text_content()`` is, for trees of any element class.
_STRING = XPath("string()")


def text_content(element: _Element) -> str:
    """The text of `element` and its descendants."""
    return str(_STRING(element))


def page_selector(response: TextResponse) -> Selector:
    """`response.selector`, an HTML page's built on lxml's own element classes.

    Scrapy's selector parses with lxml.html's parser, whose element classes are
    looked up in Python for every element the parsers touch: about a third of
    walking a review card. The tree is otherwise the same (parsel's rules for
    the text, the same libxml2 parser and options); other responses keep Scrapy's.
    """
    if not isinstance(response, HtmlResponse):
        return response.selector
    root = create_root_node(
        response.text, HTMLParser, base_url=get_base_url(response), huge_tree=True
    )
    return Selector(root=root, type="html")
