"""``scrapy archive export -O FILE``: every format read back by its own reader."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import duckdb
import pytest

from reviewcrawler.exports.schema import review_columns
from tests.conftest import read_jsonl
from tests.report.conftest import archive_cmd

COLUMNS = review_columns()


@pytest.fixture(scope="module")
def reference(fixtures_archive, tmp_path_factory) -> list[dict[str, Any]]:
    """``export -O all.jsonl``: what every other format must say, field by field."""
    out = tmp_path_factory.mktemp("reference") / "all.jsonl"
    result = archive_cmd(fixtures_archive, "export", "-O", str(out))
    assert result.returncode == 0, result.stderr
    records = read_jsonl(out)
    # The comparisons below mean something only if nulls and both booleans occur.
    assert any(r["rating"] is None for r in records)
    assert {r["spoiler"] for r in records} == {True, False}
    return records


def export(archive: Path, out: Path, *args: str) -> Path:
    result = archive_cmd(archive, "export", "-O", str(out), *args)
    assert result.returncode == 0, result.stderr
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".partial")]
    return out


def typed(name: str, text: str | None) -> Any:
    """A CSV or XML cell back to the record's type: empty or absent is null."""
    if text is None or text == "":
        return None
    kind = COLUMNS[name]
    if kind is bool:
        return {"True": True, "False": False}[text]
    return kind(text)


def test_json(fixtures_archive, reference, tmp_path):
    out = export(fixtures_archive, tmp_path / "all.json")
    assert json.loads(out.read_text(encoding="utf-8")) == reference


def test_csv(fixtures_archive, reference, tmp_path):
    out = export(fixtures_archive, tmp_path / "all.csv")
    with out.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    assert list(rows[0]) == list(COLUMNS)
    assert [{k: typed(k, v) for k, v in row.items()} for row in rows] == reference


def test_xml(fixtures_archive, reference, tmp_path):
    out = export(fixtures_archive, tmp_path / "all.xml")
    items = ElementTree.parse(out).getroot().findall("item")
    back = [{name: typed(name, item.findtext(name)) for name in COLUMNS} for item in items]
    assert back == reference


@pytest.mark.parametrize("extension", ["sqlite", "db"])
def test_sqlite(fixtures_archive, reference, tmp_path, extension):
    out = export(fixtures_archive, tmp_path / f"all.{extension}")
    with sqlite3.connect(out) as db:
        db.row_factory = sqlite3.Row
        declared = {row["name"]: row for row in db.execute("PRAGMA table_info(reviews)")}
        rows = [dict(row) for row in db.execute("SELECT * FROM reviews ORDER BY rowid")]
        indexes = {row["name"]: row for row in db.execute("PRAGMA index_list(reviews)")}
        indexed = {
            db.execute(f"PRAGMA index_info({name})").fetchone()["name"] for name in indexes
        }
        runs = [dict(row) for row in db.execute("SELECT * FROM runs ORDER BY run_id")]
    assert declared["review_id"]["pk"] == 1
    assert declared["spoiler"]["type"] == "BOOLEAN"
    assert declared["rating"]["type"] == declared["helpful_yes"]["type"] == "INTEGER"
    assert {"title_id", "date"} <= indexed
    # Booleans come back as 0/1, nulls as NULL; everything else exactly as exported.
    assert {r["spoiler"] for r in rows} == {0, 1}
    assert [{**r, "spoiler": bool(r["spoiler"])} for r in rows] == reference
    manifests = sorted((fixtures_archive / "runs").glob("*.json"))
    assert [r["run_id"] for r in runs] == [p.stem for p in manifests]
    assert sum(r["new"] for r in runs) == len(reference)
    assert sum(r["rejected"] for r in runs) == len(list((fixtures_archive / "rejects").glob("*")))
    assert json.loads(runs[0]["manifest"]) == json.loads(manifests[0].read_text())


def test_parquet(fixtures_archive, reference, tmp_path):
    out = export(fixtures_archive, tmp_path / "all.parquet")
    with duckdb.connect() as db:
        relation = db.sql(f"SELECT * FROM read_parquet('{out}')")
        types = dict(zip(relation.columns, map(str, relation.types), strict=True))
        rows = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    assert types["spoiler"] == "BOOLEAN" and types["rating"] == "BIGINT"
    assert rows == reference


def test_format_overrides_the_extension(fixtures_archive, reference, tmp_path):
    out = export(fixtures_archive, tmp_path / "reviews.txt", "--format", "csv")
    assert out.read_text(encoding="utf-8").startswith(",".join(COLUMNS))
    stdout = archive_cmd(fixtures_archive, "export", "--format", "json", "--quiet")
    assert json.loads(stdout.stdout) == reference


def test_replaces_an_existing_file_whole(fixtures_archive, reference, tmp_path):
    out = tmp_path / "all.sqlite"
    out.write_text("an older export")
    export(fixtures_archive, out)
    with sqlite3.connect(out) as db:
        assert db.execute("SELECT count(*) FROM reviews").fetchone()[0] == len(reference)
