"""The archive-scale step on tiny archives, and the archives it generates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import archive_scale
from tests.conftest import read_jsonl, scrapy_cmd


@pytest.mark.usefixtures("forked_scrapy")
def test_archive_scale_step_on_tiny_archives(tmp_path: Path) -> None:
    """The archive-scale step end to end, on archives of 1,000 and 2,000 reviews."""
    results = tmp_path / "results"
    cache = tmp_path / "cache"
    argv = ["--sizes", "1000,2000", "--repeat", "1", "--cache", str(cache)]
    assert archive_scale.main([*argv, "--results", str(results)]) == 0
    scale = json.loads((results / archive_scale.RESULT_FILE).read_text())
    small, big = scale["sizes"]
    assert (small["reviews"], big["reviews"]) == (1000, 2000)
    assert small["wall_ratio"] == 1.0 and big["wall_ratio"] > 0
    assert big["index_bytes"] > small["index_bytes"] > 0
    assert [c["status"] in ("PASS", "FAIL") for c in scale["checks"]] == [True, True]
    # Generated once, reindexed once: the next run reuses the cached archives.
    assert len(list(cache.glob("scale-*"))) == 2
    (again,) = archive_scale.daily_runs([1000], 1, tmp_path / "again", cache)
    assert again["archive_build"]["reused"] is True


def test_a_generated_archive_is_in_the_archive_layout(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive_scale.generate_archive(archive, 2_500)
    files = sorted(archive.glob("reviews/tt*/*.jsonl"))
    assert len(files) == 3 * len(archive_scale.RUNS)
    assert sum(len(read_jsonl(path)) for path in files) == 2_500
    assert len(list((archive / "runs").glob("*.json"))) == len(archive_scale.RUNS)
    reindexed = scrapy_cmd("archive", "reindex", "-s", f"ARCHIVE_DIR={archive}")
    assert reindexed.stdout.strip().startswith("indexed 2500 review(s)")
    assert scrapy_cmd("archive", "verify", "-s", f"ARCHIVE_DIR={archive}").returncode == 0
