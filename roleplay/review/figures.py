"""Plotly charts for the class dashboard and a student's progress (None when there is nothing to draw)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import mean

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from roleplay.grading.report import Report
from roleplay.i18n import t
from roleplay.library.common import Language
from roleplay.review.analytics import ClassAnalytics

# Level 1 (weak) red to level 5 (strong) green; other scales are mapped onto it.
_LEVEL_COLOURS = ["#c0392b", "#e67e22", "#f1c40f", "#7dbb5a", "#27ae60"]
_OUTCOME_COLOURS = {
    "resolved": "#27ae60",
    "ended_by_student": "#95a5a6",
    "ongoing": "#bdc3c7",
    "walked_out": "#e67e22",
    "escalated": "#c0392b",
}
_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 48, "b": 10},
    "legend": {"orientation": "h", "y": -0.15},
    "height": 420,
    "template": "plotly_white",
}


def levels_figure(data: ClassAnalytics, language: Language) -> go.Figure | None:
    """Per dimension, how many reports gave each level (stacked bars, one bar per dimension)."""
    if not data.levels:
        return None
    dimensions = list(dict.fromkeys(item.dimension for item in data.levels))
    levels = sorted({item.level for item in data.levels})
    low, high = min(1, levels[0]), max(5, levels[-1])
    figure = go.Figure()
    for level in levels:
        counts = {item.dimension: item.count for item in data.levels if item.level == level}
        colour = _LEVEL_COLOURS[round((level - low) * (len(_LEVEL_COLOURS) - 1) / (high - low))]
        figure.add_bar(
            y=dimensions,
            x=[counts.get(name, 0) for name in dimensions],
            name=t("ui.review.chart.level", language, level=level),
            orientation="h",
            marker_color=colour,
        )
    figure.update_layout(
        barmode="stack",
        title=t("ui.review.chart.levels", language),
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"title": t("ui.review.chart.reports", language)},
        **_LAYOUT,
    )
    figure.update_layout(height=max(320, 40 * len(dimensions) + 140))
    return figure


def skills_figure(data: ClassAnalytics, language: Language) -> go.Figure | None:
    """Open, closed and other questions and restatements per session, averaged per day."""
    if not data.skills:
        return None
    days: dict[date, list[int]] = defaultdict(list)
    for index, point in enumerate(data.skills):
        days[point.when.date()].append(index)
    x = sorted(days)
    labels = [f"{day:%Y-%m-%d}" for day in x]  # a category axis: one tick per practice day, never clock times
    series = (
        ("open_questions", "ui.review.chart.open"),
        ("closed_questions", "ui.review.chart.closed"),
        ("other_questions", "ui.review.chart.other"),
        ("restate_fact", "ui.review.chart.restate_fact"),
        ("restate_feeling", "ui.review.chart.restate_feeling"),
    )
    figure = go.Figure()
    for name, key in series:
        y = [round(mean(getattr(data.skills[i], name) for i in days[day]), 2) for day in x]
        figure.add_scatter(x=labels, y=y, name=t(key, language), mode="lines+markers")
    figure.update_layout(
        title=t("ui.review.chart.skills", language),
        yaxis={"title": t("ui.review.chart.per_session", language), "rangemode": "tozero"},
        xaxis={"type": "category"},
        **_LAYOUT,
    )
    return figure


def outcomes_figure(data: ClassAnalytics, language: Language) -> go.Figure | None:
    """How chats ended, per customer behaviour type (stacked bars)."""
    if not data.outcomes:
        return None
    types = list(dict.fromkeys(item.behaviour_name for item in data.outcomes))
    figure = go.Figure()
    for outcome in dict.fromkeys(item.outcome for item in data.outcomes):
        counts = {item.behaviour_name: item.count for item in data.outcomes if item.outcome == outcome}
        name = next(item.outcome_name for item in data.outcomes if item.outcome == outcome)
        figure.add_bar(
            x=types, y=[counts.get(k, 0) for k in types], name=name, marker_color=_OUTCOME_COLOURS.get(outcome)
        )
    figure.update_layout(
        barmode="stack",
        title=t("ui.review.chart.outcomes", language),
        showlegend=True,
        yaxis={"title": t("ui.review.chart.sessions", language)},
        **_LAYOUT,
    )
    return figure


def progress_figure(reports: list[Report], language: Language) -> go.Figure | None:
    """A student's total (top) and each dimension's level (bottom) over their sessions, oldest first."""
    if not reports:
        return None
    # Numbered categories: two sessions in one minute stay apart, and the axis never shows clock fractions.
    x = [f"{n}. {(r.started_at or r.provenance.graded_at):%m-%d %H:%M}" for n, r in enumerate(reports, start=1)]
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(t("ui.history.chart.total", language), t("ui.history.chart.levels", language)),
    )
    figure.add_scatter(
        x=x,
        y=[r.total for r in reports],
        name=t("ui.history.chart.total", language),
        mode="lines+markers",
        row=1,
        col=1,
    )
    names: dict[str, str] = {}
    for report in reports:
        for dim in report.dimensions:
            names.setdefault(dim.dimension_id, dim.name.get(language))
    for dimension_id, name in names.items():
        y = [next((d.level for d in r.dimensions if d.dimension_id == dimension_id), None) for r in reports]
        figure.add_scatter(x=x, y=y, name=name, mode="lines+markers", row=2, col=1)
    first = reports[-1]
    figure.update_yaxes(range=[0, 100], row=1, col=1)
    figure.update_yaxes(range=[first.scale_min - 0.2, first.scale_max + 0.2], dtick=1, row=2, col=1)
    figure.update_layout(**(_LAYOUT | {"height": 520}))
    return figure
