"""The two questions an incremental crawl asks about the archive, as one interface.

A single-process crawl asks its own hold on the archive
(`reviewcrawler.archive.run.ArchiveRun`, the index database);
cluster workers cannot see the archive directory, so `RedisArchivedState`
(`reviewcrawler.cluster.state`) answers them from what the ingester keeps in
Redis after each commit. Imports nothing from ``redis``: usable without the extra.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from reviewcrawler.archive.index import TitleState


class ArchivedState(Protocol):
    def holds(self, record: Mapping[str, Any]) -> bool:
        """The archive's latest version of this review has the record's content fingerprint."""
        ...

    def title_state(self, title_id: str) -> TitleState | None:
        """What the archive knows of the title's last crawl; ``None``: never crawled."""
        ...
