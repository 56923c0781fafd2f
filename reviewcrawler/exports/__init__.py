"""``scrapy archive export``: the archive's latest reviews in the format a tool reads.

The format follows the output's extension, as Scrapy's feed exports do, or
``--format``. JSON, CSV and XML are written by Scrapy's own item exporters
(``FEED_EXPORTERS``), SQLite by the stdlib, Parquet by DuckDB. A file is
written under a temporary name and renamed when complete (`replacing`).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonlines
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from reviewcrawler.exports.parquet import INSTALL_HINT, duckdb_available, write_parquet
from reviewcrawler.exports.replacing import DestinationError, replacing
from reviewcrawler.exports.sqlite import write_sqlite
from reviewcrawler.report.runs import Run

#: Extension (or ``--format`` name) → format.
FORMATS = {
    "jsonl": "jsonlines",
    "jsonlines": "jsonlines",
    "jl": "jsonlines",
    "json": "json",
    "csv": "csv",
    "xml": "xml",
    "sqlite": "sqlite",
    "db": "sqlite",
    "parquet": "parquet",
}
#: Formats that need a file: a database cannot be streamed to stdout.
FILE_ONLY = ("sqlite", "parquet")


class ExportUsageError(ValueError):
    """Bad input, found before anything was read or written (exit 2)."""


def choose_format(output: str, override: str | None) -> str:
    if override:
        fmt = FORMATS.get(override.lower().lstrip("."))
        if fmt is None:
            raise ExportUsageError(f"unknown --format {override!r}; use one of {_names()}")
    elif output == "-":
        fmt = "jsonlines"
    else:
        extension = Path(output).suffix.lower().lstrip(".")
        fmt = FORMATS.get(extension, "")
        if not fmt:
            raise ExportUsageError(
                f"cannot tell the format of {output!r} from its extension; "
                f"use one of {_names()} or --format"
            )
    if fmt in FILE_ONLY and output == "-":
        raise ExportUsageError(f"{fmt} export needs a file: -O FILE")
    if fmt == "parquet" and not duckdb_available():
        raise ExportUsageError(INSTALL_HINT)
    return fmt


def export(
    records: Iterable[dict[str, Any]],
    fmt: str,
    output: str,
    settings: BaseSettings,
    runs: Callable[[], list[Run]],
) -> int:
    """Write `records` to `output` (``-``: stdout); the number written.

    Raises `DestinationError` when `output` cannot be created (nothing read yet),
    `OSError` or `ExportWriteError` when writing fails (nothing left under its name).
    """
    if output == "-":
        return _write_stream(records, fmt, settings)
    with replacing(Path(output)) as path:
        try:
            if fmt == "sqlite":
                return write_sqlite(path, records, runs())
            if fmt == "parquet":
                return write_parquet(path, records)
            with path.open("wb") as out:
                return _write(records, fmt, out, settings)
        except sqlite3.Error as error:
            raise ExportWriteError(f"SQLite: {error}") from error
        except Exception as error:
            if type(error).__module__.startswith("duckdb"):
                raise ExportWriteError(f"DuckDB: {error}") from error
            raise


class ExportWriteError(RuntimeError):
    """Writing failed half-way (exit 1); the temporary file is gone."""


def _write_stream(records: Iterable[dict[str, Any]], fmt: str, settings: BaseSettings) -> int:
    out = sys.stdout.buffer
    count = _write(records, fmt, out, settings)
    out.flush()
    return count


def _write(records: Iterable[dict[str, Any]], fmt: str, out: Any, settings: BaseSettings) -> int:
    if fmt == "jsonlines":
        # The archive's own line format: compact, UTF-8, fields in record order.
        count = 0
        with jsonlines.Writer(out, compact=True) as writer:
            for record in records:
                writer.write(record)
                count += 1
        return count
    exporter_class = load_object(settings.getwithbase("FEED_EXPORTERS")[fmt])
    exporter = exporter_class(
        out,
        fields_to_export=settings.getlist("FEED_EXPORT_FIELDS") or None,
        encoding=settings.get("FEED_EXPORT_ENCODING") or "utf-8",
        indent=settings.getint("FEED_EXPORT_INDENT"),
    )
    count = 0
    exporter.start_exporting()
    for record in _without_nulls(records) if fmt == "xml" else records:
        exporter.export_item(record)
        count += 1
    exporter.finish_exporting()
    return count


def _without_nulls(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """XML has no null: a missing element says it (Scrapy would write the text "None")."""
    for record in records:
        yield {name: value for name, value in record.items() if value is not None}


def _names() -> str:
    return ", ".join(f".{name}" for name in FORMATS)


__all__ = [
    "DestinationError",
    "ExportUsageError",
    "ExportWriteError",
    "choose_format",
    "export",
]
