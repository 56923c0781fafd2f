"""``python -m benchmarks.stages`` runs and prints its lines; it times nothing here."""

from __future__ import annotations

import pytest

from benchmarks import stages


@pytest.mark.usefixtures("forked_scrapy")
def test_stage_breakdown_runs_on_a_tiny_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert stages.main(["--pages", "2", "--rounds", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("legacy ") and "parse" in lines[1]
    assert lines[2].startswith("current ") and "floor" in lines[2]
    assert lines[3].startswith("engine ")
