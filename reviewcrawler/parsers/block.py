"""One review block's elements, indexed by class and test id once, for cheap field lookups.

Evaluating an XPath costs a fixed setup per call; a dozen per review made
XPath the largest cost of a crawl. One walk over the block that files every
element under each of its class tokens and its ``data-testid`` makes each field
a dictionary lookup. Only elements below the block's root are indexed, as
``.//`` would find them. Class tokens are what `str.split` makes of the
attribute: unlike XPath's ``normalize-space``, it also splits at a no-break
space or a form feed, which class attributes do not hold in practice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from lxml.etree import Element, _Element

from reviewcrawler.parsers.xpath import text_content

#: Review markup puts its classes on these; skipping the rest (svg paths, line
#: breaks, icons) halves the walk.
INDEXED_TAGS = ("div", "span", "a", "li", "article", "section", "h3", "button")


class Block:
    __slots__ = ("by_class", "by_testid", "root")

    def __init__(self, root: _Element, tags: tuple[str, ...] | None = INDEXED_TAGS) -> None:
        """Index the elements of `tags` below `root`, or every element if `tags` is ``None``."""
        self.root = root
        self.by_class: defaultdict[str, list[_Element]] = defaultdict(list)
        self.by_testid: defaultdict[str, list[_Element]] = defaultdict(list)
        for element in root.iterdescendants(*(tags or (Element,))):
            classes = element.get("class")
            if classes:
                for token in classes.split():
                    self.by_class[token].append(element)
            testid = element.get("data-testid")
            if testid:
                self.by_testid[testid].append(element)

    def all(self, *classes: str, tag: str | None = None) -> Iterator[_Element]:
        """Elements carrying every class in `classes` (and of `tag`, if given)."""
        first, *rest = classes
        for element in self.by_class.get(first, ()):
            if tag is not None and element.tag != tag:
                continue
            if rest and not set(rest) <= set(element.get("class", "").split()):
                continue
            yield element

    def first(self, *classes: str, tag: str | None = None) -> _Element | None:
        return next(self.all(*classes, tag=tag), None)

    def text(self, *classes: str, tag: str | None = None) -> str | None:
        element = self.first(*classes, tag=tag)
        return text_content(element) if element is not None else None

    def testid(self, testid: str, tag: str | None = None) -> list[_Element]:
        """Elements whose ``data-testid`` is `testid` (and of `tag`, if given), in page order."""
        return [e for e in self.by_testid.get(testid, ()) if tag is None or e.tag == tag]


def link(element: _Element | None, contains: str = "") -> str | None:
    """The first ``href`` at or below `element` that contains `contains`."""
    if element is None:
        return None
    for anchor in element.iter("a"):
        href = anchor.get("href")
        if href and contains in href:
            return href
    return None
