"""Management's earnings per day as a bar chart PNG, drawn in pure Python (zlib and struct, no imaging library)."""

from __future__ import annotations

import struct
import zlib
from datetime import date

Color = bytes
BACKGROUND: Color = b"\xff\xff\xff"
EARNED: Color = b"\x2e\xa0\x43"  # green: management earned that day
LOST: Color = b"\xcb\x24\x31"  # red: workers earned more than they paid
INK: Color = b"\x44\x44\x44"
GRID: Color = b"\xdd\xdd\xdd"
WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 100, 20, 24, 44
SCALE = 3  # each font pixel is a 3x3 square

# A 3x5 pixel font, just enough for amounts and dates.
FONT = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "001", "001", "001"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
    "-": ("000", "000", "111", "000", "000"),
    "$": ("011", "100", "010", "001", "110"),
    ",": ("000", "000", "000", "010", "100"),
    " ": ("000", "000", "000", "000", "000"),
}


class Canvas:
    """RGB pixels, row by row."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(BACKGROUND * width * height)

    def fill(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """Paint the rectangle [x0, x1) x [y0, y1), clipped to the canvas."""
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        if x0 >= x1:
            return
        run = color * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start : start + len(run)] = run

    def text(self, x: int, y: int, text: str, color: Color = INK) -> None:
        """Write `text` with its top-left corner at (x, y)."""
        for index, char in enumerate(text):
            for row, bits in enumerate(FONT[char]):
                for column, bit in enumerate(bits):
                    if bit == "1":
                        left, top = x + (index * 4 + column) * SCALE, y + row * SCALE
                        self.fill(left, top, left + SCALE, top + SCALE, color)

    def png(self) -> bytes:
        stride = self.width * 3
        rows = b"".join(b"\x00" + self.pixels[y * stride : (y + 1) * stride] for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)  # 8-bit RGB
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b"")
        )


def text_width(text: str) -> int:
    return len(text) * 4 * SCALE - SCALE


def dollars(cents: int) -> str:
    """Whole dollars for an axis label, e.g. -1250 -> '-$12'."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}"


def earnings_chart(daily: list[tuple[date, int]]) -> bytes:
    """One bar per day, above the zero line when management earned, below it when it lost."""
    canvas = Canvas(WIDTH, HEIGHT)
    values = [cents for _, cents in daily]
    high, low = max([0, *values]), min([0, *values])
    spread = (high - low) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    zero_y = TOP + round(high / spread * plot_height)
    slot = (WIDTH - LEFT - RIGHT) / max(len(daily), 1)
    for label, y in ((dollars(high), TOP), (dollars(low), TOP + plot_height), ("0", zero_y)):
        canvas.fill(LEFT, y, WIDTH - RIGHT, y + 1, GRID)
        canvas.text(LEFT - 8 - text_width(label), y - 7, label)
    for index, (day, cents) in enumerate(daily):
        x = LEFT + round(index * slot + slot * 0.15)
        bar = round(abs(cents) / spread * plot_height)
        top, bottom = (zero_y - bar, zero_y) if cents >= 0 else (zero_y, zero_y + bar)
        canvas.fill(x, top, x + max(1, round(slot * 0.7)), bottom, EARNED if cents >= 0 else LOST)
        if (index % 7 == 0 and index < len(daily) - 3) or index == len(daily) - 1:
            label = f"{day:%m-%d}"
            centre = x + round(slot * 0.35)
            canvas.text(centre - text_width(label) // 2, HEIGHT - BOTTOM + 14, label)
    canvas.fill(LEFT, zero_y, WIDTH - RIGHT, zero_y + 1, INK)
    return canvas.png()


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
