"""The benchmark's steps run here to check that they work and what they write, not to
time anything: their ``scrapy`` processes are forked ready-imported (`BENCH_SCRAPY`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.measure import SCRAPY_VARIABLE


@pytest.fixture
def forked_scrapy(scrapy_client: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ``scrapy`` command of the benchmark's processes, this test's own included."""
    monkeypatch.setenv(SCRAPY_VARIABLE, str(scrapy_client))
    return scrapy_client
