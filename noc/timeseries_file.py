"""The series store on disk: one compact binary file, written atomically, version-checked.

Layout (little-endian)::

    header   b"NOCSERIES" version:u32 raw_step:f64 raw_cap:u32 down_step:f64 down_cap:u32
             count:u32
    series   parts:u16 (len:u16 utf-8)*parts, then per ring (raw, downsampled):
             origin:i64 head:i64 n:u32 len:u32 float32 * len (avg; then min, max)
    trailer  crc32:u32 of everything before it

The file is written to ``<path>.tmp``, fsynced and renamed over ``path``, so a
crash leaves either the old or the new file. On load, a file with another
magic or version, a bad checksum or a truncated body is logged and ignored
(the store starts empty). A ring whose step or size differs from the store's
(the poll interval changed) is dropped; the other ring is kept.
"""

from __future__ import annotations

import logging
import os
import struct
import sys
import zlib
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from noc.timeseries import Ring, Series, SeriesStore

log = logging.getLogger(__name__)
MAGIC = b"NOCSERIES"
VERSION = 1
_HEADER = struct.Struct("<9sIdIdII")
_RING = struct.Struct("<qqII")
_U16 = struct.Struct("<H")
_SWAP = sys.byteorder == "big"


class SeriesFileError(ValueError):
    """A series file that cannot be used (the message says why)."""


def _le(arr: array[float]) -> bytes:
    if _SWAP:
        arr = array("f", arr)
        arr.byteswap()
    return arr.tobytes()


def _series_chunks(key: tuple[str, ...], series: Series) -> Iterator[bytes]:
    yield _U16.pack(len(key))
    for part in key:
        raw = part.encode()
        yield _U16.pack(len(raw)) + raw
    for ring in (series.raw, series.down):
        data = [_le(a) for a in ring.arrays()]  # read first: lengths follow the data
        yield _RING.pack(ring.origin, ring.head, ring.n, len(data[0]) // 4)
        yield from data


def save_store(store: SeriesStore, path: Path) -> None:
    """Write ``store`` to ``path`` atomically (temp file, fsync, rename, fsync of the dir)."""
    path = Path(path)
    items = list(store.series.items())
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        crc = _write(out, _HEADER.pack(MAGIC, VERSION, store.raw_step, store.raw_cap,
                                       store.down_step, store.down_cap, len(items)), 0)
        for key, series in items:
            for chunk in _series_chunks(key, series):
                crc = _write(out, chunk, crc)
        out.write(struct.pack("<I", crc))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(out: BinaryIO, chunk: bytes, crc: int) -> int:
    out.write(chunk)
    return zlib.crc32(chunk, crc)


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0

    def take(self, size: int) -> memoryview:
        if self.at + size > len(self.data):
            raise SeriesFileError("truncated")
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk

    def unpack(self, fmt: struct.Struct) -> tuple[int, ...]:
        return fmt.unpack(self.take(fmt.size))

    def floats(self, count: int) -> array[float]:
        arr = array("f")
        arr.frombytes(self.take(4 * count))
        if _SWAP:
            arr.byteswap()
        return arr


def parse(store: SeriesStore, data: bytes) -> dict[tuple[str, ...], Series]:
    """The series of a file's bytes, fitted to ``store``'s geometry; SeriesFileError if unusable."""
    if len(data) < _HEADER.size + 4 or not data.startswith(MAGIC):
        raise SeriesFileError("not a series file")
    body, (crc,) = memoryview(data)[:-4], struct.unpack("<I", data[-4:])
    reader = _Reader(body)
    _, version, raw_step, raw_cap, down_step, down_cap, count = reader.unpack(_HEADER)
    if version != VERSION:
        raise SeriesFileError(f"version {version}, this NOC reads {VERSION}")
    if zlib.crc32(body) != crc:
        raise SeriesFileError("checksum mismatch")
    keep_raw = (raw_step, raw_cap) == (store.raw_step, store.raw_cap)
    keep_down = (down_step, down_cap) == (store.down_step, store.down_cap)
    out: dict[tuple[str, ...], Series] = {}
    for _ in range(count):
        (parts,) = reader.unpack(_U16)
        key = tuple(bytes(reader.take(reader.unpack(_U16)[0])).decode() for _ in range(parts))
        raw = _ring(reader, int(raw_cap), False)
        down = _ring(reader, int(down_cap), True)
        out[key] = Series(raw if keep_raw else Ring(store.raw_cap, 0, False),
                          down if keep_down else Ring(store.down_cap, 0, True))
    if reader.at != len(body):
        raise SeriesFileError("trailing bytes")
    return out


def _ring(reader: _Reader, cap: int, with_range: bool) -> Ring:
    origin, head, n, length = reader.unpack(_RING)
    if length > cap:
        raise SeriesFileError("ring longer than its size")
    if 0 < length < cap and head - origin != length - 1:
        raise SeriesFileError("ring positions inconsistent")
    ring = Ring(cap, origin, with_range)
    ring.head, ring.n = head, n
    ring.avg = reader.floats(length)
    if with_range:
        ring.lo, ring.hi = reader.floats(length), reader.floats(length)
    return ring


def load_store(store: SeriesStore, path: Path) -> bool:
    """Replace ``store``'s series with the file's; False (logged, store empty) if unusable."""
    store.series = {}
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("series file %s not read (%s); charts start empty", path, exc)
        return False
    try:
        store.series = parse(store, data)
    except (SeriesFileError, struct.error, UnicodeDecodeError) as exc:
        log.warning("series file %s ignored (%s); charts start empty", path, exc)
        return False
    return True
