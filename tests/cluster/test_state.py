"""The Redis state behind the cluster, against a real redis-server, in-process."""

from __future__ import annotations

import pytest
from redis import Redis

from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.cluster.archived import ArchivedState
from reviewcrawler.cluster.connection import redacted
from reviewcrawler.cluster.state import ClusterState, RedisArchivedState, fingerprint_slot
from tests.cluster.redisserver import RedisServer


@pytest.fixture
def state(redis_server: RedisServer) -> ClusterState:
    return ClusterState(Redis.from_url(redis_server.url), "reviews")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:s3cret@db.example:6380/2", "redis://:***@db.example:6380/2"),
        ("rediss://user:p%40ss@db.example/0", "rediss://user:***@db.example/0"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ],
)
def test_passwords_never_shown(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_fingerprint_slots_pack_a_hundred_reviews_per_hash() -> None:
    assert fingerprint_slot("rw1234567") == (12345, "67")
    assert fingerprint_slot("rw0000100") == (1, "0")


def test_the_caught_up_questions_are_answered_from_what_was_committed(
    state: ClusterState,
) -> None:
    archived: ArchivedState = RedisArchivedState(state)
    record = {"review_id": "rw7654321", "headline": "h", "text": "t", "rating": 7}
    fingerprint = content_fingerprint(record)
    assert not archived.is_archived("rw7654321", fingerprint)
    assert archived.title_state("tt0000001") is None
    state.ensure_group()
    state.committed(
        [],
        [("rw7654321", fingerprint)],
        [("tt0000001", {"complete": True}), ("tt0000002", {"complete": False, "reason": "x"})],
    )
    assert archived.is_archived("rw7654321", fingerprint)
    assert not archived.is_archived("rw7654321", content_fingerprint({**record, "text": "edited"}))
    assert [archived.title_state(t).complete for t in ("tt0000001", "tt0000002")] == [True, False]
    status = state.status()
    assert (status.done, status.failed) == (1, 1)


def test_an_expired_lease_puts_the_title_back_in_a_new_round(state: ClusterState) -> None:
    first = state.enqueue(["tt0000001"], "reviews:dupefilter")
    assert state.take_title(lease_seconds=-1) == ("tt0000001", first)
    assert state.take_title(lease_seconds=-1) is None
    assert state.requeue_expired() == ["tt0000001"]
    assert not state.is_current("tt0000001", first)
    title, round_ = state.take_title(lease_seconds=600) or ("", 0)
    assert (title, round_ > first) == ("tt0000001", True)
    assert state.requeue_expired() == []
    # An outcome of the stale round is not sent; the current one is.
    assert not state.end_title("tt0000001", first, {"complete": True})
    assert state.end_title("tt0000001", round_, {"complete": True})
    assert state.status().leased == 0
