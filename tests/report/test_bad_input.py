"""Bad input to ``export`` and ``report``: one line, exit 2 (1 when writing fails), no file."""

from __future__ import annotations

import pytest

from reviewcrawler.exports.replacing import replacing
from tests.report.conftest import archive_cmd


def assert_one_line_refusal(result, status: int, *words: str) -> None:
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scrapy archive: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("action", ["export", "report"])
def test_title_not_in_archive(fixtures_archive, tmp_path, action):
    out = tmp_path / "out.csv"
    result = archive_cmd(fixtures_archive, action, "-O", str(out), "--title", "tt0396184,tt9999999")
    assert_one_line_refusal(result, 2, "tt9999999")
    assert list(tmp_path.iterdir()) == []


def test_unknown_extension(fixtures_archive, tmp_path):
    result = archive_cmd(fixtures_archive, "export", "-O", str(tmp_path / "reviews.ods"))
    assert_one_line_refusal(result, 2, "reviews.ods", ".csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("action", ["export", "report"])
def test_unwritable_destination(fixtures_archive, tmp_path, action):
    for out in (tmp_path / "missing" / "out.jsonl", tmp_path):
        result = archive_cmd(fixtures_archive, action, "-O", str(out))
        assert_one_line_refusal(result, 2, str(out))
    assert list(tmp_path.iterdir()) == []


def test_write_failure_is_exit_1(fixtures_archive):
    result = archive_cmd(fixtures_archive, "export", "-O", "/dev/full", "--format", "jsonl")
    assert_one_line_refusal(result, 1, "No space left")


def test_refusal_keeps_a_good_file(fixtures_archive, tmp_path):
    good = tmp_path / "report.html"
    good.write_text("the last good report")
    result = archive_cmd(fixtures_archive, "report", "-o", str(good), "--title", "tt0000001")
    assert result.returncode == 2
    assert good.read_text() == "the last good report"


def test_a_failed_write_leaves_neither_half_file_nor_temporary(tmp_path):
    good = tmp_path / "all.csv"
    good.write_text("the last good export")
    with pytest.raises(RuntimeError), replacing(good) as partial:
        partial.write_text("half of a new exp")
        raise RuntimeError("killed")
    assert good.read_text() == "the last good export"
    assert [p.name for p in tmp_path.iterdir()] == ["all.csv"]


def test_missing_extras_say_how_to_install(fixtures_archive, tmp_path):
    """Without matplotlib or DuckDB: one line naming the pip command, exit 2."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    hide = "import sys; sys.modules['matplotlib'] = sys.modules['duckdb'] = None; "
    run = "from scrapy.cmdline import execute; execute()"
    for action, out, extra in (("report", "r.html", "report"), ("export", "a.parquet", "parquet")):
        result = subprocess.run(
            [sys.executable, "-c", hide + run, "archive", action, "-O", str(tmp_path / out),
             "-s", f"ARCHIVE_DIR={fixtures_archive}"],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert_one_line_refusal(result, 2, f"pip install -e '.[{extra}]'")
    assert list(tmp_path.iterdir()) == []
