"""Management's earnings per day as a bar chart PNG, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from domains.kernel.clock import format_cents

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import Rectangle

WIDTH_IN, HEIGHT_IN, DPI = 12, 6, 100  # 1200 x 600 pixels, a size Slack shows well
EARNED = "#2ea043"  # green: management earned that day
LOST = "#cb2431"  # red: workers earned more than they paid
HIGHLIGHT = "#1f2328"  # the outline of the day posted


def dollars(cents: float) -> str:
    """Whole dollars for the value axis, e.g. -1250 -> '-$12'."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(int(cents)) // 100:,}"


def earnings_chart(daily: list[tuple[date, int]], highlighted: date | None = None) -> bytes:
    """One bar per day, green above zero and red below; the highlighted day (default the last) carries its value."""
    # Imported here: matplotlib costs ~55 MB and seconds to import, and only the poster ever draws.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)  # no pyplot: no global state, nothing to close
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    values = [cents for _, cents in daily]
    positions = range(len(daily))  # numbers, not the labels: matplotlib would log its guess at categorical units
    bars = axes.bar(positions, values, color=[EARNED if c >= 0 else LOST for c in values])
    labels = [f"{day:%d %b}" for day, _ in daily]
    axes.set_xticks(positions, labels, rotation=60, ha="right", rotation_mode="anchor")  # each ends under its bar
    axes.axhline(0, color=HIGHLIGHT, linewidth=0.8)
    axes.set_ylim(*_value_range(values))
    target = highlighted or daily[-1][0]
    for index, ((day, cents), bar) in enumerate(zip(daily, bars, strict=True)):
        if day == target:
            axes.axvspan(index - 0.5, index + 0.5, color=HIGHLIGHT, alpha=0.08, zorder=0)
            _highlight(axes, bar, cents)
    first, last = daily[0][0], daily[-1][0]
    axes.set_title(f"Management's earnings per day, {first:%d %b} to {last:%d %b %Y}", fontsize=16)
    axes.set_xlabel("Billing cycle (day)", fontsize=12)
    axes.set_ylabel("Fees charged minus rewards paid", fontsize=12)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda cents, _: dollars(cents)))
    axes.tick_params(axis="x", labelsize=10)
    axes.tick_params(axis="y", labelsize=11)
    axes.grid(axis="y", alpha=0.3)
    figure.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.2)  # tight_layout would draw twice
    image = io.BytesIO()
    figure.savefig(image, format="png")
    # The figure's parts refer to each other: only a full collection would free them. Drop the 3 MB of pixels now.
    canvas.renderer = None
    figure.clear()
    return image.getvalue()


def _value_range(values: list[int]) -> tuple[float, float]:
    """Zero and every bar in view, with room beyond both for the posted day's label, gains or losses."""
    low, high = min(0, *values), max(0, *values)
    room = max(high - low, 100) * 0.15
    return low - room, high + room


def _highlight(axes: Axes, bar: Rectangle, cents: int) -> None:
    """Outline the posted day's bar and write its value beyond its end."""
    bar.set_edgecolor(HIGHLIGHT)
    bar.set_linewidth(2.5)
    above = cents >= 0
    axes.annotate(
        format_cents(cents),
        (bar.get_x() + bar.get_width() / 2, cents),
        xytext=(0, 8 if above else -8),
        textcoords="offset points",
        ha="center",
        va="bottom" if above else "top",
        fontsize=13,
        fontweight="bold",
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},  # over a neighbour
    )
