"""A review's content fingerprint: what makes a stored version differ from another.

Vote counts change daily and are left out, so a review whose only change is its
helpful votes is not archived again; an edit to anything a reader wrote is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

CONTENT_FIELDS = ("headline", "text", "rating", "spoiler", "author", "date")


def content_fingerprint(record: Mapping[str, Any]) -> str:
    content = {name: record.get(name) for name in CONTENT_FIELDS}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
