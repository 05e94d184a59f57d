"""Bar charts drawn on the server as SVG geometry: no script, no CDN, readable by a screen reader
through the chart's title and description, and repeated as a table below it."""

from __future__ import annotations

from dataclasses import dataclass

from .selectors import Chart

WIDTH = 640
HEIGHT = 260
TOP = 24
BOTTOM = 48  # room for the bar labels
LEFT = 8
# Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by the legend and the
# value printed above each bar as well, never by colour alone.
COLOURS = ("#1f5f8b", "#a34d00", "#2e6b30", "#6a3d9a")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    value: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Legend:
    colour: str
    text: str


@dataclass(frozen=True)
class Drawing:
    chart: Chart
    width: int
    height: int
    rects: list[Rect]
    labels: list[Label]
    legend: list[Legend]
    baseline: float


def _number(value: float) -> str:
    return f"{value:g}"


def draw(chart: Chart) -> Drawing:
    plot_height = HEIGHT - TOP - BOTTOM
    groups = max(len(chart.bars), 1)
    group_width = (WIDTH - LEFT * 2) / groups
    bar_width = min(40.0, group_width * 0.8 / max(len(chart.series), 1))
    rects: list[Rect] = []
    labels: list[Label] = []
    for g, bar in enumerate(chart.bars):
        start = LEFT + g * group_width + (group_width - bar_width * len(bar.values)) / 2
        for s, value in enumerate(bar.values):
            height = plot_height * float(value) / chart.maximum
            x = start + s * bar_width
            y = TOP + plot_height - height
            rects.append(
                Rect(round(x, 1), round(y, 1), round(bar_width - 2, 1), round(height, 1), COLOURS[s % len(COLOURS)],
                     _number(value), round(x + (bar_width - 2) / 2, 1), round(y - 4, 1))
            )
        labels.append(Label(round(LEFT + g * group_width + group_width / 2, 1), HEIGHT - BOTTOM + 18, bar.label))
    legend = [Legend(COLOURS[s % len(COLOURS)], name) for s, name in enumerate(chart.series)]
    return Drawing(chart, WIDTH, HEIGHT, rects, labels, legend, TOP + plot_height)
