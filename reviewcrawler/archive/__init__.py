"""The archive on disk: one format, shared by the crawl (writer) and the readers.

Layout under ``ARCHIVE_DIR`` (see docs/archive.md)::

    reviews/<title_id>/<run_id>.jsonl   reviews new to the archive, or new versions
    rejects/<run_id>.jsonl              every item that failed validation, with reasons
    runs/<run_id>.json                  the run manifest
    index.db                            SQLite: review_id -> latest fingerprint, and each
                                        title's crawl state; a cache, rebuilt when damaged
    .lock                               flock'd by the run (or command) using the archive

Files of a run in progress end in ``.partial``; nothing reads them, and the next
run removes what a killed run left.
"""

from reviewcrawler.archive.layout import ArchiveLayout, new_run_id

__all__ = ["ArchiveLayout", "new_run_id"]
