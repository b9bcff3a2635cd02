"""Inline SVG charts for the HTML report: a radar of dimension levels and a state line chart.

Drawn in Python as plain SVG text so the page needs no script and no network. Every text that
comes from data is escaped here; the result is :class:`markupsafe.Markup`, safe to insert.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours shared with the page's CSS (emotion warm, trust cool).
EMOTION_COLOUR = "#d9480f"
TRUST_COLOUR = "#1c7ed6"
_GRID = "#ced4da"
_INK = "#343a40"
_MUTED = "#868e96"


@dataclass(frozen=True)
class RadarAxis:
    """One spoke of the radar: the dimension's name and its level (None = not applicable)."""

    label: str
    level: float | None


@dataclass(frozen=True)
class Series:
    """One line of the line chart: its legend text, colour and (x, y) points."""

    label: str
    colour: str
    points: list[tuple[float, float]]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label_lines(label: str) -> list[str]:
    """Split a long axis label over at most two lines (Chinese has no spaces: cut by characters)."""
    if " " in label:
        lines = textwrap.wrap(label, 14) or [label]
        return lines if len(lines) <= 2 else [lines[0], " ".join(lines[1:])]
    return [label] if len(label) <= 8 else [label[:8], label[8:]]


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK characters are square, Latin ones about half as wide."""
    return sum(size if ord(char) >= 0x2E80 else size * 0.58 for char in text)


def radar_svg(axes: list[RadarAxis], scale_min: int, scale_max: int, na_label: str, title: str) -> Markup:
    """The dimension levels as a radar chart with one labelled axis per dimension.

    Args:
        axes: the dimensions in rubric order (works for any count; rubrics have 3 to 12).
        scale_min: the rubric's lowest level (rings are drawn from here to ``scale_max``).
        scale_max: the rubric's highest level (the outer ring).
        na_label: the mark added to the label of a dimension without a level (drawn at 0).
        title: the accessible name of the chart.

    Returns:
        An ``<svg>`` element that scales to its container's width, cropped to what it draws.
    """
    radius, font = 120, 14
    count = max(len(axes), 1)
    top = max(scale_max, 1)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        r = radius * max(0.0, min(value, top)) / top
        return r * math.cos(angle), r * math.sin(angle)

    def polygon(values: list[float]) -> str:
        return " ".join(f"{_num(x)},{_num(y)}" for x, y in (point(i, v) for i, v in enumerate(values)))

    parts = []
    for ring in range(max(scale_min, 1), top + 1):
        parts.append(f'<polygon points="{polygon([float(ring)] * count)}" fill="none" stroke="{_GRID}"/>')
        # Ring numbers sit on the ring's first edge, between two spokes, clear of labels and data points.
        (x0, y0), (x1, y1) = point(0, ring), point(1 % count, ring)
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        parts.append(
            f'<text x="{_num(x)}" y="{_num(y + 3)}" font-size="10" text-anchor="middle" fill="{_MUTED}">{ring}</text>'
        )
    for index in range(count):
        x, y = point(index, top)
        parts.append(f'<line x1="0" y1="0" x2="{_num(x)}" y2="{_num(y)}" stroke="{_GRID}"/>')
    values = [axis.level or 0.0 for axis in axes]
    parts.append(
        f'<polygon class="radar-area" points="{polygon(values)}" fill="{TRUST_COLOUR}" fill-opacity="0.25" '
        f'stroke="{TRUST_COLOUR}" stroke-width="2"/>'
    )
    box: list[float] = [-radius, -radius, radius, radius]  # left, top, right, bottom of everything drawn
    for index, axis in enumerate(axes):
        x, y = point(index, values[index])
        parts.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{TRUST_COLOUR}">'
            f"<title>{escape(axis.label)}: {escape(_level_text(axis, na_label))}</title></circle>"
        )
        lines = [*_label_lines(axis.label), _level_text(axis, na_label)]
        text, extent = _axis_label(index, count, axis.level is None, lines, point(index, top * 1.1), font)
        parts.append(text)
        box = [min(box[0], extent[0]), min(box[1], extent[1]), max(box[2], extent[2]), max(box[3], extent[3])]
    pad = 6
    view = (
        f"{_num(box[0] - pad)} {_num(box[1] - pad)} {_num(box[2] - box[0] + 2 * pad)} {_num(box[3] - box[1] + 2 * pad)}"
    )
    # Inline SVG in HTML needs no xmlns, which keeps the page free of any URL.
    head = f'<svg class="radar" viewBox="{view}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    return Markup(head + "".join(parts) + "</svg>")


def _level_text(axis: RadarAxis, na_label: str) -> str:
    return na_label if axis.level is None else _num(axis.level)


def _axis_label(
    index: int, count: int, na: bool, lines: list[str], at: tuple[float, float], font: int
) -> tuple[str, tuple[float, float, float, float]]:
    """The label of one spoke (name lines, then the level) and the box it covers."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    cos, sin = math.cos(angle), math.sin(angle)
    x, y = at
    anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
    # Labels above the centre grow upwards, below it downwards, beside it around the axis end.
    step = font + 3
    if sin < -0.3:
        first_y = y - step * (len(lines) - 1)
    elif sin > 0.3:
        first_y = y + font
    else:
        first_y = y + font / 3 - step * (len(lines) - 1) / 2
    spans = "".join(
        f'<tspan x="{_num(x)}" y="{_num(first_y + i * step)}"'
        + (' class="axis-level" font-weight="600"' if i == len(lines) - 1 else "")
        + f">{escape(text)}</tspan>"
        for i, text in enumerate(lines)
    )
    classes, colour = ("axis-label na", _MUTED) if na else ("axis-label", _INK)
    width = max(_text_width(line, font) for line in lines)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    extent = (left, first_y - font, left + width, first_y + step * (len(lines) - 1) + font / 3)
    return f'<text class="{classes}" text-anchor="{anchor}" font-size="{font}" fill="{colour}">{spans}</text>', extent


def line_chart_svg(series: list[Series], y_max: float, x_title: str, title: str) -> Markup:
    """Lines over the turns of the chat (x = turn number, y = 0 .. ``y_max``) with a legend.

    Args:
        series: the lines; every point is (turn, value).
        y_max: the top of the value axis (state values run 0-10).
        x_title: the name of the x axis (e.g. "turn").
        title: the accessible name of the chart.

    Returns:
        An ``<svg>`` element that scales to its container's width.
    """
    width, height = 460, 230
    left, right, top, bottom = 34, 14, 34, 36
    xs = [x for s in series for x, _ in s.points] or [0.0]
    x_low, x_high = min(xs), max(xs)
    span = (x_high - x_low) or 1.0

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            left + (x - x_low) / span * (width - left - right),
            height - bottom - max(0.0, min(y, y_max)) / y_max * (height - top - bottom),
        )

    parts = [
        f'<svg class="lines" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0.0, y_max / 2, y_max):
        _, y = at(x_low, tick)
        parts.append(f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" stroke="{_GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{_num(y + 4)}" font-size="13" text-anchor="end" fill="{_MUTED}">'
            f"{_num(tick)}</text>"
        )
    turns = sorted(set(xs))
    step = max(1, math.ceil(len(turns) / 10))
    for turn in turns[::step]:
        x, _ = at(turn, 0)
        parts.append(
            f'<text x="{_num(x)}" y="{height - bottom + 16}" font-size="13" text-anchor="middle" '
            f'fill="{_MUTED}">{_num(turn)}</text>'
        )
    parts.append(
        f'<text x="{width - right}" y="{height - 4}" font-size="13" text-anchor="end" fill="{_MUTED}">'
        f"{escape(x_title)}</text>"
    )
    for number, line in enumerate(series):
        points = " ".join(f"{_num(px)},{_num(py)}" for px, py in (at(x, y) for x, y in line.points))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{line.colour}" stroke-width="2.5"/>')
        for x, y in line.points:
            px, py = at(x, y)
            parts.append(
                f'<circle cx="{_num(px)}" cy="{_num(py)}" r="3" fill="{line.colour}">'
                f"<title>{escape(line.label)} {_num(y)} ({escape(x_title)} {_num(x)})</title></circle>"
            )
        legend_x = left + number * min(120, (width - left - right) // len(series))  # four lines fit too
        parts.append(
            f'<rect x="{legend_x}" y="8" width="14" height="4" fill="{line.colour}"/>'
            f'<text x="{legend_x + 20}" y="15" font-size="13" fill="{_INK}">{escape(line.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
