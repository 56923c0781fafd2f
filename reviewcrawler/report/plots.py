"""The report's plots, drawn by matplotlib's SVG backend as inline SVG markup.

Figures are made with `matplotlib.figure.Figure`, not pyplot: no global state,
no GUI backend, nothing to close. Text stays text (``svg.fonttype: none``):
smaller files, selectable and printable; ids are salted per plot so that many
SVGs can share one HTML page.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from itertools import pairwise

import matplotlib
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from reviewcrawler.report.aggregate import HELPFUL_BINS, NO_VOTES, TitleFigures
from reviewcrawler.report.runs import Run

COLORS = {
    "new": "#2b6cb0",
    "changed": "#dd8a2c",
    "complete": "#2f855a",
    "incomplete": "#d69e2e",
    "failed": "#c53030",
    "main": "#2b6cb0",
    "muted": "#a0aec0",
}
_STYLE = {
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def _figure(width: float = 6.4, height: float = 2.6) -> Figure:
    # Fixed margins: constrained layout would cost more than the drawing itself.
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=0.12, right=0.9, bottom=0.2, top=0.88)
    return figure


def to_svg(figure: Figure, name: str) -> str:
    """The figure as an ``<svg>`` element (no XML prolog), ids salted by `name`."""
    out = io.StringIO()
    with matplotlib.rc_context({**_STYLE, "svg.hashsalt": name}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    markup = out.getvalue()
    return markup[markup.index("<svg") :]


def _date_axis(figure: Figure) -> None:
    for axes in figure.axes:
        locator = AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def archived_per_run(runs: list[Run]) -> Figure:
    figure = _figure()
    axes = figure.subplots()
    times = [run.started for run in runs]
    new = [run.counts["new"] for run in runs]
    changed = [run.counts["changed"] for run in runs]
    width = _bar_width(times)
    axes.bar(times, new, width, color=COLORS["new"], label="new")
    axes.bar(times, changed, width, bottom=new, color=COLORS["changed"], label="changed")
    axes.set_ylabel("reviews archived")
    axes.legend(loc="upper left", frameon=False)
    _date_axis(figure)
    return figure


def run_outcomes(runs: list[Run]) -> Figure:
    figure = _figure(height=1.8)
    axes = figure.subplots()
    levels = ("complete", "incomplete", "failed")
    for level, outcome in enumerate(levels):
        times = [run.started for run in runs if run.outcome == outcome]
        axes.scatter(
            times or [runs[0].started],
            [level] * (len(times) or 1),
            s=28,
            color=COLORS[outcome],
            alpha=1 if times else 0,
        )
    axes.set_yticks(range(len(levels)), [f"{o} ({_count(runs, o)})" for o in levels])
    axes.set_ylim(-0.6, len(levels) - 0.4)
    _date_axis(figure)
    return figure


def rejects_per_reason(reasons: Counter[str]) -> Figure:
    ranked = reasons.most_common()[::-1]
    figure = _figure(height=0.6 + 0.28 * len(ranked))
    axes = figure.subplots()
    axes.barh([reason for reason, _ in ranked], [n for _, n in ranked], color=COLORS["failed"])
    axes.set_xlabel("rejected items")
    return figure


def reviews_per_month(title: TitleFigures) -> Figure:
    figure = _figure(height=2.2)
    axes = figure.subplots()
    months = _month_range(title.per_month)
    if months:
        # One filled outline, not a bar per month: years of months draw in one path.
        edges = [datetime.strptime(month, "%Y-%m") for month in months]
        edges.append(_next_month(edges[-1]))
        axes.stairs([title.per_month[m] for m in months], date2num(edges), fill=True,
                    color=COLORS["main"])  # fmt: skip
        axes.xaxis_date()
    axes.set_ylabel("reviews per month")
    _date_axis(figure)
    return figure


def rating_histogram(title: TitleFigures) -> Figure:
    figure = _figure(width=4.2, height=2.2)
    axes = figure.subplots()
    stars = list(range(1, 11))
    axes.bar(stars, [title.ratings[r] for r in stars], color=COLORS["main"])
    axes.bar([12], [title.unrated], color=COLORS["muted"])
    axes.set_xticks([*stars, 12], [*map(str, stars), "unrated"])
    axes.set_ylabel("reviews")
    axes.set_title(f"rating ({title.unrated} unrated)", loc="left")
    return figure


def mean_rating_per_quarter(title: TitleFigures) -> Figure:
    """The mean as a line; the rated reviews behind each point as bars beneath it."""
    figure = _figure(height=2.2)
    counts_axes = figure.subplots()
    axes = counts_axes.twinx()
    quarters = sorted(title.per_quarter)
    starts = [datetime(int(q[:4]), 3 * int(q[-1]) - 2, 1) for q in quarters]
    counts = [title.per_quarter[q][1] for q in quarters]
    counts_axes.bar(starts, counts, width=80, color=COLORS["muted"], alpha=0.6, linewidth=0)
    counts_axes.set_ylabel("n (rated reviews)")
    counts_axes.grid(False)
    axes.plot(starts, [title.per_quarter[q][0] / n for q, n in zip(quarters, counts, strict=True)],
              marker="o", markersize=3, color=COLORS["main"])  # fmt: skip
    axes.set_ylim(0, 10.5)
    axes.set_ylabel("mean rating")
    # The mean is the point of the plot: on the left, drawn over the counts.
    axes.yaxis.tick_left()
    axes.yaxis.set_label_position("left")
    counts_axes.yaxis.tick_right()
    counts_axes.yaxis.set_label_position("right")
    _date_axis(figure)
    return figure


def spoiler_share(title: TitleFigures) -> Figure:
    figure = _figure(width=4.2, height=0.9)
    axes = figure.subplots()
    share = title.spoilers / title.reviews if title.reviews else 0.0
    axes.barh([0], [share], color=COLORS["changed"], label=f"spoilers {share:.0%}")
    axes.barh([0], [1 - share], left=[share], color=COLORS["muted"], label="no spoilers")
    axes.set_xlim(0, 1)
    axes.set_yticks([])
    axes.xaxis.set_major_formatter("{x:.0%}")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45), ncols=2, frameon=False)
    return figure


def helpful_votes(title: TitleFigures) -> Figure:
    figure = _figure(width=4.2, height=2.2)
    axes = figure.subplots()
    labels = [label for _, _, label in HELPFUL_BINS]
    axes.bar(labels, [title.helpful[label] for label in labels], color=COLORS["main"])
    axes.bar([NO_VOTES], [title.helpful[NO_VOTES]], color=COLORS["muted"])
    axes.tick_params(axis="x", labelsize=7)
    axes.set_xlabel("helpful votes received")
    axes.set_ylabel("reviews")
    return figure


def _month_range(per_month: Counter[str]) -> list[str]:
    """Every month from the first to the last review: gaps show as gaps."""
    if not per_month:
        return []
    first, last = min(per_month), max(per_month)
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _next_month(month: datetime) -> datetime:
    return month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(
        month=month.month + 1
    )


def _bar_width(times: list[datetime]) -> float:
    """In days: most of the closest gap between runs, so that bars never overlap."""
    gaps = [(b - a).total_seconds() / 86400 for a, b in pairwise(times)]
    closest = min((gap for gap in gaps if gap > 0), default=1.0)
    return min(closest * 0.7, 1.0)


def _count(runs: list[Run], outcome: str) -> int:
    return sum(run.outcome == outcome for run in runs)
