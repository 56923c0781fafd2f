"""Reading the archive back: export, per-title stats, verification.

Readers take no lock and never see a run in progress: they read committed files
only (a run's files appear by rename, complete).

A damaged line (cut by a full disk or a bad copy) or manifest is skipped and
handed to `on_damage` (by default: one warning naming ``file:line``), never
allowed to stop a reader; `verify` lists every one, and ``scrapy archive
repair`` (`reviewcrawler.archive.repair`) moves them to ``quarantine/``.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from reviewcrawler.archive.files import Damage, DamageHandler, numbered_lines
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import (
    ArchiveIndex,
    IndexDamaged,
    TitleState,
    memory_index,
    open_index,
)
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.ids import REVIEW, TITLE
from reviewcrawler.items import REVIEW_FIELDS

logger = logging.getLogger(__name__)
REPAIR_HINT = "run `scrapy archive repair`"


def warn_damage(damage: Damage) -> None:
    logger.warning("%s: %s; skipped (%s)", damage.where(), damage.reason, REPAIR_HINT)


def review_lines(path: Path, on_damage: DamageHandler) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, record)`` of a review file; damage (a line readers cannot use) to `on_damage`.

    A record without a well-formed review id, or of another title than its
    folder, is damage too: a reader could neither key it nor trust it.
    """
    for item in numbered_lines(path):
        if isinstance(item, Damage):
            on_damage(item)
            continue
        line, record = item
        problem = _unusable(record, path)
        if problem is None:
            yield line, record
        else:
            on_damage(Damage(path, line, problem, json.dumps(record).encode()))


def reject_lines(path: Path, on_damage: DamageHandler) -> Iterator[tuple[int, dict[str, Any]]]:
    for item in numbered_lines(path):
        if isinstance(item, Damage):
            on_damage(item)
        else:
            yield item


def _unusable(record: dict[str, Any], path: Path) -> str | None:
    if not REVIEW.valid(record.get("review_id")):
        return "no well-formed review_id"
    if record.get("title_id") != path.parent.name:
        return f"title_id {str(record.get('title_id'))[:40]!r} in the folder of {path.parent.name}"
    return None


def current_index(layout: ArchiveLayout) -> ArchiveIndex:
    """The saved index when it is usable, else one built in memory (not saved)."""
    try:
        index = open_index(layout, read_only=True)
    except IndexDamaged:
        index = None
    return index or memory_index(layout, on_damage=lambda path, error: None)


def latest_reviews(
    layout: ArchiveLayout,
    titles: set[str] | None = None,
    on_damage: DamageHandler = warn_damage,
) -> Iterator[dict[str, Any]]:
    """The latest version of every review, each once, title by title.

    The latest version is the one in the latest run's file of its title, read
    from the files themselves: damage the index was built around cannot hide a
    good line.
    """
    files = sorted(layout.review_files(), key=lambda p: (p.parent.name, p.stem))
    for title_id, title_files in groupby(files, key=lambda p: p.parent.name):
        if titles and title_id not in titles:
            continue
        read = [(path.stem, list(review_lines(path, on_damage))) for path in title_files]
        latest = {record["review_id"]: run for run, lines in read for _, record in lines}
        for run, lines in read:
            yield from (record for _, record in lines if latest[record["review_id"]] == run)


@dataclass(slots=True)
class TitleStats:
    reviews: set[str] = field(default_factory=set)
    versions: int = 0
    runs: set[str] = field(default_factory=set)
    rejects: int = 0

    def row(self, state: TitleState | None) -> dict[str, Any]:
        return {
            "reviews": len(self.reviews),
            "versions": self.versions,
            "runs": len(self.runs),
            "last_run": max(self.runs, default=None),
            "rejects": self.rejects,
            "crawl": crawl_state(state),
        }


def crawl_state(state: TitleState | None) -> dict[str, Any] | None:
    """The archive's crawl state of a title: what the next run does with it."""
    if state is None:
        return None
    return {
        # "complete": the next newest-first run stops once caught up; else it reads to the end.
        "status": "complete" if state.complete else "incomplete",
        "last_run": state.last_run,
        "last_complete_run": state.last_complete_run,
        "order": state.order,
        "newest_review": state.newest_date,
    }


def title_stats(
    layout: ArchiveLayout, on_damage: DamageHandler = warn_damage
) -> dict[str, dict[str, Any]]:
    """Per title: distinct reviews, stored versions, runs that read it, last run,
    rejects, and its crawl state."""
    titles: dict[str, TitleStats] = defaultdict(TitleStats)
    for path in layout.review_files():
        stats = titles[path.parent.name]
        stats.runs.add(path.stem)
        for _, record in review_lines(path, on_damage):
            stats.reviews.add(record["review_id"])
            stats.versions += 1
    for path in layout.manifest_files():
        manifest = read_manifest(path, on_damage)
        if manifest is None:
            continue
        for title_id in manifest.get("titles") or {}:
            if TITLE.valid(title_id):
                titles[title_id].runs.add(path.stem)
    for path in layout.reject_files():
        for _, reject in reject_lines(path, on_damage):
            record = reject.get("record")
            title_id = record.get("title_id") if isinstance(record, dict) else None
            titles[title_id if TITLE.valid(title_id) else "(unknown title)"].rejects += 1
    index = current_index(layout)
    try:
        states = index.title_states()
    finally:
        index.close()
    for title_id in states:  # a crawled title with nothing archived has a row too
        titles.setdefault(title_id, TitleStats())
    return {title_id: titles[title_id].row(states.get(title_id)) for title_id in sorted(titles)}


def read_manifest(path: Path, on_damage: DamageHandler) -> dict[str, Any] | None:
    """A run manifest, or ``None`` (and `on_damage`) if it cannot be read as one."""
    try:
        manifest = json.loads(path.read_bytes())
        if isinstance(manifest, dict) and isinstance(manifest.get("files"), list):
            return manifest
        reason = "not a run manifest (no list of files)"
    except (UnicodeDecodeError, ValueError) as error:
        reason = f"not JSON ({error})"
    on_damage(Damage(path, 1, f"unreadable manifest: {reason}"))
    return None


@dataclass(slots=True)
class Verification:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    #: Lines and manifests readers skip (``scrapy archive repair`` quarantines them).
    damage: list[Damage] = field(default_factory=list)

    def damaged(self, damage: Damage, root: Path) -> None:
        self.damage.append(damage)
        self.problems.append(f"{damage.where(root)}: {damage.reason} ({REPAIR_HINT})")


def verify(layout: ArchiveLayout) -> Verification:
    """Every file parses and is well-formed; the index agrees with the files."""
    result = Verification()

    def damaged(damage: Damage) -> None:
        result.damaged(damage, layout.root)

    latest: dict[str, str] = {}
    for path in layout.review_files():
        result.counts["review files"] += 1
        for line, record in review_lines(path, damaged):
            problem = _review_problem(record, path)
            if problem:
                result.problems.append(f"{layout.relative(path)}:{line}: {problem}")
                continue
            fingerprint = content_fingerprint(record)
            if latest.get(record["review_id"]) == fingerprint:
                result.problems.append(
                    f"{layout.relative(path)}:{line}: {record['review_id']} stored again unchanged"
                )
            latest[record["review_id"]] = fingerprint
            result.counts["versions"] += 1
    result.counts["reviews"] = len(latest)
    for path in layout.reject_files():
        for line, reject in reject_lines(path, damaged):
            result.counts["rejects"] += 1
            if not (isinstance(reject.get("reasons"), list) and reject["reasons"]):
                result.problems.append(f"{layout.relative(path)}:{line}: reject without reasons")
    _verify_manifests(layout, result, damaged)
    _verify_index(layout, result)
    partials = layout.partial_files()
    if partials:
        result.notes.append(
            f"{len(partials)} .partial file(s) of a run that did not finish; "
            "ignored, and removed by the next run"
        )
    return result


def _review_problem(record: dict[str, Any], path: Path) -> str | None:
    if tuple(record) != REVIEW_FIELDS:
        return f"fields differ from the review record: {sorted(set(record) ^ set(REVIEW_FIELDS))}"
    return None


def _verify_manifests(
    layout: ArchiveLayout, result: Verification, on_damage: DamageHandler
) -> None:
    with_manifest = set()
    for path in layout.manifest_files():
        result.counts["runs"] += 1
        manifest = read_manifest(path, on_damage)
        if manifest is None:
            continue
        with_manifest.add(path.stem)
        for name in manifest["files"]:
            if not (isinstance(name, str) and (layout.root / name).is_file()):
                result.problems.append(f"{layout.relative(path)}: lists missing file {name}")
    orphans = {p.stem for p in (*layout.review_files(), *layout.reject_files())} - with_manifest
    for run_id in sorted(orphans):
        result.notes.append(
            f"run {run_id} has files but no manifest (killed while committing); "
            "the next run writes one"
        )


def _verify_index(layout: ArchiveLayout, result: Verification) -> None:
    name = layout.index_path.name
    try:
        saved = open_index(layout, read_only=True)
    except IndexDamaged as damage:
        result.problems.append(f"{name} is damaged ({damage}); the next run rebuilds it")
        return
    if saved is None:
        if layout.review_files():
            result.problems.append(f"{name} is missing (run `scrapy archive reindex`)")
        return
    rebuilt = memory_index(layout, on_damage=lambda path, error: None)
    try:
        pending = saved.journal()
        if pending:
            # Their files are committed; the next run indexes them (a few files, not a rebuild).
            result.notes.append(
                f"run(s) {', '.join(pending)} killed before their index commit; "
                "the next run indexes their files"
            )
            return
        differing = _differences(dict(saved.entries()), dict(rebuilt.entries()))
    finally:
        saved.close()
        rebuilt.close()
    if differing:
        result.problems.append(
            f"{name} disagrees with the review files on {differing} review(s) "
            "(run `scrapy archive reindex`)"
        )


def _differences(saved: dict[str, Any], rebuilt: dict[str, Any]) -> int:
    return sum(1 for rid in saved.keys() | rebuilt.keys() if saved.get(rid) != rebuilt.get(rid))
