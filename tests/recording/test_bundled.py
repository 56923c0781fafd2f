"""The bundled recordings (recordings/) replay their title offline, and are up to date."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import pytest
import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.outcome import ExitStatus, exit_status
from reviewcrawler.recording.directory import read_manifest
from reviewcrawler.recording.warc import successful_bodies
from tests.conftest import FIXTURES, ROOT, crawl, project_settings, read_jsonl

RECORDINGS = ROOT / "recordings"
#: Carried from a title's first page in a crawl, null in a later page's golden.
CARRIED = ("movie_title", "movie_year")
PER_RUN = ("source_url", "scraped_at")


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_recordings", RECORDINGS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUNDLED: dict[str, tuple[str, ...]] = builder().BUNDLED


def recorded_bodies(recording: Path) -> dict[str, bytes]:
    return {
        url: (recording / relative).read_bytes()
        for url, relative in read_manifest(recording).items()
    }


def golden(case: str) -> list[dict]:
    path = (FIXTURES / case).with_suffix(".jsonl")
    return [{k: v for k, v in record.items() if k not in CARRIED} for record in read_jsonl(path)]


@pytest.mark.parametrize("name", BUNDLED)
def test_a_bundled_recording_is_what_the_build_script_makes_of_the_fixtures_now(name, tmp_path):
    builder().main(["--into", str(tmp_path)])
    assert recorded_bodies(RECORDINGS / name) == recorded_bodies(tmp_path / name), (
        "the fixtures changed: run `make recordings` and commit recordings/"
    )


@pytest.mark.parametrize("name", BUNDLED)
def test_a_bundled_warc_file_holds_the_same_pages_as_its_manifest(name):
    warc_file = RECORDINGS / name / "responses.warc.gz"
    warc = {url: body for url, body, _ in successful_bodies(warc_file)}
    assert warc == recorded_bodies(RECORDINGS / name)


@pytest.mark.parametrize("name", BUNDLED)
def test_each_fixture_page_is_recorded_under_the_url_its_meta_names(name):
    recorded = recorded_bodies(RECORDINGS / name)
    for case in BUNDLED[name]:
        meta = json.loads((FIXTURES / case).with_suffix(".meta.json").read_text("utf-8"))
        assert recorded[meta["url"]] == (FIXTURES / case).read_bytes()


@pytest.mark.parametrize("name", BUNDLED)
@pytest_twisted.inlineCallbacks
def test_a_bundled_recording_replays_every_page_of_its_title_to_the_golden_records(name):
    cases = BUNDLED[name]
    title_ids = {record["title_id"] for case in cases for record in golden(case)}
    assert len(title_ids) == 1 and len(cases) > 1  # one title, paginated
    (title_id,) = title_ids
    result = yield deferred_from_coro(
        # Made from the fixtures, which are in IMDb's default (helpfulness) order.
        crawl(project_settings(), order="helpful", title=title_id, replay=str(RECORDINGS / name))
    )
    replayed = [
        {k: v for k, v in asdict(item).items() if k not in CARRIED + PER_RUN}
        for item in result.items
    ]
    expected = [record for case in cases for record in golden(case)]
    assert sorted(replayed, key=lambda r: r["review_id"]) == sorted(
        expected, key=lambda r: r["review_id"]
    )
    assert result.stats[f"reviewcrawler/title/{title_id}/pages"] == len(cases)
    assert exit_status(result.stats) is ExitStatus.COMPLETE
    assert "reviewcrawler/replay/misses" not in result.stats
    first_page = read_jsonl((FIXTURES / cases[0]).with_suffix(".jsonl"))[0]
    assert {(item.movie_title, item.movie_year) for item in result.items} == {
        (first_page["movie_title"], first_page["movie_year"])
    }
