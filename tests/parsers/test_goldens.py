"""Every saved page in fixtures/ against its golden JSON Lines, field by field.

A case is ``<name>.html`` (or ``<name>.json``, a GraphQL answer) + ``<name>.jsonl``
(the valid reviews, in page order, without the per-run fields) +
``<name>.meta.json`` (URL, layout, notes, and an optional ``title_hint``: the
``-a title=`` a page that does not name its title needs). The parser runs
without an engine, on the page's bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewcrawler.filepages import saved_response
from reviewcrawler.items import GOLDEN_FIELDS, REVIEW_FIELDS
from reviewcrawler.parsers import Unreadable, read
from reviewcrawler.pipelines.validate import review_problems
from tests.conftest import FIXTURES, read_jsonl

SCRAPED_AT = "2026-01-01T00:00:00+00:00"
CASES = sorted(p.with_suffix("") for p in FIXTURES.rglob("*.jsonl"))


def _case_id(case: Path) -> str:
    return str(case.relative_to(FIXTURES))


def parse_case(case: Path) -> tuple[str | None, list[dict[str, object]]]:
    """The layout and valid records `read` answers for the case's page, as the
    spider gets them (no engine)."""
    meta = json.loads(case.with_suffix(".meta.json").read_text(encoding="utf-8"))
    page = case.with_suffix(".html")
    if not page.exists():
        page = case.with_suffix(".json")
    response = saved_response(meta["url"], page.read_bytes(), page.name)
    outcome = read(response, scraped_at=SCRAPED_AT, title_id=meta.get("title_hint"))
    if isinstance(outcome, Unreadable):
        return None, []
    valid = [r for r in outcome.reviews if not review_problems(r)]
    records = [{name: getattr(r, name) for name in REVIEW_FIELDS} for r in valid]
    for record in records:
        assert record["source_url"] == meta["url"]
        assert record["scraped_at"] == SCRAPED_AT
    return outcome.layout, records


@pytest.fixture(scope="module", params=CASES, ids=_case_id)
def case(request: pytest.FixtureRequest) -> tuple[Path, list[dict[str, object]], list]:
    path: Path = request.param
    _layout, records = parse_case(path)
    return path, records, read_jsonl(path.with_suffix(".jsonl"))


def test_same_reviews_in_same_order(case):
    _, records, golden = case
    assert [r["review_id"] for r in records] == [g["review_id"] for g in golden]


def test_no_missing_or_extra_fields(case):
    """Each expected record holds exactly the golden fields, in the record's order."""
    _, _, golden = case
    for expected in golden:
        assert list(expected) == list(GOLDEN_FIELDS)


@pytest.mark.parametrize("field", GOLDEN_FIELDS)
def test_field(case, field):
    _, records, golden = case
    by_id = {r["review_id"]: r for r in records}
    mismatches = {
        g["review_id"]: (by_id.get(g["review_id"], {}).get(field), g[field])
        for g in golden
        if by_id.get(g["review_id"], {}).get(field) != g[field]
    }
    assert not mismatches, f"{field}: (got, expected) by review: {mismatches}"


def test_layout_detected_as_filed(case):
    path, _, _ = case
    meta = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
    layout, _ = parse_case(path)
    assert layout == meta.get("layout"), meta.get("note")
