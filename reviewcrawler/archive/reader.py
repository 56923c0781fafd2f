"""Reading the archive back: export, per-title stats, verification.

Readers take no lock and never see a run in progress: they read committed files
only (a run's files appear by rename, complete).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonlines

from reviewcrawler.archive.files import iter_jsonl
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import (
    ArchiveIndex,
    IndexDamaged,
    TitleState,
    memory_index,
    open_index,
)
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.items import REVIEW_FIELDS


def current_index(layout: ArchiveLayout) -> ArchiveIndex:
    """The saved index when it is usable, else one built in memory (not saved)."""
    try:
        index = open_index(layout, read_only=True)
    except IndexDamaged:
        index = None
    return index or memory_index(layout, on_damage=lambda path, error: None)


def latest_reviews(
    layout: ArchiveLayout, titles: set[str] | None = None
) -> Iterator[dict[str, Any]]:
    """The latest version of every review, each once, title by title."""
    index = current_index(layout)
    try:
        for path in sorted(layout.review_files(), key=lambda p: (p.parent.name, p.stem)):
            if titles and path.parent.name not in titles:
                continue
            for record in iter_jsonl(path):
                entry = index.get(record["review_id"])
                if entry is not None and entry.run_id == path.stem:
                    yield record
    finally:
        index.close()


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


def title_stats(layout: ArchiveLayout) -> dict[str, dict[str, Any]]:
    """Per title: distinct reviews, stored versions, runs that read it, last run,
    rejects, and its crawl state."""
    titles: dict[str, TitleStats] = defaultdict(TitleStats)
    for path in layout.review_files():
        stats = titles[path.parent.name]
        stats.runs.add(path.stem)
        for record in iter_jsonl(path):
            stats.reviews.add(record["review_id"])
            stats.versions += 1
    for path in layout.manifest_files():
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for title_id in manifest.get("titles") or {}:
            titles[title_id].runs.add(manifest["run_id"])
    for path in layout.reject_files():
        for reject in iter_jsonl(path):
            title_id = (reject.get("record") or {}).get("title_id")
            titles[title_id or "(unknown title)"].rejects += 1
    index = current_index(layout)
    try:
        states = index.title_states()
    finally:
        index.close()
    for title_id in states:  # a crawled title with nothing archived has a row too
        titles.setdefault(title_id, TitleStats())
    return {title_id: titles[title_id].row(states.get(title_id)) for title_id in sorted(titles)}


@dataclass(slots=True)
class Verification:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def verify(layout: ArchiveLayout) -> Verification:
    """Every file parses and is well-formed; the index agrees with the files."""
    result = Verification()
    latest: dict[str, str] = {}
    for path in layout.review_files():
        result.counts["review files"] += 1
        for line, record in _records(layout, path, result):
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
        for line, reject in _records(layout, path, result):
            result.counts["rejects"] += 1
            if not (isinstance(reject.get("reasons"), list) and reject["reasons"]):
                result.problems.append(f"{layout.relative(path)}:{line}: reject without reasons")
    _verify_manifests(layout, result)
    _verify_index(layout, result)
    partials = layout.partial_files()
    if partials:
        result.notes.append(
            f"{len(partials)} .partial file(s) of a run that did not finish; "
            "ignored, and removed by the next run"
        )
    return result


def _records(
    layout: ArchiveLayout, path: Path, result: Verification
) -> Iterator[tuple[int, dict[str, Any]]]:
    line = 0
    try:
        for record in iter_jsonl(path):
            line += 1
            yield line, record
    except (jsonlines.InvalidLineError, UnicodeDecodeError) as error:
        result.problems.append(f"{layout.relative(path)}:{line + 1}: not valid JSON Lines: {error}")


def _review_problem(record: dict[str, Any], path: Path) -> str | None:
    if tuple(record) != REVIEW_FIELDS:
        return f"fields differ from the review record: {sorted(set(record) ^ set(REVIEW_FIELDS))}"
    if record["title_id"] != path.parent.name:
        return f"title_id {record['title_id']} in the folder of {path.parent.name}"
    return None


def _verify_manifests(layout: ArchiveLayout, result: Verification) -> None:
    with_manifest = set()
    for path in layout.manifest_files():
        result.counts["runs"] += 1
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            files = manifest["files"]
        except (ValueError, KeyError, TypeError) as error:
            result.problems.append(f"{layout.relative(path)}: unreadable manifest: {error}")
            continue
        with_manifest.add(path.stem)
        for name in files:
            if not (layout.root / name).is_file():
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
