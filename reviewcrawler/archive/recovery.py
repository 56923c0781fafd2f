"""Tidy up after runs that were killed, before a new run reads the archive.

Runs only under the archive lock, so nothing found here belongs to a live run.

* ``*.partial`` files: a run killed before its commit. Their reviews are not in
  any committed file, so deleting them is what makes the next run archive those
  reviews again.
* Committed files of a run with no manifest: a run killed in the instant
  between renaming its files and writing its manifest. The files are complete
  (each was fsynced before its rename), so they stay, and a manifest saying so
  is written for that run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from reviewcrawler.archive.files import write_json_atomic
from reviewcrawler.archive.layout import PARTIAL_SUFFIX, RUN_ID, ArchiveLayout
from reviewcrawler.archive.manifest import orphan_manifest
from reviewcrawler.ids import TITLE


@dataclass(slots=True)
class Recovery:
    removed_partials: list[str] = field(default_factory=list)
    recovered_runs: list[str] = field(default_factory=list)


def recover(
    layout: ArchiveLayout, by_run: str, scan: tuple[set[str], list[Path]] | None = None
) -> Recovery:
    """From one pass over the archive's names (`ArchiveLayout.scan_reviews`, or
    `scan` if the caller made it): no file is opened or stat'ed unless a killed
    run left it."""
    recovery = Recovery()
    review_runs, review_partials = scan or layout.scan_reviews()
    top = [layout.root, layout.rejects_dir, layout.runs_dir]
    partials = [p for d in top for p in _partials_in(d)] + review_partials
    for partial in partials:
        partial.unlink(missing_ok=True)
        recovery.removed_partials.append(layout.relative(partial))
        _remove_if_empty(partial.parent, layout)
    manifests = {path.stem for path in layout.manifest_files()}
    orphans: dict[str, list[Path]] = defaultdict(list)
    orphan_runs = {run for run in review_runs - manifests if RUN_ID.fullmatch(run)}
    for run_id in orphan_runs:
        found = layout.reviews_dir.glob(f"*/{run_id}.jsonl")
        orphans[run_id].extend(sorted(p for p in found if TITLE.valid(p.parent.name)))
    for path in layout.reject_files():
        if path.stem not in manifests and RUN_ID.fullmatch(path.stem):
            orphans[path.stem].append(path)
    for run_id, paths in sorted(orphans.items()):
        files = [layout.relative(path) for path in paths]
        write_json_atomic(layout.manifest_file(run_id), orphan_manifest(run_id, files, by_run))
        recovery.recovered_runs.append(run_id)
    return recovery


def _partials_in(directory: Path) -> list[Path]:
    try:
        return [p for p in directory.iterdir() if p.name.endswith(PARTIAL_SUFFIX)]
    except FileNotFoundError:
        return []


def _remove_if_empty(directory: Path, layout: ArchiveLayout) -> None:
    """A title directory that only ever held a killed run's partial file."""
    if directory.parent == layout.reviews_dir and not any(directory.iterdir()):
        directory.rmdir()
