"""The earnings chart is a valid PNG with a bar per day: green above the zero line, red below."""

from __future__ import annotations

from datetime import date, timedelta

from bot.chart import BOTTOM, EARNED, HEIGHT, LEFT, LOST, RIGHT, TOP, WIDTH, dollars, earnings_chart
from tests.unit.png import read_png


def _days(values: list[int]) -> list[tuple[date, int]]:
    return [(date(2026, 11, 1) + timedelta(days=n), cents) for n, cents in enumerate(values)]


def _bar_centre(index: int, count: int) -> int:
    slot = (WIDTH - LEFT - RIGHT) / count
    return LEFT + round(index * slot + slot * 0.5)


def test_a_day_management_earned_is_green_and_a_day_it_lost_is_red() -> None:
    values = [0] * 30
    values[3], values[10] = 5_000, -2_500
    image = read_png(earnings_chart(_days(values)))
    assert (image.width, image.height) == (WIDTH, HEIGHT)

    earned, lost, quiet = (image.column(_bar_centre(i, 30)) for i in (3, 10, 20))
    green_rows = [y for y, p in enumerate(earned) if p == EARNED]
    red_rows = [y for y, p in enumerate(lost) if p == LOST]
    assert green_rows and red_rows and LOST not in earned and EARNED not in lost
    assert max(green_rows) < min(red_rows)  # the gain stands above the zero line, the loss hangs below it
    plot_height = HEIGHT - TOP - BOTTOM
    assert len(green_rows) == round(5_000 / 7_500 * plot_height)  # bars scale with the amount
    assert len(red_rows) == round(2_500 / 7_500 * plot_height) - 1  # less the zero line drawn over its top
    assert EARNED not in quiet and LOST not in quiet


def test_a_chart_of_nothing_is_still_a_chart() -> None:
    image = read_png(earnings_chart(_days([0] * 30)))
    pixels = {image.pixel(x, y) for y in range(0, HEIGHT, 4) for x in range(0, WIDTH, 4)}
    assert EARNED not in pixels and LOST not in pixels


def test_axis_labels_are_whole_dollars() -> None:
    assert (dollars(123_456), dollars(-1_250), dollars(0)) == ("$1,234", "-$12", "$0")
