"""Reads back the PNGs bot.chart writes (8-bit RGB, filter 0), so tests can look at their pixels."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    rows: list[bytes]

    def pixel(self, x: int, y: int) -> bytes:
        return self.rows[y][x * 3 : x * 3 + 3]

    def column(self, x: int) -> list[bytes]:
        return [self.pixel(x, y) for y in range(self.height)]


def read_png(data: bytes) -> Image:
    assert data.startswith(SIGNATURE)
    offset, chunks = len(SIGNATURE), {}
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        tag, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(tag + body), f"bad CRC in {tag!r}"
        chunks[tag] = body
        offset += 12 + length
    width, height, depth, color_type, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, color_type) == (8, 2) and b"IEND" in chunks
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * 3 + 1
    rows = [raw[y * stride : (y + 1) * stride] for y in range(height)]
    assert all(row[0] == 0 for row in rows)
    return Image(width, height, [row[1:] for row in rows])
