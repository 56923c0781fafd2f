"""Looking pages up in a recording (a directory with manifest.json, or a WARC file)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reviewcrawler.recording.directory import body_path, read_manifest
from reviewcrawler.recording.keys import canonical_url, without_host
from reviewcrawler.recording.warc import successful_bodies

logger = logging.getLogger(__name__)

BodyReader = Callable[[], bytes]


@dataclass(frozen=True)
class Recorded:
    """A recorded body, and what tells its type: the body file's name (a recording
    directory names it by the Content-Type it was served with) or the recorded
    Content-Type (a WARC file)."""

    read: BodyReader
    name: str | None = None
    content_type: str | None = None


class Recording:
    """Recorded bodies by canonical URL."""

    def __init__(self, source: Path, bodies: Iterable[tuple[str, Recorded]]) -> None:
        self.source = source
        self._by_url: dict[str, Recorded] = {canonical_url(url): found for url, found in bodies}
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
            bodies = [
                (url, Recorded(_constant(body), content_type=content_type))
                for url, body, content_type in successful_bodies(source)
            ]
            return cls(source, bodies)
        return cls(source, _directory_bodies(source))

    def __len__(self) -> int:
        return len(self._by_url)

    def find(self, url: str) -> tuple[bytes, Recorded] | None:
        """The recorded body of `url` and its entry, or ``None`` when it was not
        recorded (or its body file cannot be read)."""
        key = canonical_url(url)
        found = self._by_url.get(key) or self._by_path.get(without_host(key))
        if found is None:
            return None
        try:
            return found.read(), found
        except OSError as error:
            logger.warning("Replay: %s is in the manifest but cannot be read: %s", url, error)
            return None


def _directory_bodies(directory: Path) -> list[tuple[str, Recorded]]:
    bodies = []
    for url, relative in read_manifest(directory).items():
        path = body_path(directory, relative)
        if path is None:
            # A manifest is data: it does not get to read files outside its directory.
            logger.warning("Replay: ignoring %s -> %r (outside %s)", url, relative, directory)
            continue
        bodies.append((url, Recorded(path.read_bytes, name=path.name)))
    return bodies


def _constant(body: bytes) -> BodyReader:
    return lambda: body
