"""The report as one HTML page: inline SVG plots, no scripts, printable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from matplotlib.figure import Figure

from reviewcrawler.report import plots
from reviewcrawler.report.aggregate import TitleFigures
from reviewcrawler.report.gather import ReportData

#: Titles with their own section open, when the report plots no more than this.
OPEN_SECTIONS = 5
_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;
color:#1a202c;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #e2e8f0}
.meta{color:#4a5568}.empty{font-size:1.2rem;padding:1rem;background:#f7fafc}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e2e8f0}
td.n,th.n{text-align:right}figure{margin:.5rem 0}figcaption{font-size:.85rem;color:#4a5568}
svg{max-width:100%;height:auto}details{margin:.4rem 0;border:1px solid #e2e8f0;padding:.3rem .6rem}
summary{cursor:pointer;font-weight:600}.grid{display:flex;flex-wrap:wrap;gap:0 1.5rem}
.status-complete{color:#2f855a}.status-incomplete{color:#b7791f}.status-failed{color:#c53030}
@media print{details::details-content{display:block;content-visibility:visible}
details{break-inside:avoid}}
"""


def render(data: ReportData, plot_limit: int) -> str:
    """The whole page; per-title plots for the titles named, else the `plot_limit` largest."""
    figures = data.figures
    total = f"{figures.reviews:,} review(s), {len(data.rows):,} title(s), {len(data.runs.runs):,}"
    parts = [
        f"<h1>Review archive report</h1><p class='meta'>Archive <code>{escape(str(data.archive))}"
        f"</code><br>Made {_when(data.made_at)}<br>Covers {total} run(s)"
        + (f"<br>Titles: {escape(', '.join(data.named))}" if data.named else "")
        + "</p>"
    ]
    if not figures.reviews:
        parts.append("<p class='empty' id='no-reviews'>No reviews yet: this archive holds none"
                     f"{' for the titles named' if data.named else ''}.</p>")  # fmt: skip
    parts += _notes(data)
    parts += _runs_section(data)
    parts += _titles_table(data)
    parts += _title_sections(data, plot_limit)
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Review archive report: {escape(data.archive)}</title>"
        f"<style>{_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def _plot(name: str, caption: str, draw: Callable[[], Figure]) -> str:
    return (
        f"<figure class='plot' id='plot-{escape(name)}'>{plots.to_svg(draw(), name)}"
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _notes(data: ReportData) -> list[str]:
    if not data.notes:
        return []
    items = "".join(f"<li>{escape(note)}</li>" for note in data.notes)
    return [f"<h2>Not read</h2><ul class='notes'>{items}</ul>"]


def _runs_section(data: ReportData) -> list[str]:
    runs = data.runs.runs
    parts = ["<h2>Runs</h2>"]
    if not runs:
        return [*parts, "<p>No runs recorded yet.</p>"]
    parts.append(_plot("archived-per-run", "Reviews archived per run: new and changed versions",
                       lambda: plots.archived_per_run(runs)))  # fmt: skip
    parts.append(_plot("run-outcomes", "Run outcomes over time",
                       lambda: plots.run_outcomes(runs)))  # fmt: skip
    failing = [run for run in runs if run.outcome != "complete"]
    if failing:
        rows = "".join(
            f"<tr><td>{escape(run.run_id)}</td><td>{_when(run.started)}</td>"
            f"<td class='status-{run.outcome}'>{run.outcome}</td><td>{escape(run.reason)}</td></tr>"
            for run in reversed(failing)
        )
        parts.append(
            "<table id='runs-not-complete'><caption>Runs that did not complete</caption><tr>"
            f"<th>run</th><th>started</th><th>outcome</th><th>reason</th></tr>{rows}</table>"
        )
    parts.append("<h2>Rejects</h2>")
    if data.rejects:
        parts.append(_plot("rejects", "Items rejected by validation, per reason",
                           lambda: plots.rejects_per_reason(data.rejects)))  # fmt: skip
    else:
        parts.append("<p>No item was rejected.</p>")
    return parts


def _titles_table(data: ReportData) -> list[str]:
    if not data.rows:
        return []
    never = datetime.min.replace(tzinfo=data.made_at.tzinfo)
    ordered = sorted(data.rows.values(), key=lambda row: row.last_crawled or never, reverse=True)
    rows = []
    for row in ordered:
        title = data.figures.titles.get(row.title_id)
        reviews = title.reviews if title else 0
        rows.append(
            f"<tr><td><a href='#title-{row.title_id}'>{row.title_id}</a></td>"
            f"<td>{escape(_name(title))}</td><td class='n'>{reviews:,}</td>"
            f"<td class='n'>{row.versions:,}</td><td class='n'>{row.rejects:,}</td>"
            f"<td>{_when(row.last_crawled)}</td><td>{_when(row.last_complete)}</td>"
            f"<td class='status-{row.status}'>{row.status}</td></tr>"
        )
    head = "".join(
        f"<th{' class=n' if n else ''}>{h}</th>"
        for h, n in (("title", 0), ("name", 0), ("reviews", 1), ("versions", 1), ("rejects", 1),
                     ("last crawled", 0), ("last complete crawl", 0), ("status", 0))
    )  # fmt: skip
    return [
        "<h2>Titles</h2><p class='meta'>Most recently crawled first.</p>"
        f"<table id='titles'><tr>{head}</tr>{''.join(rows)}</table>"
    ]


def _title_sections(data: ReportData, plot_limit: int) -> list[str]:
    titles = [data.figures.titles[t] for t in data.rows if t in data.figures.titles]
    if not titles:
        return []
    if data.named:
        plotted = {t.title_id for t in titles}
        scope = "Plots for every title named."
    else:
        ranked = sorted(titles, key=lambda t: (-t.reviews, t.title_id))[:plot_limit]
        plotted = {t.title_id for t in ranked}
        scope = (
            f"Plots for the {len(plotted)} title(s) with the most reviews (at most {plot_limit}); "
            "the others show their figures only. Name titles with --title to plot them."
        )
    parts = [f"<h2>Per title</h2><p class='meta' id='plot-scope'>{escape(scope)}</p>"]
    for title in sorted(titles, key=lambda t: (-t.reviews, t.title_id)):
        is_open = title.title_id in plotted and len(plotted) <= OPEN_SECTIONS
        body = _title_plots(title) if title.title_id in plotted else ""
        parts.append(
            f"<details id='title-{title.title_id}'{' open' if is_open else ''}><summary>"
            f"{title.title_id} {escape(_name(title))}: {title.reviews:,} review(s)</summary>"
            f"{_title_facts(title)}{body}</details>"
        )
    return parts


def _title_plots(title: TitleFigures) -> str:
    tid = title.title_id
    plotted = [
        _plot(f"{tid}-per-month", "Reviews per month (by review date)",
              lambda: plots.reviews_per_month(title)),
        _plot(f"{tid}-ratings", "Ratings, with reviews that give none",
              lambda: plots.rating_histogram(title)),
        _plot(f"{tid}-mean-rating", "Mean rating per quarter; n = rated reviews behind each point",
              lambda: plots.mean_rating_per_quarter(title)),
        _plot(f"{tid}-spoilers", "Share of reviews marked as spoilers",
              lambda: plots.spoiler_share(title)),
        _plot(f"{tid}-helpful", "Helpful votes per review",
              lambda: plots.helpful_votes(title)),
    ]  # fmt: skip
    return f"<div class='grid'>{''.join(plotted)}</div>"


def _title_facts(title: TitleFigures) -> str:
    mean = f"{title.mean_rating:.1f}" if title.mean_rating is not None else "-"
    share = title.spoilers / title.reviews if title.reviews else 0
    undated = f", {title.undated} undated" if title.undated else ""
    return (
        f"<p class='meta'>Mean rating {mean} ({title.unrated:,} unrated), "
        f"spoilers {share:.0%}{undated}.</p>"
    )


def _name(title: TitleFigures | None) -> str:
    if title is None or not title.movie_title:
        return ""
    return f"{title.movie_title} ({title.movie_year})" if title.movie_year else title.movie_title


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"
