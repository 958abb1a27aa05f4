"""The on-disk buffer: every batch is written here before it is sent, removed once acknowledged.

A batch is one *segment file* ``<seq:016d>.seg`` in the buffer directory,
written once (append-only) and fsynced (file and directory) before the writer
sends it. Its record is a fixed header, ``magic, payload length, CRC32,
point count, creation time``, followed by the payload (line protocol, one
point per line). The CRC covers the count, the time and the payload, so a
record torn by ``kill -9`` or a power cut (short file, bad CRC) is detected
on read: it is deleted and counted in :attr:`BufferStats.torn`, never sent.

Segments are replayed strictly in sequence order; leftovers of a previous
run are found by :meth:`SegmentBuffer.open`. When the buffer grows beyond
``max_bytes`` the **oldest** segments are deleted and their points counted in
:attr:`BufferStats.dropped_points` (never silently). All methods do blocking
file I/O: the writer calls them in a worker thread.
"""

from __future__ import annotations

import os
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

_HEADER = struct.Struct("<4sIIId")  # magic, payload length, crc32, points, created
_MAGIC = b"NIB1"
_SUFFIX = ".seg"


@dataclass(frozen=True, slots=True)
class Segment:
    """One buffered batch."""

    seq: int
    size: int  # bytes on disk
    points: int
    created: float  # wall clock


@dataclass(frozen=True, slots=True)
class Record:
    """A batch read back from the buffer, ready to send."""

    seq: int
    points: int
    created: float
    payload: bytes


@dataclass(frozen=True, slots=True)
class BufferStats:
    """What the buffer holds now and what it had to give up."""

    bytes: int
    points: int
    segments: int
    oldest_created: float | None
    dropped_points: int
    torn: int


def encode(payload: bytes, points: int, created: float) -> bytes:
    """A record: header plus payload."""
    tail = struct.pack("<Id", points, created) + payload
    return _HEADER.pack(_MAGIC, len(payload), zlib.crc32(tail), points, created) + payload


def decode(data: bytes) -> tuple[int, float, bytes] | None:
    """(points, created, payload) of a record, or None if it is torn or corrupt."""
    if len(data) < _HEADER.size:
        return None
    magic, length, crc, points, created = _HEADER.unpack_from(data)
    payload = data[_HEADER.size:]
    if magic != _MAGIC or len(payload) != length:
        return None
    if zlib.crc32(struct.pack("<Id", points, created) + payload) != crc:
        return None
    return points, created, payload


class SegmentBuffer:
    """An ordered, bounded, crash-safe queue of batches in one directory."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self._segments: dict[int, Segment] = {}  # insertion order == seq order
        self._next = 1
        self._bytes = self._points = 0
        self._dropped = self._torn = 0
        self._inflight: int | None = None
        self._lock = threading.Lock()  # guards the index and counters
        self._append_lock = threading.Lock()

    def _path(self, seq: int) -> Path:
        return self.directory / f"{seq:016d}{_SUFFIX}"

    def open(self) -> None:
        """Create the directory and index what a previous run left (headers only)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.directory.glob(f"*{_SUFFIX}")):
            seq = int(path.stem) if path.stem.isdigit() else 0
            with path.open("rb") as fh:
                head = fh.read(_HEADER.size)
            size = path.stat().st_size
            if seq <= 0 or len(head) < _HEADER.size or head[:4] != _MAGIC:
                self._discard_torn(path)
                continue
            _, _, _, points, created = _HEADER.unpack(head)
            self._add(Segment(seq, size, points, created))
        for tmp in self.directory.glob("*.tmp"):
            tmp.unlink()
        self._next = max(self._segments, default=0) + 1

    def _add(self, seg: Segment) -> None:
        self._segments[seg.seq] = seg
        self._bytes += seg.size
        self._points += seg.points

    def _forget(self, seq: int) -> Segment | None:
        seg = self._segments.pop(seq, None)
        if seg is not None:
            self._bytes -= seg.size
            self._points -= seg.points
        return seg

    def _discard_torn(self, path: Path) -> None:
        self._torn += 1
        path.unlink(missing_ok=True)

    def append(self, payload: bytes, points: int, created: float | None = None) -> int:
        """Write one batch durably (fsync) and return its sequence number."""
        created = time.time() if created is None else created
        record = encode(payload, points, created)
        with self._append_lock:  # appends one at a time: segments stay in sequence order
            seq = self._next
            self._next += 1
            with self._path(seq).open("xb") as fh:  # a torn write fails the CRC check
                fh.write(record)
                fh.flush()
                os.fsync(fh.fileno())
            self._fsync_dir()
            with self._lock:
                self._add(Segment(seq, len(record), points, created))
                self._enforce_bound()
        return seq

    def _fsync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _enforce_bound(self) -> None:
        """Drop the oldest segments (not the one being sent) until under the bound."""
        while self._bytes > self.max_bytes and len(self._segments) > 1:
            victim = next((s for s in self._segments if s != self._inflight), None)
            if victim is None:
                return
            seg = self._forget(victim)
            if seg is not None:
                self._dropped += seg.points
                self._path(victim).unlink(missing_ok=True)

    def oldest(self) -> Record | None:
        """The oldest intact batch (torn ones are deleted and counted), marked in flight."""
        while True:
            with self._lock:
                seq = next(iter(self._segments), None)
                self._inflight = seq
            if seq is None:
                return None
            try:
                decoded = decode(self._path(seq).read_bytes())
            except FileNotFoundError:
                decoded = None
            if decoded is not None:
                return Record(seq, *decoded)
            with self._lock:
                self._forget(seq)
                self._inflight = None
            self._discard_torn(self._path(seq))

    def ack(self, seq: int) -> None:
        """The server has the batch: delete it."""
        with self._lock:
            self._forget(seq)
            if self._inflight == seq:
                self._inflight = None
        self._path(seq).unlink(missing_ok=True)

    def drop(self, seq: int) -> None:
        """Give a batch up (the server rejected it for good); its points count as dropped."""
        with self._lock:
            seg = self._segments.get(seq)
            self._dropped += seg.points if seg is not None else 0
        self.ack(seq)

    def stats(self) -> BufferStats:
        """Current size and counters (in memory, no I/O)."""
        with self._lock:
            oldest = next(iter(self._segments.values()), None)
            return BufferStats(self._bytes, self._points, len(self._segments),
                               oldest.created if oldest else None, self._dropped, self._torn)
