"""``.parquet``, written by DuckDB (the optional ``parquet`` extra).

The records are streamed to a JSON Lines file beside the output, which DuckDB
reads with the record's column types and writes as Parquet: nothing holds every
review in memory, and DuckDB does the columnar work in C++.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonlines

from reviewcrawler.exports.schema import review_columns

INSTALL_HINT = "Parquet export needs DuckDB: pip install -e '.[parquet]'"
_DUCKDB_TYPES = {str: "VARCHAR", int: "BIGINT", bool: "BOOLEAN"}


def duckdb_available() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def write_parquet(path: Path, records: Iterable[dict[str, Any]]) -> int:
    import duckdb

    staging = path.with_name(path.name + ".jsonl")
    count = 0
    try:
        with jsonlines.open(staging, mode="w", compact=True) as writer:
            for record in records:
                writer.write(record)
                count += 1
        columns = {name: _DUCKDB_TYPES[kind] for name, kind in review_columns().items()}
        with duckdb.connect() as db:
            db.execute(
                "COPY (SELECT * FROM read_json(?, format = 'newline_delimited', columns = ?))"
                " TO ? (FORMAT parquet)",
                [str(staging), columns, str(path)],
            )
    finally:
        staging.unlink(missing_ok=True)
    return count
