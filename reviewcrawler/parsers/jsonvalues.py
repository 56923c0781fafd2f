"""The one typed accessor for JSON read from pages and answers.

Pages' JSON (``__NEXT_DATA__``, GraphQL answers) is untrusted: any level may be
missing or of another type. `dig` walks it and the ``as_*`` helpers take a value
only if it has the type asked for, so every reader says ``None`` instead of
raising, in one way.
"""

from __future__ import annotations

from typing import Any


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]…``, or ``None`` as soon as a level is missing or not an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def as_list(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
