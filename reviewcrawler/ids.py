"""IMDb identifiers: the one rule for title (``tt``), review (``rw``) and user (``ur``) ids.

An id is its prefix and 1 to `MAX_DIGITS` ASCII digits. ``\\d`` and
`str.isdigit` also accept other scripts' digits (Arabic-Indic, full-width, superscript),
which would make one review two, or a file name nobody can type; and an id of
any length could be a file name the file system refuses. So nothing else in the
project spells an id pattern: it uses the rules below.

Pages are read leniently (`IdRule.found` takes the prefix and every letter or
digit after it) and checked strictly (`IdRule.valid`), so that a page whose id
breaks the rule gives a reject saying so rather than a review missing its id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: IMDb's ids have 7 to 9 digits today; a little room to grow, none for abuse.
MAX_DIGITS = 10
#: How much of a bad id a message quotes: an id can be a page's worth of text.
_SHOWN = 40


@dataclass(frozen=True, slots=True)
class IdRule:
    prefix: str
    what: str
    #: The id alone, for embedding in a larger pattern (one group-free fragment).
    pattern: str = field(init=False)
    #: The prefix and every letter or digit after it (any script), for reading pages.
    found: str = field(init=False)
    _full: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The look-ahead keeps a too-long id from passing as its first digits.
        pattern = rf"{self.prefix}[0-9]{{1,{MAX_DIGITS}}}(?![0-9])"
        object.__setattr__(self, "pattern", pattern)
        object.__setattr__(self, "found", rf"{self.prefix}[^\W_]+")
        object.__setattr__(self, "_full", re.compile(pattern))

    def valid(self, value: object) -> bool:
        return isinstance(value, str) and self._full.fullmatch(value) is not None

    def problem(self, value: object) -> str | None:
        """Why `value` is not such an id (one line), or ``None`` if it is."""
        if self.valid(value):
            return None
        return f"not an IMDb {self.what} id ({self.rule}): {shown(value)}"

    def check(self, value: object) -> str:
        """`value` if valid, else `ValueError` with the one-line reason."""
        problem = self.problem(value)
        if problem is not None:
            raise ValueError(problem)
        assert isinstance(value, str)
        return value

    @property
    def rule(self) -> str:
        return f"{self.prefix} and 1-{MAX_DIGITS} ASCII digits"


TITLE = IdRule("tt", "title")
REVIEW = IdRule("rw", "review")
USER = IdRule("ur", "user")


def shown(value: object) -> str:
    """`value` quoted for a log line, cut short if long."""
    text = repr(value)
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}…' ({len(str(value))} characters)"
