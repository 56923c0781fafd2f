"""Recording directories: bodies on disk, named by a manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.http import Request, Response

from reviewcrawler.archive.files import write_text_atomic
from reviewcrawler.recording.keys import canonical_url
from reviewcrawler.recording.warc import WarcLog

MANIFEST = "manifest.json"
BODIES = "bodies"
WARC_FILE = "responses.warc.gz"


def read_manifest(directory: Path) -> dict[str, str]:
    """``URL → body path`` from `directory`/manifest.json; `ValueError` if malformed."""
    path = directory / MANIFEST
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    if not isinstance(entries, dict) or not all(
        isinstance(url, str) and isinstance(body, str) for url, body in entries.items()
    ):
        raise ValueError(f"{path} is not a JSON object of URL -> file path")
    return entries


def body_path(directory: Path, relative: str) -> Path | None:
    """`relative` inside `directory`; ``None`` if it would lead outside it."""
    root = directory.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path != root else None


class RecordingWriter:
    """Adds responses to a recording directory (created, or extended if it exists)."""

    def __init__(self, directory: Path, software: str) -> None:
        self.directory = directory
        (directory / BODIES).mkdir(parents=True, exist_ok=True)
        self.manifest = read_manifest(directory) if (directory / MANIFEST).exists() else {}
        self.warc = WarcLog(directory / WARC_FILE, software)

    def add(self, request: Request, response: Response) -> None:
        self.warc.write(request, response)
        if response.status != 200:
            # Replay serves bodies as 200 responses: an error page is only archived.
            return
        relative = f"{BODIES}/{_body_name(response)}"
        (self.directory / relative).write_bytes(response.body)
        # A redirected request is found again under the URL it was made for.
        for url in (*request.meta.get("redirect_urls", ()), response.url):
            self.manifest[url] = relative

    def close(self) -> None:
        self.warc.close()
        write_text_atomic(
            self.directory / MANIFEST,
            json.dumps(self.manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        )


def _body_name(response: Response) -> str:
    """A stable file name per page: the same page recorded twice is one file."""
    digest = hashlib.sha256(canonical_url(response.url).encode()).hexdigest()[:24]
    if urlsplit(response.url).path.endswith(".txt"):
        return digest + ".txt"
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return digest + (".json" if "json" in content_type else ".html")
