"""What the cluster keeps in Redis, behind one class: titles, leases, the stream.

Keys (``<prefix>`` is ``CLUSTER_KEY_PREFIX``, default the spider name ``reviews``):

- ``<prefix>:titles``: list of ``"ttN ROUND"`` waiting for a worker.
- ``<prefix>:round``: counter; each `enqueue` call takes the next round, and so
  does a title whose lease ran out. ``<prefix>:title_round`` maps a title to its
  current round: requests and outcomes of an older round are stale and dropped,
  and the dupefilter namespaces page fingerprints by round, so a title enqueued
  again is crawled again.
- ``<prefix>:leases``: sorted set, title -> deadline (Redis clock). A worker
  extends it on every page of the title; a title whose lease ran out (its worker
  was killed with the title's next request in memory) is enqueued again.
- ``<prefix>:ended``: title -> round whose outcome is in the stream, not yet committed.
- ``<prefix>:done`` / ``<prefix>:failed``: titles whose last committed crawl was
  complete / incomplete; ``<prefix>:title_state``: title -> JSON of that outcome.
- ``<prefix>:stream``: a Stream of reviews, rejects and title outcomes, read by
  the consumer group ``ingest``; an entry is acknowledged and deleted once committed.
- ``<prefix>:fp:<bucket>``: hashes review number -> content fingerprint (64 bits)
  of what the archive holds, 100 reviews per hash (Redis packs small hashes).

Longer than most modules on purpose: every key above is read and written only
here (its Lua scripts included), so the cluster's use of Redis is in one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import TitleState
from reviewcrawler.ids import REVIEW

if TYPE_CHECKING:
    from redis import Redis

GROUP = "ingest"
#: One ingester at a time (the archive lock), so one consumer name: a restarted
#: ingester reads the entries its killed predecessor had not acknowledged.
CONSUMER = "ingester"
#: Hex digits of the content fingerprint kept in Redis: 64 bits.
FINGERPRINT_DIGITS = 16
FP_BUCKET = 100

_POP_TITLE = """
while true do
  local entry = redis.call('RPOP', KEYS[1])
  if not entry then return false end
  local title, round = string.match(entry, '^(%S+) (%d+)$')
  if title and redis.call('HGET', KEYS[2], title) == round then
    local now = redis.call('TIME')
    redis.call('ZADD', KEYS[3], tonumber(now[1]) + tonumber(ARGV[1]), title)
    return {title, round}
  end
end
"""

_EXTEND_LEASE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
local now = redis.call('TIME')
return redis.call('ZADD', KEYS[2], 'XX', 'CH', tonumber(now[1]) + tonumber(ARGV[3]), ARGV[1]) + 1
"""

_REQUEUE_EXPIRED = """
local now = redis.call('TIME')
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', tonumber(now[1]))
for _, title in ipairs(expired) do
  redis.call('ZREM', KEYS[1], title)
  local round = redis.call('INCR', KEYS[2])
  redis.call('HSET', KEYS[3], title, round)
  redis.call('RPUSH', KEYS[4], title .. ' ' .. round)
end
return expired
"""

_END_TITLE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return false end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return redis.call('XADD', KEYS[4], '*', 'kind', 'title', 'round', ARGV[2], 'data', ARGV[3])
"""


@dataclass(frozen=True, slots=True)
class Status:
    queued: int
    #: Titles a worker holds a lease on (their pages are being fetched).
    leased: int
    #: Titles whose outcome is in the stream, not yet committed.
    ending: int
    done: int
    failed: int
    stream: int

    @property
    def in_flight(self) -> int:
        return self.leased + self.ending

    def line(self) -> str:
        return (
            f"titles: {self.queued} queued, {self.in_flight} in flight, {self.done} done, "
            f"{self.failed} failed; {self.stream} stream entries not yet ingested"
        )

    @property
    def idle(self) -> bool:
        return not (self.queued or self.in_flight or self.stream)


@dataclass(frozen=True, slots=True)
class Entry:
    """One stream entry: ``kind`` is ``review``, ``reject`` or ``title``."""

    entry_id: str
    kind: str
    round: int | None
    data: dict[str, Any]


class ClusterState:
    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._pop_title = client.register_script(_POP_TITLE)
        self._extend_lease = client.register_script(_EXTEND_LEASE)
        self._requeue_expired = client.register_script(_REQUEUE_EXPIRED)
        self._end_title = client.register_script(_END_TITLE)

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # Titles: enqueue, take, lease, end.

    def enqueue(self, titles: Sequence[str], dupefilter_key: str) -> int:
        """Queue `titles` in a new round; returns the round.

        When nothing is queued or in flight, a new round of the whole cluster
        begins: the shared request fingerprints of the last one are dropped.
        """
        if self.status().idle:
            self.client.delete(dupefilter_key)
        round_ = int(self.client.incr(self.key("round")))
        with self.client.pipeline() as pipe:
            for title in titles:
                pipe.hset(self.key("title_round"), title, round_)
                pipe.hdel(self.key("ended"), title)  # its outcome, if still in the stream, is stale
                pipe.lpush(self.key("titles"), f"{title} {round_}")
            pipe.execute()
        return round_

    def take_title(self, lease_seconds: float) -> tuple[str, int] | None:
        """The next queued title and its round, leased to the caller; ``None`` if none."""
        taken = self._pop_title(
            keys=[self.key("titles"), self.key("title_round"), self.key("leases")],
            args=[lease_seconds],
        )
        if not taken:
            return None
        title, round_ = taken
        return _text(title), int(round_)

    def is_current(self, title_id: str, round_: int) -> bool:
        current = self.client.hget(self.key("title_round"), title_id)
        return current is not None and int(current) == round_

    def extend_lease(self, title_id: str, round_: int, lease_seconds: float) -> None:
        self._extend_lease(
            keys=[self.key("title_round"), self.key("leases")],
            args=[title_id, round_, lease_seconds],
        )

    def requeue_expired(self) -> list[str]:
        """Titles whose lease ran out, put back at the head of the queue in a new round."""
        expired = self._requeue_expired(
            keys=[
                self.key("leases"),
                self.key("round"),
                self.key("title_round"),
                self.key("titles"),
            ]
        )
        return [_text(title) for title in expired]

    def end_title(self, title_id: str, round_: int, outcome: Mapping[str, Any]) -> bool:
        """Send the title's outcome to the stream and release its lease; ``False`` if stale."""
        added = self._end_title(
            keys=[
                self.key("title_round"),
                self.key("leases"),
                self.key("ended"),
                self.key("stream"),
            ],
            args=[title_id, round_, json.dumps(outcome)],
        )
        return bool(added)

    # The stream.

    def add(self, kind: str, data: Mapping[str, Any], round_: int | None = None) -> None:
        fields = {"kind": kind, "data": json.dumps(data, ensure_ascii=False)}
        if round_ is not None:
            fields["round"] = str(round_)
        self.client.xadd(self.key("stream"), fields)  # type: ignore[arg-type]

    def ensure_group(self) -> None:
        from redis.exceptions import ResponseError

        try:
            self.client.xgroup_create(self.key("stream"), GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def read(self, count: int, block_ms: int, pending: bool) -> list[Entry]:
        """Up to `count` entries: those read before and not acknowledged, else new ones."""
        reply = self.client.xreadgroup(
            GROUP,
            CONSUMER,
            {self.key("stream"): "0" if pending else ">"},
            count=count,
            block=None if pending or not block_ms else block_ms,
        )
        entries = []
        # RESP2, the protocol the client speaks: a list of (stream, entries).
        streams = cast("list[tuple[Any, list[tuple[Any, dict[Any, Any] | None]]]]", reply or [])
        for _stream, messages in streams:
            for entry_id, fields in messages:
                if not fields:
                    continue  # deleted after it was read: nothing to commit
                raw = {_text(k): _text(v) for k, v in fields.items()}
                round_ = int(raw["round"]) if "round" in raw else None
                entries.append(Entry(_text(entry_id), raw["kind"], round_, json.loads(raw["data"])))
        return entries

    def committed(
        self,
        entry_ids: Sequence[str],
        fingerprints: Iterable[tuple[str, str]],
        outcomes: Iterable[tuple[str, Mapping[str, Any]]],
    ) -> None:
        """After a commit: record what the archive now holds, then acknowledge.

        `outcomes` are those of the titles' current rounds (`is_current`).
        """
        with self.client.pipeline() as pipe:
            for review_id, fingerprint in fingerprints:
                bucket, field = fingerprint_slot(review_id)
                pipe.hset(self.key(f"fp:{bucket}"), field, fingerprint[:FINGERPRINT_DIGITS])
            for title_id, outcome in outcomes:
                done, failed = ("done", "failed") if outcome.get("complete") else ("failed", "done")
                pipe.sadd(self.key(done), title_id)
                pipe.srem(self.key(failed), title_id)
                pipe.hset(self.key("title_state"), title_id, json.dumps(outcome))
                pipe.hdel(self.key("ended"), title_id)
            if entry_ids:
                pipe.xack(self.key("stream"), GROUP, *entry_ids)
                pipe.xdel(self.key("stream"), *entry_ids)
            pipe.execute()

    # Watching.

    def status(self) -> Status:
        with self.client.pipeline() as pipe:
            pipe.llen(self.key("titles"))
            pipe.zcard(self.key("leases"))
            pipe.hlen(self.key("ended"))
            pipe.scard(self.key("done"))
            pipe.scard(self.key("failed"))
            pipe.xlen(self.key("stream"))
            queued, leased, ended, done, failed, stream = pipe.execute()
        return Status(queued, leased, ended, done, failed, stream)


class RedisArchivedState:
    """`reviewcrawler.cluster.archived.ArchivedState`, answered from what the ingester keeps."""

    def __init__(self, state: ClusterState) -> None:
        self.state = state

    def holds(self, record: Mapping[str, Any]) -> bool:
        return self.is_archived(record["review_id"], content_fingerprint(record))

    def title_state(self, title_id: str) -> TitleState | None:
        raw = self.state.client.hget(self.state.key("title_state"), title_id)
        if raw is None:
            return None
        outcome = json.loads(_text(raw))
        complete = bool(outcome.get("complete"))
        run_id = str(outcome.get("run_id") or "")
        return TitleState(
            title_id,
            run_id,
            complete,
            run_id if complete else None,
            str(outcome.get("order") or "newest"),
            outcome.get("newest_date"),
            outcome.get("layout"),
        )

    def is_archived(self, review_id: str, fingerprint: str) -> bool:
        bucket, field = fingerprint_slot(review_id)
        held = self.state.client.hget(self.state.key(f"fp:{bucket}"), field)
        return held is not None and _text(held) == fingerprint[:FINGERPRINT_DIGITS]


def fingerprint_slot(review_id: str) -> tuple[int, str]:
    """Hash and field of a review: ``rw1234567`` -> ``(12345, "67")``."""
    number = int(REVIEW.check(review_id).removeprefix(REVIEW.prefix))
    return number // FP_BUCKET, str(number % FP_BUCKET)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
