"""Looking pages up in a recording (a directory with manifest.json, or a WARC file)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from reviewcrawler.recording.directory import body_path, read_manifest
from reviewcrawler.recording.keys import canonical_url, without_host
from reviewcrawler.recording.warc import successful_bodies

logger = logging.getLogger(__name__)

BodyReader = Callable[[], bytes]


class Recording:
    """Recorded bodies by canonical URL."""

    def __init__(self, source: Path, bodies: Iterable[tuple[str, BodyReader]]) -> None:
        self.source = source
        self._by_url: dict[str, BodyReader] = {canonical_url(url): read for url, read in bodies}
        # A recording made against another host (a local test server, a mirror)
        # still replays: a path and query recorded under one host only is unambiguous.
        paths = Counter(without_host(key) for key in self._by_url)
        self._by_path = {
            without_host(key): read
            for key, read in self._by_url.items()
            if paths[without_host(key)] == 1
        }

    @classmethod
    def open(cls, source: Path) -> Recording:
        """Index `source`; `ValueError` if it is not a readable recording."""
        if source.is_file():
            bodies = [(url, _constant(body)) for url, body in successful_bodies(source)]
            return cls(source, bodies)
        return cls(source, _directory_bodies(source))

    def __len__(self) -> int:
        return len(self._by_url)

    def body(self, url: str) -> bytes | None:
        """The recorded body of `url`, or ``None`` when it was not recorded."""
        key = canonical_url(url)
        read = self._by_url.get(key) or self._by_path.get(without_host(key))
        if read is None:
            return None
        try:
            return read()
        except OSError as error:
            logger.warning("Replay: %s is in the manifest but cannot be read: %s", url, error)
            return None


def _directory_bodies(directory: Path) -> list[tuple[str, BodyReader]]:
    bodies = []
    for url, relative in read_manifest(directory).items():
        path = body_path(directory, relative)
        if path is None:
            # A manifest is data: it does not get to read files outside its directory.
            logger.warning("Replay: ignoring %s -> %r (outside %s)", url, relative, directory)
            continue
        bodies.append((url, path.read_bytes))
    return bodies


def _constant(body: bytes) -> BodyReader:
    return lambda: body
