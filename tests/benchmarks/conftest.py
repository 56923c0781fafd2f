"""The benchmark's steps run here to check that they work and what they write, not to
time anything: their ``scrapy`` processes are forked ready-imported (`BENCH_SCRAPY`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.measure import SCRAPY_VARIABLE
from tests import launcher


@pytest.fixture
def forked_scrapy(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The ``scrapy`` command of the benchmark's processes, this test's own included."""
    client = tmp_path_factory.mktemp("client") / "scrapy"
    with launcher.installed_client(client):
        monkeypatch.setenv(SCRAPY_VARIABLE, str(client))
        yield client
