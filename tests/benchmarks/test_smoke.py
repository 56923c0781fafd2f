"""Cheap checks that the benchmark still runs; no timing is asserted here.

The real benchmark is ``make bench`` (see benchmarks/README.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from benchmarks import archive_open, corpus, floor, summary
from tests.conftest import ROOT, fixture_path, read_jsonl, scrapy_cmd

PAGES = 3
#: Two titles: one of each layout (titles alternate, 4 pages each).
MIXED_PAGES = 2 * corpus.PAGES_PER_TITLE
NEXT_DATA = re.compile(r'<script id="__NEXT_DATA__" type="application/json">(.*?)</script>', re.S)


def test_corpus_is_deterministic_with_unique_review_ids(tmp_path):
    first = corpus.generate(tmp_path / "one", PAGES, layouts=("legacy",))
    second = corpus.generate(tmp_path / "two", PAGES, layouts=("legacy",))
    assert first.digest == second.digest
    assert first.reviews == PAGES * corpus.REVIEWS_PER_PAGE
    ids = []
    for name in first.files:
        html = (first.pages_dir / name).read_text(encoding="utf-8")
        page_ids = re.findall(r'data-review-id="(rw\d+)"', html)
        assert len(page_ids) == corpus.REVIEWS_PER_PAGE
        # Every link of a review names its new id: vote URL, headline and Permalink.
        for review_id in page_ids:
            assert html.count(f"/review/{review_id}/") == 3
        assert "data-key=" not in html
        ids += page_ids
    assert len(set(ids)) == len(ids) == first.reviews
    assert ids[0] == first.first_review_id and ids[-1] == first.last_review_id


def test_mixed_corpus_renames_current_cards_and_their_json(tmp_path):
    """Current pages: new ids in every card link and in both JSON shapes, nothing of the source."""
    first = corpus.generate(tmp_path / "one", MIXED_PAGES)
    assert first.digest == corpus.generate(tmp_path / "two", MIXED_PAGES).digest
    assert first.layouts == ["legacy", "current"]
    assert first.pages_per_layout == {"legacy": 4, "current": 4}
    source = fixture_path(corpus.CurrentLayout.FIXTURE_PAGE).read_text(encoding="utf-8")
    source_ids = set(re.findall(r"\brw\d+\b", source))
    ids = []
    for name in first.files:
        html = (first.pages_dir / name).read_text(encoding="utf-8")
        page_ids = list(dict.fromkeys(re.findall(r"/review/(rw\d+)/", html)))
        assert len(page_ids) == corpus.REVIEWS_PER_PAGE, name
        ids += page_ids
        if "user-review-item" not in html:
            continue
        title_id = name.split("-")[0]
        assert "tt0396184" not in html and not source_ids & set(re.findall(r"\brw\d+\b", html))
        assert (
            f'<link rel="canonical" href="https://www.imdb.com/title/{title_id}/reviews/"/>' in html
        )
        data = json.loads(NEXT_DATA.search(html).group(1))
        content = data["props"]["pageProps"]["contentData"]
        assert [e["review"]["reviewId"] for e in content["reviews"]] == page_ids
        edges = content["data"]["title"]["reviews"]["edges"]
        assert [e["node"]["id"] for e in edges] == page_ids
        assert content["entityMetadata"]["id"] == data["query"]["tconst"] == title_id
        assert content["reviewCount"] == 4 * corpus.REVIEWS_PER_PAGE
        assert content["pageInfo"]["hasNextPage"] is False
        assert "<" not in NEXT_DATA.search(html).group(1)  # still safe inside <script>
    assert len(set(ids)) == len(ids) == first.reviews


def test_floor_reads_every_review(tmp_path):
    pages = corpus.generate(tmp_path / "corpus", MIXED_PAGES)
    output = tmp_path / "floor.jsonl"
    assert floor.run([pages.pages_dir], output) == (MIXED_PAGES, pages.reviews)
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len({r["review_id"] for r in records}) == pages.reviews
    assert all(r["text"] and r["author_id"] and r["date"] for r in records)


def test_harness_runs_on_a_tiny_corpus(tmp_path):
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
    assert results["archive_open"] == {"skipped": "--no-archive-open"}
    assert all(check["status"] in {"PASS", "FAIL", "N/A"} for check in results["checks"])
    # The temporary corpus is gone; only the results remain.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json"]


@pytest.mark.parametrize("layout", ["legacy", "current"])
def test_floor_extracts_what_the_crawler_does(tmp_path, layout):
    """The floor is only a floor if it does the same work: same records, field by field.

    On current pages the floor reads the cards and fills in from ``__NEXT_DATA__``
    as the crawl does (see `benchmarks.floor.current_reviews` for what it leaves
    out); on the generated pages that gives the same records. When the crawler's
    record changes on purpose, change `benchmarks.floor` to match.
    """
    pages = corpus.generate(tmp_path / "corpus", 1, layouts=(layout,))
    crawled_path = tmp_path / "crawl.jsonl"
    archive = tmp_path / "archive"
    done = scrapy_cmd(
        "crawl", "reviews", "-a", f"path={pages.pages_dir}", "-O", str(crawled_path),
        "-s", "LOG_LEVEL=WARNING", "-s", f"ARCHIVE_DIR={archive}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The archive step's in-process timings still find the archive's index functions.
    timings = archive_open.index_timings(archive, 1)
    assert timings.get("entries") == pages.reviews, timings
    crawled = {record["review_id"]: record for record in read_jsonl(crawled_path)}
    output = tmp_path / "floor.jsonl"
    floor.run([pages.pages_dir], output)
    records = read_jsonl(output)
    assert len(records) == len(crawled) == pages.reviews
    for record in records:
        expected = crawled[record["review_id"]]
        assert list(record) == list(expected)
        for name in record.keys() - {"scraped_at"}:
            assert record[name] == expected[name], (record["review_id"], name)


@pytest.mark.parametrize("case", ["pusher-2025", "pusher2-2026", "pusher2-saved"])
def test_floor_reads_current_fixtures_as_their_golden_records(tmp_path, case):
    """Pages nobody generated: both JSON shapes, a browser's copy with more cards than JSON.

    Every field but ``source_url``/``scraped_at``; the fragment fixture is left
    out because it needs ``-a title=``, which the floor does not take.
    """
    output = tmp_path / "floor.jsonl"
    floor.run([fixture_path("current", f"{case}.html")], output)
    golden = read_jsonl(fixture_path("current", f"{case}.jsonl"))
    records = read_jsonl(output)
    assert [r["review_id"] for r in records] == [g["review_id"] for g in golden]
    for record, expected in zip(records, golden, strict=True):
        for name in expected:
            assert record[name] == expected[name], (record["review_id"], name)


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


def test_stage_breakdown_runs_on_a_tiny_corpus(capsys):
    from benchmarks import stages

    assert stages.main(["--pages", "2", "--rounds", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("legacy ") and "parse" in lines[1]
    assert lines[2].startswith("current ") and "floor" in lines[2]
    assert lines[3].startswith("engine ")


def test_archive_scale_step_on_tiny_archives(tmp_path):
    """The archive-scale step end to end, on archives of 1,000 and 2,000 reviews."""
    from benchmarks import archive_scale

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


def test_a_generated_archive_is_in_the_archive_layout(tmp_path):
    from benchmarks import archive_scale

    archive = tmp_path / "archive"
    archive_scale.generate_archive(archive, 2_500)
    files = sorted(archive.glob("reviews/tt*/*.jsonl"))
    assert len(files) == 3 * len(archive_scale.RUNS)
    assert sum(len(read_jsonl(path)) for path in files) == 2_500
    assert len(list((archive / "runs").glob("*.json"))) == len(archive_scale.RUNS)
    verified = scrapy_cmd("archive", "reindex", "-s", f"ARCHIVE_DIR={archive}")
    assert verified.stdout.strip().startswith("indexed 2500 review(s)")
    assert scrapy_cmd("archive", "verify", "-s", f"ARCHIVE_DIR={archive}").returncode == 0
