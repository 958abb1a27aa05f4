"""fping output parser: literal captures of fping 5.1 on Debian 12, and broken input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.icmp.parse import IcmpSample, merge, parse_line, parse_output

# fping -C 3 -q -p 20 -t 200 127.0.0.1 127.0.0.2 ::1 127.250.255.1 localhost (stderr;
# 127.250.255.1 dropped by an nftables rule, so it never answers)
PER_PROBE = """\
127.0.0.1    : 0.042 0.018 0.007
127.0.0.2    : 0.029 0.010 0.034
::1          : 0.110 0.034 0.035
127.250.255.1 : - - -
localhost    : 0.028 0.015 0.023
"""

# fping -c 3 -q -p 20 -t 200 127.0.0.1 127.250.255.1 (stderr; the second one dropped)
SUMMARY = """\
127.0.0.1    : xmt/rcv/%loss = 3/3/0%, min/avg/max = 0.011/0.015/0.019
127.250.255.1 : xmt/rcv/%loss = 3/0/100%
"""

# fping -C 3 over 2,000 targets, SIGINT after one second: unsent probes are absent
INTERRUPTED = """\
127.1.0.1   : 0.045
127.1.3.150 : 0.007 -
127.1.5.250 :
"""


def test_per_probe_lines_give_counts_and_rtt_statistics():
    samples = parse_output(PER_PROBE).samples
    assert list(samples) == ["127.0.0.1", "127.0.0.2", "::1", "127.250.255.1", "localhost"]
    first = samples["127.0.0.1"]
    assert (first.sent, first.received, first.loss_percent) == (3, 3, 0.0)
    assert first.rtt_min_ms == pytest.approx(0.007)
    assert first.rtt_max_ms == pytest.approx(0.042)
    assert first.rtt_avg_ms == pytest.approx((0.042 + 0.018 + 0.007) / 3)
    assert first.rtts_ms == (0.042, 0.018, 0.007)


def test_all_probes_lost_gives_no_rtt_and_full_loss():
    dead = parse_output(PER_PROBE).samples["127.250.255.1"]
    assert (dead.sent, dead.received, dead.loss_percent) == (3, 0, 100.0)
    assert dead.rtt_min_ms is dead.rtt_avg_ms is dead.rtt_max_ms is None
    assert not dead.replied


def test_partial_loss_statistics_use_answered_probes_only():
    sample = parse_line("127.0.0.9 : 0.2 - 0.4")
    assert sample is not None
    assert (sample.sent, sample.received) == (3, 2)
    assert sample.loss_percent == pytest.approx(100 / 3)
    assert sample.rtt_avg_ms == pytest.approx(0.3)
    assert sample.rtts_ms == (0.2, None, 0.4)


def test_summary_lines():
    samples = parse_output(SUMMARY).samples
    alive, dead = samples["127.0.0.1"], samples["127.250.255.1"]
    assert (alive.sent, alive.received) == (3, 3)
    assert (alive.rtt_min_ms, alive.rtt_avg_ms, alive.rtt_max_ms) == (0.011, 0.015, 0.019)
    assert (dead.sent, dead.received, dead.loss_percent, dead.rtt_avg_ms) == (3, 0, 100.0, None)


def test_summary_with_outage_suffix_and_duplicate_replies_is_clamped():
    sample = parse_line("127.40.0.1 : xmt/rcv/%loss = 3/4/0%, min/avg/max = 1/2/3, outage(ms) = 0")
    assert sample is not None
    assert (sample.sent, sample.received, sample.loss_percent) == (3, 3, 0.0)


def test_interrupted_run_reports_only_probes_sent():
    samples = parse_output(INTERRUPTED).samples
    assert (samples["127.1.0.1"].sent, samples["127.1.0.1"].received) == (1, 1)
    assert (samples["127.1.3.150"].sent, samples["127.1.3.150"].received) == (2, 1)
    unsent = samples["127.1.5.250"]
    assert (unsent.sent, unsent.received, unsent.loss_percent) == (0, 0, None)


def test_names_and_ipv6_are_kept_as_printed():
    samples = parse_output("fe80::1%eth0 : 0.5\nrouter-1.example : -\n").samples
    assert set(samples) == {"fe80::1%eth0", "router-1.example"}


@pytest.mark.parametrize("line", [
    "garbage",
    "127.0.0.1 : 0.1 abc",
    "127.0.0.1 : -0.5",
    "127.0.0.1 : nan",
    "127.0.0.1 : inf",
    "127.0.0.1 : [0], 64 bytes, 0.04 ms (0.04 avg, 0% loss)",
    "127.0.0.1 : xmt/rcv/%loss = x/3/0%",
    " : 0.1",
])
def test_malformed_lines_are_counted_not_raised(line: str):
    result = parse_output(f"127.0.0.1 : 0.1\n{line}\n127.0.0.2 : 0.2\n")
    assert set(result.samples) == {"127.0.0.1", "127.0.0.2"}
    assert result.malformed + result.messages == 1
    assert result.kept == [line]


def test_fping_messages_are_counted_apart_from_malformed_lines():
    text = ("fping: can't create socket\n"
            "nonexist.invalid: Name or service not known\n"
            "ICMP Host Unreachable from 127.40.0.1 for ICMP Echo sent to 127.40.0.5\n"
            "this is not fping\n\n   \n")
    result = parse_output(text)
    assert (result.messages, result.malformed, result.samples) == (3, 1, {})


def test_kept_lines_are_bounded():
    result = parse_output("junk\n" * 500)
    assert result.malformed == 500
    assert len(result.kept) == 20


def test_crlf_and_iterable_input():
    result = parse_output(["127.0.0.1 : 0.1 0.2\r\n", "127.0.0.2 : -\r\n"])
    assert result.samples["127.0.0.1"].received == 2
    assert result.samples["127.0.0.2"].sent == 1


def test_duplicate_per_probe_lines_are_merged():
    result = parse_output("127.0.0.1 : 0.1 -\n127.0.0.1 : 0.3 0.5\n")
    sample = result.samples["127.0.0.1"]
    assert result.duplicates == 1
    assert (sample.sent, sample.received, sample.rtt_min_ms, sample.rtt_max_ms) == (4, 3, 0.1, 0.5)
    assert sample.rtt_avg_ms == pytest.approx(0.3)


def test_duplicate_summaries_are_merged_with_weighted_average():
    a = IcmpSample("h", 3, 1, 1.0, 1.0, 1.0)
    b = IcmpSample("h", 3, 3, 2.0, 3.0, 4.0)
    both = merge(a, b)
    assert (both.sent, both.received, both.rtt_min_ms, both.rtt_max_ms) == (6, 4, 1.0, 4.0)
    assert both.rtt_avg_ms == pytest.approx((1.0 + 3 * 3.0) / 4)
    silent = merge(IcmpSample("h", 3, 0), IcmpSample("h", 3, 0))
    assert (silent.sent, silent.received, silent.rtt_avg_ms) == (6, 0, None)


@given(st.text())
def test_any_text_parses_without_raising(text: str):
    result = parse_output(text)
    for sample in result.samples.values():
        assert 0 <= sample.received <= sample.sent
