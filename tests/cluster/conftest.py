from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewcrawler.cluster.connection import missing_extra
from tests.cluster.redisserver import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if missing_extra() is not None:
        pytest.skip(missing_extra() or "")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()
