"""``.sqlite`` / ``.db``: a ``reviews`` table with typed columns, and a ``runs`` table."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from itertools import islice
from pathlib import Path
from typing import Any

from reviewcrawler.archive.manifest import COUNT_STATS
from reviewcrawler.exports.schema import nullable, review_columns
from reviewcrawler.report.runs import Run

# BOOLEAN is SQLite's NUMERIC affinity: stored as 0/1, declared for the readers
# (Datasette, pandas, DuckDB's sqlite scanner) that map it back to a boolean.
_SQL_TYPES = {str: "TEXT", int: "INTEGER", bool: "BOOLEAN"}
_RUN_COLUMNS = (
    ("run_id", "TEXT PRIMARY KEY"),
    ("outcome", "TEXT NOT NULL"),
    ("reason", "TEXT"),
    ("status", "TEXT"),
    ("exit_status", "INTEGER"),
    ("finish_reason", "TEXT"),
    ("started_at", "TEXT"),
    ("finished_at", "TEXT"),
    *((name, "INTEGER NOT NULL") for name in COUNT_STATS),
    ("manifest", "TEXT NOT NULL"),
)
_BATCH = 2000


def reviews_table() -> str:
    columns = []
    for name, kind in review_columns().items():
        column = f"{name} {_SQL_TYPES[kind]}"
        if name == "review_id":
            column += " PRIMARY KEY"
        elif not nullable(name):
            column += " NOT NULL"
        if kind is bool:
            column += f" CHECK ({name} IN (0, 1))"
        columns.append(column)
    return f"CREATE TABLE reviews ({', '.join(columns)})"


def write_sqlite(path: Path, records: Iterable[dict[str, Any]], runs: list[Run]) -> int:
    """Write the database to `path` (an empty file); the number of reviews written."""
    names = list(review_columns())
    insert = f"INSERT INTO reviews VALUES ({', '.join('?' * len(names))})"
    count = 0
    with closing(sqlite3.connect(path)) as db:
        # The file is renamed into place only when complete: no journal needed.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute(reviews_table())
        rows = ([record.get(name) for name in names] for record in records)
        for batch in _batches(rows):
            db.executemany(insert, batch)
            count += len(batch)
        db.execute("CREATE INDEX reviews_title_id ON reviews (title_id)")
        db.execute("CREATE INDEX reviews_date ON reviews (date)")
        _write_runs(db, runs)
        db.commit()
    return count


def _write_runs(db: sqlite3.Connection, runs: list[Run]) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in _RUN_COLUMNS)
    db.execute(f"CREATE TABLE runs ({columns})")
    db.executemany(
        f"INSERT INTO runs VALUES ({', '.join('?' * len(_RUN_COLUMNS))})",
        (
            (
                run.run_id,
                run.outcome,
                run.reason or None,
                run.manifest.get("status"),
                run.manifest.get("exit_status"),
                run.manifest.get("finish_reason"),
                run.manifest.get("started_at"),
                run.manifest.get("finished_at"),
                *(run.counts[name] for name in COUNT_STATS),
                json.dumps(run.manifest, ensure_ascii=False),
            )
            for run in runs
        ),
    )


def _batches(rows: Iterator[list[Any]]) -> Iterator[list[list[Any]]]:
    while batch := list(islice(rows, _BATCH)):
        yield batch
