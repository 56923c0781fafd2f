"""The run manifests read back: how each run ended, and each title's last crawls.

Readers take no lock: a manifest appears by rename, whole. One that cannot be
read is skipped and named in `RunLog.unreadable`, never dropped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reviewcrawler.archive.layout import ArchiveLayout, run_time
from reviewcrawler.archive.manifest import COUNT_STATS

#: A run's outcome, from the exit status it recorded (`reviewcrawler.outcome`).
OUTCOMES = {0: "complete", 3: "incomplete", 1: "failed"}


@dataclass(frozen=True, slots=True)
class Run:
    run_id: str
    started: datetime
    outcome: str
    #: Why the run is not complete; empty when it is.
    reason: str
    counts: dict[str, int]
    #: Per title: ``complete`` when it was read to its last page, ``incomplete``
    #: when not, or the run's own outcome when the run did not say.
    titles: dict[str, str]
    manifest: dict[str, Any]


@dataclass(slots=True)
class RunLog:
    runs: list[Run] = field(default_factory=list)
    #: ``runs/<file>: why`` for each manifest skipped.
    unreadable: list[str] = field(default_factory=list)


def read_runs(layout: ArchiveLayout) -> RunLog:
    """Every readable manifest, oldest run first."""
    log = RunLog()
    for path in layout.manifest_files():
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            log.runs.append(_run(manifest, path.stem))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.unreadable.append(f"{layout.relative(path)}: {error}")
    return log


def _run(manifest: dict[str, Any], run_id: str) -> Run:
    exit_status = int(manifest.get("exit_status", 1))
    outcome = OUTCOMES.get(exit_status, "failed")
    titles = {
        title_id: _title_outcome(counts, outcome)
        for title_id, counts in (manifest.get("titles") or {}).items()
    }
    counts = manifest.get("counts") or {}
    return Run(
        run_id=run_id,
        started=run_time(run_id),
        outcome=outcome,
        reason=_reason(manifest, outcome, titles),
        counts={name: int(counts.get(name) or 0) for name in COUNT_STATS},
        titles=titles,
        manifest=manifest,
    )


def _title_outcome(counts: dict[str, Any], run_outcome: str) -> str:
    if run_outcome == "failed" or "complete" not in counts:
        return run_outcome
    return "complete" if counts["complete"] else "incomplete"


def _reason(manifest: dict[str, Any], outcome: str, titles: dict[str, str]) -> str:
    if outcome == "complete":
        return ""
    finish = manifest.get("finish_reason") or "unknown"
    if finish != "finished":
        return f"{manifest.get('status', 'failed')}: {finish}"
    short = sorted(title_id for title_id, state in titles.items() if state != "complete")
    if outcome == "incomplete":
        return f"not read to the end: {', '.join(short) or 'some title'}"
    return "errors logged during the run (see its log)"
