"""The recording format, shared by the record and replay middlewares.

A recording is a directory::

    manifest.json        {"URL": "bodies/<name>", ...}: every successful (200) response
    bodies/<name>        each body as the parser received it (already decompressed)
    responses.warc.gz    every request and response, errors included, for archive tools

Replay reads a directory with ``manifest.json`` (hand-made ones too) or a WARC file.
"""

from reviewcrawler.recording.directory import MANIFEST, RecordingWriter
from reviewcrawler.recording.keys import canonical_url
from reviewcrawler.recording.replay import Recording

__all__ = ["MANIFEST", "Recording", "RecordingWriter", "canonical_url"]
