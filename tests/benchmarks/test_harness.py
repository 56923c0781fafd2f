"""``python -m benchmarks.run`` end to end on a tiny corpus, and the archive step's summary.

No timing is asserted; the real benchmark is ``make bench`` (see benchmarks/README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks import archive_open, corpus, summary
from tests.conftest import ROOT


def test_harness_runs_on_a_tiny_corpus(tmp_path: Path, forked_scrapy: Path) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.run", "--sizes", "5", "--repeat", "1",
            "--no-plot", "--no-archive-open", "--no-archive-scale", "--results", str(tmp_path),
            "--workdir", str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "targets (figures, not assertions):" in done.stdout
    results = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert {"machine", "versions", "project", "settings", "sizes", "archive_open", "checks"} <= set(
        results
    )
    (size,) = results["sizes"]
    assert size["pages"] == 5
    assert size["reviews"] == 5 * corpus.REVIEWS_PER_PAGE
    # Mixed by title: a title of 4 legacy pages, then a current one.
    assert size["corpus"]["pages_per_layout"] == {"legacy": 4, "current": 1}
    assert {r["variant"] for r in size["runs"]} == {"a", "b", "c", "s"}
    for record in size["runs"]:
        if record["variant"] in "ab":
            assert record["reviews_out"] == size["reviews"]
        assert record["exit_code"] == 0
    assert set(size["medians"]) == {"a", "b", "c", "s"}
    assert {"ratio_b_over_a", "c_time_over_b", "b_maxrss_mib", "b_ms_per_page"} <= set(
        size["figures"]
    )
    assert results["settings"]["scrapy"] == str(forked_scrapy)
    assert results["archive_open"] == {"skipped": "--no-archive-open"}
    assert all(check["status"] in {"PASS", "FAIL", "N/A"} for check in results["checks"])
    # The temporary corpus is gone; only the results remain.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json"]


def _archive_result(open_cost: float, rebuild_cost: float) -> dict:
    walls = {"empty": 1.0, "open": 1.0 + open_cost, "rebuild": 1.0 + rebuild_cost}
    return {
        "archive_reviews": 100_000,
        "archive_bytes": 170 * 2**20,
        "archive_files": 1_500,
        "index_bytes": 13 * 2**20,
        "runs": {kind: [{}] * 3 for kind in archive_open.ARCHIVE_KINDS},
        "median_wall_s": walls,
        "median_maxrss_mib": dict.fromkeys(archive_open.ARCHIVE_KINDS, 90.0),
        "open_cost_s": open_cost,
        "rebuild_cost_s": rebuild_cost,
        "build_wall_s": 120.0,
        "copy_s": 0.4,
        "cache": {"path": "/tmp/x", "reused": True, "built": "2026-11-25T10:00:00+00:00"},
        "in_process": {"entries": 100_000, "open_index_s": 0.002, "build_index_s": 2.0},
    }


def test_archive_step_figures_and_targets():
    """The archive step's table and target lines, on made-up figures (no crawl here)."""
    archive = _archive_result(0.25, 2.5)
    text = summary.archive_table(archive)
    assert "the big archive (index opened)" in text and "+0.250" in text
    assert "index deleted (rebuilt)" in text and "+2.500" in text
    assert "open_index 0.002 s, build_index 2.000 s (100,000 entries)" in text
    checks = {c["name"]: c["status"] for c in summary.target_checks([], archive)}
    assert checks["archive of 100,000 reviews opens (index load) in < 1 s"] == "PASS"
    assert checks["archive of 100,000 reviews opens (index rebuild) in < 1 s"] == "FAIL"
    skipped = {c["name"]: c["status"] for c in summary.target_checks([], {"skipped": "why"})}
    assert skipped["archive of 100,000 reviews opens (index load) in < 1 s"] == "N/A"


def test_archive_cache_is_reused_and_keyed_on_what_built_it(tmp_path):
    options = {"layouts": ["legacy", "current"], "source": "auto"}
    key = archive_open.archive_cache_key(100, options)
    assert key == archive_open.archive_cache_key(100, options)
    assert key != archive_open.archive_cache_key(200, options)
    assert key != archive_open.archive_cache_key(100, {**options, "layouts": ["legacy"]})
    entry = tmp_path / f"archive-100-{key}"
    (entry / "archive").mkdir(parents=True)
    info = {"key": key, "archive_reviews": 100, "build_wall_s": 1.0}
    (entry / archive_open.BUILD_INFO).write_text(json.dumps(info), encoding="utf-8")
    # A finished entry is used as it is: no crawl (it would fail here, without logs dir).
    path, found = archive_open.cached_archive(tmp_path, 100, options, tmp_path / "missing-logs")
    assert path == entry / "archive"
    assert found == {**info, "reused": True}
