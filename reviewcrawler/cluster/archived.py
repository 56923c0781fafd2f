"""The two questions an incremental crawl asks about the archive, as one interface.

A single-process crawl can answer them from the archive's own index; cluster
workers cannot see the archive directory, so `RedisArchivedState`
(`reviewcrawler.cluster.state`) answers them from what the ingester keeps in
Redis after each commit. Imports nothing from ``redis``: usable without the extra.
"""

from __future__ import annotations

from typing import Protocol


class ArchivedState(Protocol):
    def is_archived(self, review_id: str, fingerprint: str) -> bool:
        """The archive holds `review_id` with this content fingerprint (its latest version)."""
        ...

    def last_crawl_complete(self, title_id: str) -> bool | None:
        """Whether the title's last committed crawl read it to its end; ``None``: never crawled."""
        ...
