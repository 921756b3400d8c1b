"""The earnings chart is a PNG Slack shows well (about 1200x600) with a bar per day: green gains, red losses."""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta
from typing import cast

import pytest
from PIL import Image
from slack_sdk.models.blocks import ImageBlock

from bot.analytics_post import chart_text
from bot.chart import dollars, earnings_chart
from domains.analytics.model import CHART_DAYS

RED = (0xCB, 0x24, 0x31)
GREEN = (0x2E, 0xA0, 0x43)


def _days(values: list[int]) -> list[tuple[date, int]]:
    return [(date(2026, 11, 1) + timedelta(days=n), cents) for n, cents in enumerate(values)]


def _colours(png: bytes) -> set[tuple[int, int, int]]:
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel: a broken PNG fails here
    counted = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert counted is not None
    return {cast(tuple[int, int, int], colour) for _, colour in counted}


def test_the_chart_is_a_1200_by_600_png_with_losses_in_red() -> None:
    values = [0] * 30
    values[3], values[10] = 5_000, -2_500
    png = earnings_chart(_days(values))
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1200, 600))
    colours = _colours(png)
    assert RED in colours and GREEN in colours


def test_a_month_of_gains_has_no_red() -> None:
    colours = _colours(earnings_chart(_days([1_000 + n for n in range(30)]), date(2026, 11, 5)))
    assert GREEN in colours and RED not in colours


def test_a_chart_of_nothing_is_still_a_chart() -> None:
    colours = _colours(earnings_chart(_days([0] * 30)))
    assert RED not in colours and GREEN not in colours


def test_axis_labels_are_whole_dollars() -> None:
    assert (dollars(123_456), dollars(-1_250), dollars(0)) == ("$1,234", "-$12", "$0")


def test_drawing_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """Every close draws a chart: matplotlib's guesses at the day labels' units must not fill the poster's log."""
    earnings_chart(_days([100] * 30))  # the first draw may build matplotlib's font cache, which it logs once
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="matplotlib"):
        earnings_chart(_days([1_000, -500] * 15))
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO] == []


def test_a_day_of_losses_leaves_room_above_zero_and_below_the_label() -> None:
    """The posted day's value is written below a red bar: the chart must not cut it off, nor end at zero."""
    image = Image.open(io.BytesIO(earnings_chart(_days([0] * 29 + [-4_944])))).convert("RGB")
    red_rows = [y for y in range(image.height) if any(image.getpixel((x, y)) == RED for x in range(1100, 1150))]
    assert red_rows and red_rows[0] > 60 and red_rows[-1] < 470  # the bar starts below the top, ends above the axis


def test_the_charts_numbers_fit_an_image_blocks_alt_text_whatever_the_amounts() -> None:
    most = -(2**63 - 1)  # the largest loss a BigInteger of cents holds
    charted = chart_text(_days([most] * CHART_DAYS))
    assert charted.count("$") == CHART_DAYS and len(charted) <= ImageBlock.alt_text_max_length
