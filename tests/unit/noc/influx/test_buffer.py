"""The on-disk buffer: durable append, ordered replay, torn records, bounded drop-oldest."""

from __future__ import annotations

from pathlib import Path

from noc.influx.buffer import SegmentBuffer, decode, encode


def _lines(n: int, start: int = 0) -> bytes:
    return "\n".join(f"m v=1i {i:012d}" for i in range(start, start + n)).encode()  # same size


def test_record_roundtrip_and_crc_detects_any_flipped_byte() -> None:
    rec = encode(b"m v=1i 1", 1, 123.5)
    assert decode(rec) == (1, 123.5, b"m v=1i 1")
    for pos in range(len(rec)):
        bad = bytearray(rec)
        bad[pos] ^= 0x01
        assert decode(bytes(bad)) is None, pos


def test_truncated_record_is_torn() -> None:
    rec = encode(_lines(10), 10, 1.0)
    for cut in (0, 3, 10, len(rec) - 1):
        assert decode(rec[:cut]) is None


def test_batches_replay_in_order_after_reopen(tmp_path: Path) -> None:
    buf = SegmentBuffer(tmp_path, 10**6)
    buf.open()
    seqs = [buf.append(_lines(5, i * 5), 5) for i in range(4)]
    again = SegmentBuffer(tmp_path, 10**6)
    again.open()
    assert again.stats().points == 20
    got = []
    while (rec := again.oldest()) is not None:
        got.append(rec.seq)
        again.ack(rec.seq)
    assert got == seqs
    assert again.stats().bytes == 0 and not list(tmp_path.iterdir())
    assert again.append(b"m v=1i 1", 1) > seqs[-1]  # sequence numbers never go back


def test_torn_segment_after_crash_is_skipped_and_counted(tmp_path: Path) -> None:
    buf = SegmentBuffer(tmp_path, 10**6)
    buf.open()
    first = buf.append(_lines(3), 3)
    torn = buf.append(_lines(3, 3), 3)
    last = buf.append(_lines(3, 6), 3)
    path = tmp_path / f"{torn:016d}.seg"
    path.write_bytes(path.read_bytes()[:-4])  # as if killed mid-write
    (tmp_path / f"{last + 1:016d}.seg").write_bytes(b"NI")  # header itself torn
    again = SegmentBuffer(tmp_path, 10**6)
    again.open()
    seen = []
    while (rec := again.oldest()) is not None:
        seen.append(rec.seq)
        again.ack(rec.seq)
    assert seen == [first, last]
    assert again.stats().torn == 2


def test_over_the_bound_the_oldest_are_dropped_and_counted(tmp_path: Path) -> None:
    one = len(encode(_lines(100), 100, 0.0))
    buf = SegmentBuffer(tmp_path, one * 3)
    buf.open()
    seqs = [buf.append(_lines(100, i * 100), 100) for i in range(5)]
    stats = buf.stats()
    assert stats.dropped_points == 200
    assert stats.points == 300 and stats.bytes <= one * 3
    rec = buf.oldest()
    assert rec is not None and rec.seq == seqs[2]


def test_the_batch_being_sent_is_never_dropped(tmp_path: Path) -> None:
    one = len(encode(_lines(100), 100, 0.0))
    buf = SegmentBuffer(tmp_path, one * 2)
    buf.open()
    first = buf.append(_lines(100), 100)
    assert buf.oldest() is not None  # now in flight
    buf.append(_lines(100, 100), 100)
    buf.append(_lines(100, 200), 100)
    assert buf.stats().dropped_points == 100
    assert (tmp_path / f"{first:016d}.seg").exists()


def test_drop_counts_refused_points(tmp_path: Path) -> None:
    buf = SegmentBuffer(tmp_path, 10**6)
    buf.open()
    seq = buf.append(_lines(7), 7)
    buf.drop(seq)
    assert buf.stats().dropped_points == 7 and buf.stats().points == 0
