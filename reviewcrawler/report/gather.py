"""Everything the report shows, read from the archive in one streaming pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jsonlines

from reviewcrawler.archive.files import iter_jsonl
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.report.aggregate import ArchiveFigures
from reviewcrawler.report.runs import RunLog, read_runs


@dataclass(slots=True)
class TitleRow:
    title_id: str
    versions: int = 0
    rejects: int = 0
    last_crawled: datetime | None = None
    last_complete: datetime | None = None
    #: How its last crawl ended: complete, incomplete, failed; ``-`` if never crawled.
    status: str = "-"


@dataclass(slots=True)
class ReportData:
    #: The archive as the user named it (``ARCHIVE_DIR``), not its absolute path.
    archive: str
    made_at: datetime
    figures: ArchiveFigures
    runs: RunLog
    rows: dict[str, TitleRow]
    rejects: Counter[str]
    #: The titles asked for (``--title``), in the order given; empty: all.
    named: list[str] = field(default_factory=list)
    #: What could not be read, one line each.
    notes: list[str] = field(default_factory=list)


def gather(
    layout: ArchiveLayout, archive: str, reviews: Iterable[dict[str, Any]], named: list[str]
) -> ReportData:
    """Aggregate `reviews` (the reader's latest versions) with the runs and rejects."""
    figures = ArchiveFigures()
    for record in reviews:
        figures.add(record)
    wanted = set(named)
    runs = read_runs(layout)
    data = ReportData(
        archive=archive,
        made_at=datetime.now(UTC).replace(microsecond=0),
        figures=figures,
        runs=runs,
        rows={},
        rejects=Counter(),
        named=named,
        notes=[f"unreadable manifest skipped: {line}" for line in runs.unreadable],
    )
    for title_id in sorted(set(figures.titles) | {t for run in runs.runs for t in run.titles}):
        if not wanted or title_id in wanted:
            data.rows[title_id] = TitleRow(title_id)
    for run in runs.runs:
        for title_id, state in run.titles.items():
            row = data.rows.get(title_id)
            if row is None:
                continue
            row.last_crawled, row.status = run.started, state
            if state == "complete":
                row.last_complete = run.started
    _count_versions(layout, data)
    _count_rejects(layout, data, wanted)
    return data


def _count_versions(layout: ArchiveLayout, data: ReportData) -> None:
    """Stored versions per title: lines of its review files (counted, not parsed)."""
    for path in layout.review_files():
        row = data.rows.get(path.parent.name)
        if row is None:
            continue
        try:
            with path.open("rb") as lines:
                row.versions += sum(1 for line in lines if line.strip())
        except OSError as error:
            data.notes.append(f"unreadable review file skipped: {layout.relative(path)}: {error}")


def _count_rejects(layout: ArchiveLayout, data: ReportData, wanted: set[str]) -> None:
    """Rejects per reason, as the crawl counts them (the part of a reason before ":")."""
    for path in layout.reject_files():
        try:
            for reject in iter_jsonl(path):
                title_id = (reject.get("record") or {}).get("title_id")
                if wanted and title_id not in wanted:
                    continue
                if title_id in data.rows:
                    data.rows[title_id].rejects += 1
                for reason in reject.get("reasons") or ["(no reason given)"]:
                    data.rejects[str(reason).split(":")[0]] += 1
        except (OSError, UnicodeDecodeError, jsonlines.InvalidLineError) as error:
            data.notes.append(f"rejects file read up to damage: {layout.relative(path)}: {error}")
