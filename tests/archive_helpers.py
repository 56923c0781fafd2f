"""Reading an archive the way a user (or a hidden check) would: every file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import read_jsonl


def manifests(archive: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((archive / "runs").glob("*.json"))]


def review_files(archive: Path) -> list[Path]:
    return sorted((archive / "reviews").glob("*/*.jsonl"), key=lambda p: (p.stem, p.parent.name))


def run_reviews(archive: Path, run_id: str) -> list[dict[str, Any]]:
    return [r for p in review_files(archive) if p.stem == run_id for r in read_jsonl(p)]


def assert_valid_archive(archive: Path) -> None:
    """Every committed file parses; no run's partial file is mistaken for one."""
    for path in (archive / "reviews").glob("*/*.jsonl"):
        assert read_jsonl(path), f"empty archive file {path}"
    for path in (archive / "rejects").glob("*.jsonl"):
        assert all(reject["reasons"] for reject in read_jsonl(path))
    for manifest in manifests(archive):
        for name in manifest["files"]:
            assert (archive / name).is_file(), name
